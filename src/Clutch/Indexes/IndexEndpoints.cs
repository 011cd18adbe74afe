using System.Globalization;
using System.Text.Json;
using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Storage;
using Clutch.Storage.Indexes;
using Clutch.Upload;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Clutch.Indexes;

/// <summary>
/// Uploads into an index (<c>POST /{index}/legacy/</c>) and the index management API under
/// <c>/api/indexes</c>: list, show, create, delete, the guard's allowed names and promotion. Reading
/// the definitions needs a signed-in caller, changing them an admin; promoting a release needs the
/// right to manage its project. Errors are RFC 9457 problem details with a one-line reason.
/// </summary>
public static class IndexEndpoints
{
    public static IServiceCollection AddIndexes(this IServiceCollection services)
    {
        services.AddSingleton(sp => new Mirror.UpstreamClient(new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate | System.Net.DecompressionMethods.Brotli,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the client keeps its own per-page and per-read timeouts
        }, new Mirror.UpstreamClientOptions { PageTimeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<ClutchOptions>().UpstreamTimeoutSeconds)) }));
        services.AddSingleton<MirrorCache>();
        services.AddHostedService(sp => sp.GetRequiredService<MirrorCache>());
        services.AddSingleton<MirrorFiles>();
        services.AddSingleton<IndexRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<IndexRegistry>());
        services.AddSingleton(sp =>
        {
            var registry = sp.GetRequiredService<IndexRegistry>();
            return new IndexService(
                sp.GetRequiredService<IIndexStore>(), sp.GetRequiredService<ClutchOptions>(), sp.GetRequiredService<ICatalog>(),
                sp.GetRequiredService<IDeletedFiles>(), sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<ILoggerFactory>(),
                sp.GetRequiredService<TimeProvider>())
            {
                OpenStores = name => registry.TryGet(name, out var runtime) ? runtime.Storage : null,
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapIndexes(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/{index}/legacy/", UploadAsync); // also answers /{index}/legacy: routing ignores a trailing slash

        var api = routes.MapGroup("/api/indexes");
        api.MapGet("/", (HttpContext c, Authenticator a, IIndexStore store) => AsCallerAsync(c, a, admin: false, async _ =>
            (IResult)TypedResults.Json((IReadOnlyList<IndexView>)[.. (await store.ListIndexesAsync(c.RequestAborted)).Select(IndexView.Of)], IndexJsonContext.Default.IReadOnlyListIndexView)));
        api.MapGet("/{name}", (HttpContext c, string name, Authenticator a, IndexService s) => AsCallerAsync(c, a, admin: false, async _ =>
            View(await s.GetAsync(name, c.RequestAborted))));
        api.MapPost("/", (HttpContext c, Authenticator a, IndexService s, IndexRegistry r) => AsCallerAsync(c, a, admin: true, async caller =>
        {
            var body = await ReadAsync(c, IndexJsonContext.Default.IndexCreateBody, """{"name": "team", "upstream": null, "bases": ["pypi"], "ttl": "10m", "private": false}""");
            TimeSpan? ttl = null;
            if (body.Ttl is not null)
            {
                ttl = Durations.TryParse(body.Ttl, out var t) ? t : throw new IndexProblemException(StatusCodes.Status400BadRequest, $"TTL '{body.Ttl}' is not a duration like 30s, 10m, 2h or 1d.");
            }

            var created = await s.CreateAsync(new IndexRequest(body.Name ?? "", body.Upstream, body.Bases ?? [], ttl, body.Private) { Uploaders = body.Uploaders ?? [] }, caller.UserName, c.RequestAborted);
            await r.RefreshAsync(c.RequestAborted);
            // Written with the index's own type information (TypedResults.Created would go through the
            // framework's JSON options, which know only problem details in the shipped build).
            c.Response.Headers.Location = "/api/indexes/" + created.Name;
            return (IResult)TypedResults.Json(IndexView.Of(created), IndexJsonContext.Default.IndexView, statusCode: StatusCodes.Status201Created);
        }));
        api.MapDelete("/{name}", (HttpContext c, string name, Authenticator a, IndexService s, IndexRegistry r) => AsCallerAsync(c, a, admin: true, async _ =>
        {
            await s.DeleteAsync(name, n => r.CloseStoresAsync(n, CancellationToken.None), c.RequestAborted);
            await r.RefreshAsync(c.RequestAborted);
            return (IResult)TypedResults.NoContent();
        }));
        api.MapPut("/{name}/allowed/{project}", (HttpContext c, string name, string project, Authenticator a, IndexService s, IndexRegistry r) =>
            AsCallerAsync(c, a, admin: true, async _ => await AllowAsync(c, s, r, name, project, allowed: true)));
        api.MapDelete("/{name}/allowed/{project}", (HttpContext c, string name, string project, Authenticator a, IndexService s, IndexRegistry r) =>
            AsCallerAsync(c, a, admin: true, async _ => await AllowAsync(c, s, r, name, project, allowed: false)));
        api.MapPost("/{name}/promotions", (HttpContext c, string name, Authenticator a, IndexService s, ProjectPermissions p) => AsCallerAsync(c, a, admin: false, async caller =>
        {
            var body = await ReadAsync(c, IndexJsonContext.Default.PromoteBody, """{"project": "acme-utils", "version": "1.2.0", "from": "dev"}""");
            if (string.IsNullOrWhiteSpace(body.Project) || string.IsNullOrWhiteSpace(body.Version) || string.IsNullOrWhiteSpace(body.From))
            {
                throw new IndexProblemException(StatusCodes.Status400BadRequest, "A promotion needs project, version and from.");
            }

            if (!caller.IndexAllows(name == IndexService.DefaultName ? "" : name))
            {
                throw new IndexProblemException(StatusCodes.Status403Forbidden, caller.IndexRefusal(name == IndexService.DefaultName ? "" : name));
            }

            if (Packaging.ProjectName.IsValid(body.Project) && !await p.CanManageAsync(caller, Packaging.ProjectName.Normalize(body.Project), c.RequestAborted))
            {
                throw new IndexProblemException(StatusCodes.Status403Forbidden, $"User '{caller.UserName}' may not promote project '{body.Project}' (only its owners and admins may).");
            }

            if (name != IndexService.DefaultName && IndexService.UploadRefusal(await s.GetAsync(name, c.RequestAborted), caller.UserName, caller.IsAdmin) is { } refusal)
            {
                throw new IndexProblemException(StatusCodes.Status403Forbidden, refusal);
            }

            var promoted = await s.PromoteAsync(body.Project, body.Version, body.From, name, caller.UserName, c.RequestAborted);
            return (IResult)TypedResults.Json((IReadOnlyList<PromotionView>)[.. promoted.Select(PromotionView.Of)], IndexJsonContext.Default.IReadOnlyListPromotionView);
        }));
        return routes;
    }

    private static IResult View(IndexDefinition d) => TypedResults.Json(IndexView.Of(d), IndexJsonContext.Default.IndexView);

    private static async Task<IResult> AllowAsync(HttpContext c, IndexService s, IndexRegistry r, string name, string project, bool allowed)
    {
        var changed = await s.AllowAsync(name, project, allowed, c.RequestAborted);
        await r.RefreshAsync(c.RequestAborted);
        return View(changed);
    }

    private static async Task UploadAsync(HttpContext context, string index, IndexRegistry registry, ClutchOptions options, Authenticator authenticator,
        ProjectPermissions permissions, UploadFormReader reader, ILogger<UploadEndpoints.UploadUser> logger)
    {
        if (!registry.TryGet(index, out var runtime))
        {
            await PlainText.WriteAsync(context, StatusCodes.Status404NotFound, $"There is no index '{ProjectUrl.Show(index)}'.\n");
            return;
        }

        if (runtime.Storage is null || runtime.Committer is null)
        {
            await PlainText.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, $"Index '{index}' mirrors {IndexService.Redact(runtime.Definition.Upstream!)} and takes no uploads.\n");
            return;
        }

        await UploadEndpoints.UploadAsync(context, options, authenticator, permissions, reader,
            new UploadEndpoints.UploadTarget(runtime.Name, runtime.Storage.Catalog, runtime.Storage.DeletedFiles, runtime.Committer)
            {
                Refuse = caller => IndexService.UploadRefusal(runtime.Definition, caller.UserName, caller.IsAdmin),
            },
            logger);
    }

    /// <summary>Authenticates (Basic, as every API), checks admin when asked, runs <paramref name="body"/> and turns refusals into problem details.</summary>
    private static async Task<IResult> AsCallerAsync(HttpContext context, Authenticator authenticator, bool admin, Func<Caller, Task<IResult>> body)
    {
        var auth = await authenticator.AuthenticateAsync(context);
        if (AuthResponses.Problem(context, auth, "Managing indexes needs a user or an API token (username __token__).") is { } rejected)
        {
            return rejected;
        }

        var caller = auth.Caller!;
        if (admin && caller.TokenIndex is not null)
        {
            return Problem(StatusCodes.Status403Forbidden, "A token limited to one index cannot create, delete or change indexes.");
        }

        if (admin && !caller.IsAdmin)
        {
            return Problem(StatusCodes.Status403Forbidden, $"User '{caller.UserName}' is not an admin; only admins create, delete or change indexes.");
        }

        try
        {
            return await body(caller);
        }
        catch (IndexProblemException e)
        {
            return Problem(e.Status, e.Message);
        }
        catch (StorageUnavailableException e)
        {
            context.Response.Headers.RetryAfter = StorageFailures.RetryAfterSeconds;
            return Problem(StatusCodes.Status503ServiceUnavailable, "Storage unavailable, try again shortly: " + e.Message);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpContext context, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string example)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted)
                ?? throw new IndexProblemException(StatusCodes.Status400BadRequest, "The request body must be JSON like " + example);
        }
        catch (JsonException e)
        {
            throw new IndexProblemException(StatusCodes.Status400BadRequest, "The request body must be JSON like " + example + ": " + e.Message);
        }
    }

    private static ProblemHttpResult Problem(int status, string detail) => TypedResults.Problem(detail, statusCode: status);
}
