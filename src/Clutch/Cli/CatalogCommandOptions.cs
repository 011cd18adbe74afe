using System.CommandLine;
using Clutch.Hosting;
using Clutch.Storage;

namespace Clutch.Cli;

/// <summary>
/// <c>--root</c> and <c>--catalog</c>, found the same way as <c>serve</c> finds them (flags, then CLUTCH_*
/// variables). Only <c>serve</c> creates an index: an admin command run in the wrong folder refuses
/// rather than create an empty catalog there and report on that.
/// </summary>
public sealed class CatalogCommandOptions
{
    public Option<string?> Root { get; } = new("--root") { Description = "Package folder of the index, as given to 'clutch serve' (default ./packages, or CLUTCH_ROOT); it must exist." };

    public Option<string?> Catalog { get; } = new("--catalog") { Description = "Catalog: a SQLite file (default ROOT/.clutch/catalog.db; it must exist) or a postgresql:// URL, or CLUTCH_CATALOG." };

    public Option<string?> Blobs { get; } = new("--blobs") { Description = "Blob store: the package folder (as --root) or s3://bucket/prefix, or CLUTCH_BLOBS." };

    public Option<string?> S3Endpoint { get; } = new("--s3-endpoint") { Description = "S3-compatible endpoint URL (path-style), or CLUTCH_S3ENDPOINT; AWS itself when absent." };

    public Option<string?> Config { get; } = new("--config") { Description = "Optional JSON config file, as 'clutch serve' takes it, or CLUTCH_CONFIG." };

    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        command.Options.Add(Catalog);
        command.Options.Add(Blobs);
        command.Options.Add(S3Endpoint);
        command.Options.Add(Config);
    }

    /// <summary>Opens (and migrates) the stores the server with these settings would use.</summary>
    public Task<StorageSession> OpenAsync(ParseResult parse, CancellationToken cancellationToken) =>
        OpenAsync(Resolve(parse), cancellationToken);

    /// <summary>The stores the server with these settings would use (the folder as a full path).</summary>
    public ClutchOptions Resolve(ParseResult parse)
    {
        var (options, _) = ConfigurationLoader.Load(parse.GetValue(Config), new Dictionary<string, string?>
        {
            ["Root"] = parse.GetValue(Root),
            ["Catalog"] = parse.GetValue(Catalog),
            ["Blobs"] = parse.GetValue(Blobs),
            ["S3Endpoint"] = parse.GetValue(S3Endpoint),
        });
        try
        {
            options.ResolveStorage();
        }
        catch (ArgumentException e)
        {
            throw new CliException(CliException.Reason(e));
        }

        return options;
    }

    /// <summary>
    /// Opens (and migrates) the stores of an index <c>clutch serve</c> has created; refuses, naming
    /// the folder, when a folder index has no catalog yet (rather than create an empty one).
    /// </summary>
    public static async Task<StorageSession> OpenAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        if (options.CatalogIsPostgres)
        {
            return await OpenCheckedAsync(options, cancellationToken);
        }

        const string Hint = "start the index there with 'clutch serve {0}' first, or name its folder with --root DIR (or CLUTCH_ROOT).";
        if (options.BlobsInFolder && !Directory.Exists(options.Root))
        {
            throw new CliException($"no package folder {options.Root}: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, options.Root));
        }

        if (!File.Exists(options.CatalogPath))
        {
            throw new CliException($"{options.Root} is not a Clutch index (no catalog at {options.CatalogPath}): "
                + string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, options.Root));
        }

        return await OpenCheckedAsync(options, cancellationToken);
    }

    private static async Task<StorageSession> OpenCheckedAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await StorageSession.OpenAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is ArgumentException or StorageUnavailableException)
        {
            throw new CliException(CliException.Reason(e));
        }
    }

    /// <summary>Runs a command body, turning <see cref="CliException"/> into one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (CliException e)
        {
            await Console.Error.WriteLineAsync("clutch: " + e.Message);
            return 2;
        }
    }
}
