using System.Net;
using Clutch.Auth;
using Clutch.Files;
using Clutch.Health;
using Clutch.Home;
using Clutch.Http;
using Clutch.Indexes;
using Clutch.Json;
using Clutch.Links;
using Clutch.Manage;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;
using Clutch.Tuning;
using Clutch.Upload;
using Clutch.Web;
using Clutch.Web.Account;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Clutch.Hosting;

/// <summary>Composes one Clutch node: storage providers, page cache, endpoint groups, Kestrel.</summary>
public static class ClutchHost
{
    /// <summary>Builds the app for <paramref name="options"/>; the folder and catalog directory are created if missing.</summary>
    public static WebApplication Build(ClutchOptions options, IConfiguration? configuration = null)
    {
        RuntimeTuning.BeforeStart(options.RuntimeTuning, storesOnNetwork: options.CatalogIsPostgres || !options.BlobsInFolder);
        options.ResolveStorage();
        if (options.BlobsInFolder)
        {
            Directory.CreateDirectory(options.Root);
            Directory.CreateDirectory(options.ClutchDirectory);
        }

        Directory.CreateDirectory(options.StateDirectory);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = options.BlobsInFolder ? options.Root : options.StateDirectory });
        if (configuration is not null)
        {
            builder.Configuration.AddConfiguration(configuration);
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        // The session key ring is kept in the catalog unencrypted (see CatalogKeyRing): whoever can
        // read the catalog can read every password hash too, so a key-encryption key kept beside it
        // would add nothing. Data protection warns of that once per key; the warning is not news.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            // Small for every request; the upload endpoint raises it to the upload limit for itself.
            k.Limits.MaxRequestBodySize = 1024 * 1024;
            k.Listen(ResolveAddress(options.Host), options.Port);
        });

        var services = builder.Services;
        services.AddRuntimeTuning(options.RuntimeTuning);
        services.AddHttpJson();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(options);
        services.AddStorage(options);
        services.AddClutchAuth(options);
        services.AddUpload();
        services.AddManage(options);
        services.AddSingleton<IProjectSource>(sp => new CatalogProjectSource(sp.GetRequiredService<ICatalog>()));
        services.AddSingleton<PageCache>();
        services.AddSingleton(sp => new SimplePages(sp.GetRequiredService<PageCache>(), sp.GetRequiredService<PageResponder>()));
        services.AddSingleton(sp => new LinksPages(sp.GetRequiredService<PageCache>(), sp.GetRequiredService<PageResponder>()));
        services.AddSingleton<FileLocator>();
        services.AddSingleton<SmallFileCache>();
        services.AddSingleton<StaleFiles>();
        services.TryAddSingleton<Clutch.Storage.Folder.IndexerHints>();
        services.AddSingleton<ReleaseMetadataReader>();
        services.AddSingleton<ReleaseMetadataCache>();
        services.AddSingleton<CacheHeaders>();
        services.AddWeb();
        services.AddIndexes();
        services.AddSingleton(sp => new PageResponder(sp.GetRequiredService<CacheHeaders>().Pages));

        var app = builder.Build();
        app.UseMiddleware<StorageFailures>();
        app.UsePrivateReads(options);
        // Cached pages are answered before routing (after the credential check); routing is placed explicitly after it.
        app.UseMiddleware<PageFastPath>();
        app.UseMiddleware<IndexDispatch>();
        app.UseRouting();
        // After the fast path: a cached simple page needs no caller. (Explicit, so the framework does
        // not add them at the front of the pipeline.)
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapSimple();
        app.MapLinks();
        app.MapFiles();
        app.MapPypiJson();
        app.MapHealth();
        app.MapHome();
        app.MapWeb();
        app.MapAccount();
        app.MapReleaseActions();
        app.MapUpload();
        app.MapManage();
        app.MapIndexes();
        return app;
    }

    /// <summary>Starts the node (hosted services migrate the catalog first) and returns the address it listens on.</summary>
    public static async Task<string> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return addresses.First();
    }

    private static IPAddress ResolveAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" or "0.0.0.0" => IPAddress.Any,
        "::" or "[::]" => IPAddress.IPv6Any,
        _ => IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault() ?? throw new ArgumentException($"Cannot resolve host '{host}'."),
    };
}
