using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Sqlite;

public static class SqliteCatalogServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SQLite catalog as <see cref="ICatalog"/>, <see cref="Accounts.IAccountStore"/>,
    /// <see cref="IDeletedFiles"/>, <see cref="IFolderIndexCatalog"/>, <see cref="Indexes.IIndexStore"/> (and as itself) with its leases (<see cref="SqliteLeases"/>), and migrates its schema
    /// at host start. Register it before services that read the catalog at start.
    /// </summary>
    public static IServiceCollection AddSqliteCatalog(this IServiceCollection services, string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        services.AddSingleton(sp => new SqliteCatalog(
            databasePath, sp.GetService<ILogger<SqliteCatalog>>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<ICatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.AddSingleton<Accounts.IAccountStore>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.AddSingleton<IDeletedFiles>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.AddSingleton<IFolderIndexCatalog>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.AddSingleton<Indexes.IIndexStore>(sp => sp.GetRequiredService<SqliteCatalog>());
        services.AddHostedService<CatalogMigrationService>();
        services.AddHostedService<SqliteChangeFeedService>();
        services.AddSingleton<ILeases>(sp => new SqliteLeases(sp.GetRequiredService<SqliteCatalog>()));
        return services;
    }
}

/// <summary>Brings the catalog schema up to date before the server answers.</summary>
internal sealed class CatalogMigrationService(ICatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => catalog.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
