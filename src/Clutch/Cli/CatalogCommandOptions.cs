using System.CommandLine;
using Clutch.Hosting;
using Clutch.Storage.Sqlite;

namespace Clutch.Cli;

/// <summary><c>--root</c> and <c>--catalog</c>, found the same way as <c>serve</c> finds them (flags, then CLUTCH_* variables).</summary>
public sealed class CatalogCommandOptions
{
    public Option<string?> Root { get; } = new("--root") { Description = "Package folder (default ./packages)." };

    public Option<string?> Catalog { get; } = new("--catalog") { Description = "Catalog database (default ROOT/.clutch/catalog.db)." };

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

    public static async Task<SqliteCatalog> OpenAsync(ClutchOptions options, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.ClutchDirectory);
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
