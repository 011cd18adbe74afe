using System.CommandLine;
using System.Globalization;
using Clutch.Hosting;

namespace Clutch.Cli;

/// <summary><c>clutch serve [DIR]</c>: serve a package folder.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var dir = new Argument<string?>("DIR") { Description = "Package folder to serve (default ./packages, or CLUTCH_ROOT); created with its catalog if missing.", Arity = ArgumentArity.ZeroOrOne };
        var root = new Option<string?>("--root") { Description = "The package folder, as the other commands take it (same as DIR)." };
        var host = new Option<string?>("--host") { Description = "Address to listen on (default 127.0.0.1, or CLUTCH_HOST; 0.0.0.0 for every interface)." };
        var port = new Option<int?>("--port") { Description = "Port to listen on (default 8080, or CLUTCH_PORT; 0 picks a free port)." };
        var catalog = new Option<string?>("--catalog") { Description = "Catalog: a SQLite file (default DIR/.clutch/catalog.db) or a postgresql://user:password@host:port/db URL, or CLUTCH_CATALOG." };
        var blobs = new Option<string?>("--blobs") { Description = "Blob store: the package folder (as DIR) or s3://bucket/prefix (credentials and region as the AWS SDK finds them), or CLUTCH_BLOBS." };
        var s3Endpoint = new Option<string?>("--s3-endpoint") { Description = "S3-compatible endpoint URL (MinIO, Ceph …), addressed path-style, or CLUTCH_S3ENDPOINT; AWS itself when absent." };
        var blobsRedirect = new Option<bool?>("--blobs-redirect") { Description = "Answer S3 downloads with a short-lived presigned redirect instead of streaming them through this node." };
        var stateDir = new Option<string?>("--state-dir") { Description = "This node's own folder for temp files and the page store (default DIR/.clutch, or a temp folder when the blobs are in S3), or CLUTCH_STATEDIR." };
        var isPrivate = new Option<bool?>("--private") { Description = "Require credentials for every read." };
        var maxUpload = new Option<long?>("--max-upload-bytes") { Description = "Largest accepted upload (default 1 GiB)." };
        var keepDev = NonNegative("--keep-dev", "Keep only the newest N pre/dev builds per project.");
        var pageCache = NonNegative("--page-cache-mb", "Memory for page bytes, in MB (default 32): copies of pages, plain and gzip, otherwise read from the page store file per request; the root pages are always held.");
        var fileCache = NonNegative("--file-cache-mb", "Memory for the bytes of small files most recently downloaded, in MB (default 32).");
        var mirrorCache = NonNegative("--mirror-cache-mb", "Disk for files fetched by mirror indexes, in MB (default 10240; 0: no limit); the least recently used go first.");
        var upstreamTimeout = NonNegative("--upstream-timeout", "Seconds a mirror index waits for its upstream (a page, or each read of a file; default 10).");
        var htpasswd = new Option<string?>("--htpasswd") { Description = "Apache htpasswd file whose bcrypt entries are accepted as users." };
        var config = new Option<string?>("--config") { Description = "Optional JSON config file with the flags' names ({\"Port\": 9000}), or CLUTCH_CONFIG; flags and CLUTCH_* variables win over it." };

        var command = new Command("serve", "Serve a folder of Python packages.") { dir, root, host, port, catalog, blobs, s3Endpoint, blobsRedirect, stateDir, isPrivate, maxUpload, keepDev, pageCache, fileCache, mirrorCache, upstreamTimeout, htpasswd, config };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(dir);
            if (parse.GetValue(root) is { } rootFolder)
            {
                if (folder is not null && Path.GetFullPath(folder) != Path.GetFullPath(rootFolder))
                {
                    await Console.Error.WriteLineAsync($"clutch: DIR ({folder}) and --root ({rootFolder}) name different folders; give one of them.");
                    return 2;
                }

                folder = rootFolder;
            }

            var flags = new Dictionary<string, string?>
            {
                ["Root"] = folder,
                ["Host"] = parse.GetValue(host),
                ["Port"] = parse.GetValue(port)?.ToString(CultureInfo.InvariantCulture),
                ["Catalog"] = parse.GetValue(catalog),
                ["Blobs"] = parse.GetValue(blobs),
                ["S3Endpoint"] = parse.GetValue(s3Endpoint),
                ["BlobsRedirect"] = parse.GetValue(blobsRedirect)?.ToString(),
                ["StateDir"] = parse.GetValue(stateDir),
                ["Private"] = parse.GetValue(isPrivate)?.ToString(),
                ["MaxUploadBytes"] = parse.GetValue(maxUpload)?.ToString(CultureInfo.InvariantCulture),
                ["KeepDev"] = parse.GetValue(keepDev)?.ToString(CultureInfo.InvariantCulture),
                ["PageCacheMegabytes"] = parse.GetValue(pageCache)?.ToString(CultureInfo.InvariantCulture),
                ["FileCacheMegabytes"] = parse.GetValue(fileCache)?.ToString(CultureInfo.InvariantCulture),
                ["MirrorCacheMegabytes"] = parse.GetValue(mirrorCache)?.ToString(CultureInfo.InvariantCulture),
                ["UpstreamTimeoutSeconds"] = parse.GetValue(upstreamTimeout)?.ToString(CultureInfo.InvariantCulture),
                ["Htpasswd"] = parse.GetValue(htpasswd),
                // The host logs a failed start with its whole stack trace before rethrowing; the failure
                // is reported below in one line instead.
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "None",
            };
            ClutchOptions? resolved = null;
            try
            {
                var (options, configuration) = ConfigurationLoader.Load(parse.GetValue(config), flags);
                resolved = options;
                await using var app = ClutchHost.Build(options, configuration);
                var address = await StartupProgress.RunAsync(app.Services, () => ClutchHost.StartAsync(app, cancellationToken));
                Console.Out.WriteLine($"Clutch listening on {address} (serving {(options.BlobsInFolder ? options.Root : options.Blobs)})");
                Console.Out.Flush();
                await app.WaitForShutdownAsync(cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is CliException or FileNotFoundException or ArgumentException or Storage.StorageUnavailableException)
            {
                await Console.Error.WriteLineAsync("clutch: " + CliException.Reason(e));
                return 2;
            }
            catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
            {
                // Kestrel's bind failure: "Failed to bind to address http://…: address already in use."
                // around AddressInUseException (or a SocketException, e.g. for a port below 1024).
                var why = e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException ? "the port is in use" : e.InnerException!.Message;
                await Console.Error.WriteLineAsync($"clutch: cannot listen on {resolved?.Host}:{resolved?.Port}: {why}; choose another with --port N (or CLUTCH_PORT=N).");
                return 2;
            }
        });
        return command;
    }

    /// <summary>An integer option refused below zero, with a one-line error naming it.</summary>
    private static Option<int?> NonNegative(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(r =>
        {
            if (r.GetValue(option) < 0)
            {
                r.AddError($"{name} must be 0 or more.");
            }
        });
        return option;
    }
}
