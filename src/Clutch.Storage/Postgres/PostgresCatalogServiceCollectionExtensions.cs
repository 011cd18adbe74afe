using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clutch.Storage.Postgres;

public static class PostgresCatalogServiceCollectionExtensions
{
    /// <summary>
    /// Registers the PostgreSQL catalog at <paramref name="url"/> as <see cref="ICatalog"/>,
    /// <see cref="Accounts.IAccountStore"/>, <see cref="IDeletedFiles"/>, <see cref="IFolderIndexCatalog"/>,
    /// <see cref="Indexes.IIndexStore"/> (and as itself), its leases, the schema migration at start and the change feed.
    /// </summary>
    public static IServiceCollection AddPostgresCatalog(this IServiceCollection services, string url)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        PostgresUrl.ToConnectionString(url); // a bad URL fails here, in one line, not at the first request
        services.AddSingleton(sp => new PostgresCatalog(url, sp.GetService<ILogger<PostgresCatalog>>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<ICatalog>(sp => sp.GetRequiredService<PostgresCatalog>());
        services.AddSingleton<Accounts.IAccountStore>(sp => sp.GetRequiredService<PostgresCatalog>());
        services.AddSingleton<IDeletedFiles>(sp => sp.GetRequiredService<PostgresCatalog>());
        services.AddSingleton<IFolderIndexCatalog>(sp => sp.GetRequiredService<PostgresCatalog>());
        services.AddSingleton<Indexes.IIndexStore>(sp => sp.GetRequiredService<PostgresCatalog>());
        services.AddSingleton<ILeases, PostgresLeases>();
        services.AddHostedService<PostgresMigrationService>();
        services.AddSingleton(sp => new PostgresChangeFeed(sp.GetRequiredService<PostgresCatalog>(), sp.GetRequiredService<ILogger<PostgresChangeFeed>>()));
        services.AddHostedService(sp => sp.GetRequiredService<PostgresChangeFeed>());
        return services;
    }
}

/// <summary>Brings the schema up to date before the node answers.</summary>
internal sealed class PostgresMigrationService(PostgresCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => catalog.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
