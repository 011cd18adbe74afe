using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Http;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Clutch.Upload;

/// <summary>
/// The twine-compatible upload API (<c>:action=file_upload</c>) at <c>POST /legacy/</c>, <c>/legacy</c>
/// and <c>/</c>. Never a redirect: twine aborts on one.
/// </summary>
public static class UploadEndpoints
{
    /// <summary>Room in the body for form fields and multipart framing beyond the file itself.</summary>
    public const long FormAllowance = UploadFormReader.MaxFieldBytes + 64 * 1024;

    public static IServiceCollection AddUpload(this IServiceCollection services)
    {
        services.AddSingleton<UploadTempFiles>();
        services.AddHostedService(sp => sp.GetRequiredService<UploadTempFiles>());
        services.AddSingleton<UploadFormReader>();
        services.AddSingleton<UploadCommitter>();
        services.TryAddSingleton<IndexerHints>();
        services.AddSingleton<DigestBackfill>();
        services.AddHostedService(sp => sp.GetRequiredService<DigestBackfill>());
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    public static IEndpointRouteBuilder MapUpload(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/legacy/", UploadToDefaultAsync);
        routes.MapPost("/", UploadToDefaultAsync);
        return routes;
    }

    private static Task UploadToDefaultAsync(HttpContext context, ClutchOptions options, Authenticator authenticator, ProjectPermissions permissions,
        UploadFormReader reader, UploadCommitter committer, IDeletedFiles deleted, ICatalog catalog, ILogger<UploadUser> logger) =>
        UploadAsync(context, options, authenticator, permissions, reader, new UploadTarget("", catalog, deleted, committer), logger);

    /// <summary>Takes one upload into <paramref name="target"/>: the default index's stores or another local index's.</summary>
    internal static async Task UploadAsync(HttpContext context, ClutchOptions options, Authenticator authenticator, ProjectPermissions permissions,
        UploadFormReader reader, UploadTarget target, ILogger<UploadUser> logger)
    {
        var (_, catalog, deleted, committer) = target;
        var cancellationToken = context.RequestAborted;
        var bodyLimit = options.MaxUploadBytes + FormAllowance;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = bodyLimit;
        }

        if (context.Request.ContentLength > bodyLimit)
        {
            await RejectAsync(context, logger, null, null, new UploadRejectedException(
                StatusCodes.Status413RequestEntityTooLarge, $"Upload of {context.Request.ContentLength} bytes is larger than the limit of {options.MaxUploadBytes} bytes."));
            return;
        }

        var auth = await authenticator.AuthenticateAsync(context);
        if (await AuthResponses.TryRejectAsync(context, auth, "Uploading needs a user or an API token (username __token__).\n"))
        {
            return;
        }

        var caller = auth.Caller!;
        if ((caller.IndexAllows(target.Index) ? target.Refuse?.Invoke(caller) : caller.IndexRefusal(target.Index)) is { } refusal)
        {
            await RejectAsync(context, logger, null, caller.UserName, new UploadRejectedException(StatusCodes.Status403Forbidden, refusal));
            return;
        }

        UploadForm? form = null;
        // The file's name as soon as its part begins, so a refusal before or while it streams names it in the log.
        string? filename = null;
        try
        {
            form = await reader.ReadAsync(context.Request, options.MaxUploadBytes, async early =>
            {
                filename = early.Filename;
                // Refuse before reading the file when the fields sent so far already say no.
                UploadValidator.CheckAction(early);
                UploadValidator.CheckFilename(early.Filename);
                if (early.Get("name") is { } name && ProjectName.IsValid(name)
                    && !await permissions.CanUploadAsync(caller, ProjectName.Normalize(name), cancellationToken))
                {
                    throw Forbidden(caller, ProjectName.Normalize(name));
                }
            }, cancellationToken);

            await UploadFormReader.CompleteSentDigestsAsync(form, cancellationToken);
            var parsed = UploadValidator.CheckForm(form);
            if (!await permissions.CanUploadAsync(caller, parsed.Project, cancellationToken))
            {
                throw Forbidden(caller, parsed.Project);
            }

            if (await deleted.FindAsync(parsed.Filename, cancellationToken) is not null)
            {
                throw UploadRejectedException.BadRequest($"Filename '{parsed.Filename}' was deleted and cannot be reused; upload a new version.");
            }

            if (await catalog.FindFileAsync(parsed.Filename, cancellationToken) is { } existing)
            {
                // Decided before the archive is opened: a CI retry costs no inspection, and other bytes
                // under a taken name are a conflict whatever they are.
                await WriteExistingAsync(context, existing, form.Digests!, parsed.Filename);
                return;
            }

            var inspection = await UploadValidator.InspectAsync(form, parsed, cancellationToken);
            var outcome = await committer.CommitAsync(form, new ValidatedUpload(parsed, form.Digests!, inspection), caller, cancellationToken);
            switch (outcome)
            {
                case CommitOutcome.Added:
                    await PlainText.WriteAsync(context, StatusCodes.Status200OK, $"Stored {parsed.Filename}.\n");
                    break;
                case CommitOutcome.AlreadyPresent:
                    await PlainText.WriteAsync(context, StatusCodes.Status200OK, AlreadyStored(parsed.Filename));
                    break;
                case CommitOutcome.Conflict:
                    throw Conflict(parsed.Filename);
                default:
                    throw Forbidden(caller, parsed.Project);
            }
        }
        catch (UploadRejectedException ex)
        {
            await RejectAsync(context, logger, form?.Filename ?? filename, caller.UserName, ex);
        }
        catch (Exception ex) when (StorageFull.Is(ex))
        {
            // Not the client's fault: 507, nothing kept (the temp file goes with the form, a stored
            // blob with the committer's undo), and no server path in the answer.
            await RejectAsync(context, logger, form?.Filename, caller.UserName, new UploadRejectedException(StatusCodes.Status507InsufficientStorage, StorageFull.Message));
        }
        catch (StorageUnavailableException ex)
        {
            // The catalog or the blob store is down: nothing was listed (the row is written last) and
            // the client may send the same file again.
            context.Response.Headers.RetryAfter = StorageFailures.RetryAfterSeconds;
            await RejectAsync(context, logger, form?.Filename, caller.UserName, new UploadRejectedException(StatusCodes.Status503ServiceUnavailable, "Storage unavailable, try again shortly: " + ex.Message));
        }
        catch (BadHttpRequestException ex)
        {
            var status = ex.StatusCode == StatusCodes.Status413RequestEntityTooLarge ? ex.StatusCode : StatusCodes.Status400BadRequest;
            var message = status == StatusCodes.Status413RequestEntityTooLarge
                ? $"Upload is larger than the limit of {options.MaxUploadBytes} bytes."
                : "Bad request body: " + ex.Message.ReplaceLineEndings(" ");
            await RejectAsync(context, logger, form?.Filename ?? filename, caller.UserName, new UploadRejectedException(status, message));
        }
        finally
        {
            form?.Dispose();
        }
    }

