using System.CommandLine;
using Clutch.Indexes;

namespace Clutch.Cli;

/// <summary><c>clutch cache prune [--max-mb N]</c>: evicts least recently used mirror files beyond a size.</summary>
public static class CacheCommand
{
    public static Command Create()
    {
        var maxMb = new Option<long?>("--max-mb") { Description = "Keep at most this many MB of mirrored files (default: the server's --mirror-cache-mb setting; 0 removes them all)." };
        var store = new CatalogCommandOptions();
        var prune = new Command("prune", "Delete the least recently used files mirror indexes fetched, down to a size; they are fetched again when asked for.") { maxMb };
        store.AddTo(prune);
        prune.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var limit = parse.GetValue(maxMb) ?? storage.Options.MirrorCacheMegabytes;
            if (limit < 0)
            {
                throw new CliException("--max-mb must be 0 or more.");
            }

            var (files, bytes) = await MirrorCache.PruneAsync(storage.IndexStore, storage.Blobs, limit * 1024 * 1024, cancellationToken);
            Console.WriteLine($"Removed {files} mirrored file(s), {bytes} bytes; at most {limit} MB kept.");
            return 0;
        }));
        var command = new Command("cache", "The mirror indexes' file cache.");
        command.Subcommands.Add(prune);
        return command;
    }
}
