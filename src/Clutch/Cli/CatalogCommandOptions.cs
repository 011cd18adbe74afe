using System.CommandLine;
using Clutch.Hosting;
using Clutch.Storage.Sqlite;

namespace Clutch.Cli;

/// <summary>
/// <c>--root</c> and <c>--catalog</c>, found the same way as <c>serve</c> finds them (flags, then CLUTCH_*
/// variables). Only <c>serve</c> creates an index: an admin command run in the wrong folder refuses
/// rather than create an empty catalog there and report on that.
/// </summary>
public sealed class CatalogCommandOptions
{
    public Option<string?> Root { get; } = new("--root") { Description = "Package folder of the index, as given to 'clutch serve' (default ./packages, or CLUTCH_ROOT); it must exist." };

    public Option<string?> Catalog { get; } = new("--catalog") { Description = "Catalog database (default ROOT/.clutch/catalog.db, or CLUTCH_CATALOG); it must exist." };

    public void AddTo(Command command)
    {
        command.Options.Add(Root);
        command.Options.Add(Catalog);
    }

    /// <summary>Opens (and migrates) the catalog the server with these settings would use.</summary>
    public Task<SqliteCatalog> OpenAsync(ParseResult parse, CancellationToken cancellationToken) =>
        OpenAsync(Resolve(parse), cancellationToken);

    /// <summary>The folder and catalog the server with these settings would use (the folder as a full path).</summary>
    public ClutchOptions Resolve(ParseResult parse)
    {
        var (options, _) = ConfigurationLoader.Load(null, new Dictionary<string, string?>
        {
            ["Root"] = parse.GetValue(Root),
            ["Catalog"] = parse.GetValue(Catalog),
        });
        options.Root = Path.GetFullPath(options.Root);
        return options;
    }

    /// <summary>Opens (and migrates) the catalog of an index <c>clutch serve</c> has created; refuses, naming the folder, when there is none.</summary>
    public static async Task<SqliteCatalog> OpenAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        const string Hint = "start the index there with 'clutch serve {0}' first, or name its folder with --root DIR (or CLUTCH_ROOT).";
        if (!Directory.Exists(options.Root))
        {
            throw new CliException($"no package folder {options.Root}: " + string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, options.Root));
        }

        if (!File.Exists(options.CatalogPath))
        {
            throw new CliException($"{options.Root} is not a Clutch index (no catalog at {options.CatalogPath}): "
                + string.Format(System.Globalization.CultureInfo.InvariantCulture, Hint, options.Root));
        }

        var catalog = new SqliteCatalog(options.CatalogPath);
        await catalog.MigrateAsync(cancellationToken);
        return catalog;
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