    private static Task WriteExistingAsync(HttpContext context, CatalogFile existing, FileDigests digests, string filename) =>
        string.Equals(existing.Sha256, digests.Sha256, StringComparison.OrdinalIgnoreCase)
            ? PlainText.WriteAsync(context, StatusCodes.Status200OK, AlreadyStored(filename))
            : throw Conflict(filename);

    private static string AlreadyStored(string filename) => $"{filename} is already stored with these exact bytes; nothing changed.\n";

    // twine --skip-existing recognises 409 (and the words "already exists").
    private static UploadRejectedException Conflict(string filename) =>
        new(StatusCodes.Status409Conflict, $"File already exists: '{filename}' is stored with different bytes.");

    private static UploadRejectedException Forbidden(Caller caller, ProjectName project) => new(
        StatusCodes.Status403Forbidden,
        caller.ScopeAllows(project)
            ? $"User '{caller.UserName}' may not upload to project '{project}' (ask its owner for 'clutch perm grant')."
            : $"This token is limited to project '{caller.TokenProject}', not '{project}'.");

    private static async Task RejectAsync(HttpContext context, ILogger logger, string? filename, string? user, UploadRejectedException ex)
    {
        // Before the file's part is reached there is no name to give; say so rather than print "?".
        UploadLog.Refused(logger, string.IsNullOrEmpty(filename) ? "(no file read)" : filename, user ?? "(not signed in)", ex.Status, ex.Message);
        if (context.Response.HasStarted)
        {
            return;
        }

        PlainText.SetReasonPhrase(context, ex.Message);
        if (ex.Status == StatusCodes.Status413RequestEntityTooLarge)
        {
            // The rest of the body is not read: close the connection rather than drain it.
            context.Response.Headers.Connection = "close";
        }

        await PlainText.WriteAsync(context, ex.Status, ex.Message + "\n");
    }

    /// <summary>Where an upload goes: an index ("" for the default), its catalog, its deleted filenames and its committer.</summary>
    internal sealed record UploadTarget(string Index, ICatalog Catalog, IDeletedFiles Deleted, UploadCommitter Committer)
    {
        /// <summary>The index's own refusal of a caller (one line), or null: its uploaders list.</summary>
        public Func<Caller, string?>? Refuse { get; init; }
    }

    /// <summary>Log category of the upload endpoints.</summary>
    internal sealed class UploadUser;
}
