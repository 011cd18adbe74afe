using System.CommandLine;
using System.Globalization;
using Clutch.Hosting;
using Clutch.Migrate;
using Spectre.Console;

namespace Clutch.Cli;

/// <summary>
/// <c>clutch migrate --to-catalog URL --to-blobs URL</c>: copies an index (by default the folder and
/// SQLite catalog of <c>--root</c>) into other stores, typically PostgreSQL and S3, checking every
/// sha256; run it again to resume after an interruption. The source is only read.
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var toCatalog = new Option<string>("--to-catalog") { Description = "The target catalog: a postgresql:// URL (or a SQLite file).", Required = true };
        var toBlobs = new Option<string>("--to-blobs") { Description = "The target blob store: s3://bucket/prefix (or a folder).", Required = true };
        var toEndpoint = new Option<string?>("--to-s3-endpoint") { Description = "S3-compatible endpoint of the target (path-style); AWS itself when absent." };
        var store = new CatalogCommandOptions();
        var command = new Command("migrate", "Copy this index (catalog and files) to other stores, e.g. PostgreSQL and S3; resumable.") { toCatalog, toBlobs, toEndpoint };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            var targetOptions = new ClutchOptions { Catalog = parse.GetValue(toCatalog), Blobs = parse.GetValue(toBlobs), S3Endpoint = parse.GetValue(toEndpoint) };
            try
            {
                targetOptions.ResolveStorage();
            }
            catch (ArgumentException e)
            {
                throw new CliException("target: " + CliException.Reason(e).Replace("--blobs", "--to-blobs", StringComparison.Ordinal).Replace("--catalog", "--to-catalog", StringComparison.Ordinal).Replace("--s3-endpoint", "--to-s3-endpoint", StringComparison.Ordinal));
            }

            await using var source = await store.OpenAsync(parse, cancellationToken);
            if (SameStores(source.Options, targetOptions))
            {
                throw new CliException("the target is the source itself: give other stores with --to-catalog and --to-blobs.");
            }

            await using var target = await OpenTargetAsync(targetOptions, cancellationToken);
            await Console.Error.WriteLineAsync($"Copying {source.Blobs.Description} and its catalog to {target.Blobs.Description} …");
            var report = await RunWithProgressAsync(new Migrator(source, target), cancellationToken);
            Console.WriteLine(
                $"Copied {report.Copied} file(s) ({report.BytesCopied / 1048576.0:F1} MB, every sha256 checked), {report.AlreadyThere} already there; "
                + $"{report.Users} user(s), {report.Tokens} token(s), {report.Roles} role(s), {report.Tombstones} deleted filename(s), {report.DeveloperLinks} developer link(s).");
            foreach (var failure in report.Failures)
            {
                await Console.Error.WriteLineAsync("clutch: not copied: " + failure);
            }

            return report.Failures.Count == 0 ? 0 : 1;
        }));
        return command;
    }

    private static bool SameStores(ClutchOptions a, ClutchOptions b)
    {
        var catalogA = a.CatalogIsPostgres ? a.Catalog : Path.GetFullPath(a.CatalogPath);
        var catalogB = b.CatalogIsPostgres ? b.Catalog : Path.GetFullPath(b.CatalogPath);
        return string.Equals(catalogA, catalogB, StringComparison.Ordinal)
            || (a.BlobsInFolder && b.BlobsInFolder && Path.GetFullPath(a.Root) == Path.GetFullPath(b.Root))
            || (!a.BlobsInFolder && !b.BlobsInFolder && string.Equals(a.Blobs, b.Blobs, StringComparison.Ordinal) && a.S3Endpoint == b.S3Endpoint);
    }

    private static async Task<StorageSession> OpenTargetAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await StorageSession.OpenAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is ArgumentException or Storage.StorageUnavailableException)
        {
            throw new CliException("target: " + CliException.Reason(e));
        }
    }

    /// <summary>A progress bar by bytes on a terminal; a line every 10 % otherwise.</summary>
    private static async Task<MigrationReport> RunWithProgressAsync(Migrator migrator, CancellationToken cancellationToken)
    {
        if (Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lastTenth = -1;
            return await migrator.RunAsync(new SyncProgress(p =>
            {
                var tenth = p.BytesTotal == 0 ? 10 : (int)(p.BytesDone * 10 / p.BytesTotal);
                if (tenth != lastTenth)
                {
                    lastTenth = tenth;
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tenth * 10}%: {p.FilesDone}/{p.FilesTotal} files, {p.BytesDone / 1048576.0:F1}/{p.BytesTotal / 1048576.0:F1} MB"));
                }
            }), cancellationToken);
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Copying files", maxValue: 1);
                var report = await migrator.RunAsync(new SyncProgress(p =>
                {
                    task.MaxValue = Math.Max(1, p.BytesTotal);
                    task.Value = p.BytesDone;
                    task.Description = $"Copying {p.FilesDone:N0}/{p.FilesTotal:N0} files";
                }), cancellationToken);
                task.StopTask();
                return report;
            });
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}
