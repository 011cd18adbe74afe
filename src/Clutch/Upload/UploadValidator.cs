using Clutch.Packaging;

namespace Clutch.Upload;

/// <summary>A distribution that passed every check: its parsed filename, digests and what its archive says.</summary>
public sealed record ValidatedUpload(DistributionFilename Name, FileDigests Digests, InspectionResult? Inspection);

/// <summary>
/// The checks on a received upload: the action, the filename, the form against the filename, every
/// digest the client sent, and the archive itself (its metadata must agree with its name).
/// </summary>
public static class UploadValidator
{
    private static readonly (string Field, Func<FileDigests, string> Actual)[] DigestFields =
    [
        ("sha256_digest", d => d.Sha256),
        ("md5_digest", d => d.Md5),
        ("blake2_256_digest", d => d.Blake2b256),
    ];

    /// <summary>Checks that can run on the fields alone, before the file is read.</summary>
    public static void CheckAction(UploadForm form)
    {
        var action = form[":action"];
        if (action is not null && action != "file_upload")
        {
            throw UploadRejectedException.BadRequest($"Unsupported :action '{action}'; this index takes 'file_upload'.");
        }
    }

    /// <summary>Refuses names that could be a path: separators, '..', control characters, a leading dot.</summary>
    public static string CheckFilename(string? filename)
    {
        if (string.IsNullOrEmpty(filename))
        {
            throw UploadRejectedException.BadRequest("The 'content' file has no filename.");
        }

        if (filename.Contains('/') || filename.Contains('\\') || filename.Contains("..", StringComparison.Ordinal)
            || filename[0] == '.' || filename.Any(char.IsControl) || filename.Length > 255)
        {
            throw UploadRejectedException.BadRequest($"Invalid filename '{Printable(filename)}': no paths, '..' or control characters.");
        }

        return filename;
    }

    /// <summary>Everything but the archive: names, versions, type and digests agree.</summary>
    public static DistributionFilename CheckForm(UploadForm form)
    {
        if (form[":action"] is null)
        {
            throw UploadRejectedException.BadRequest("Missing form field ':action' (expected 'file_upload').");
        }

        CheckAction(form);
        if (form.TempPath is null || form.Digests is null)
        {
            throw UploadRejectedException.BadRequest("Missing file part 'content'.");
        }

        var filename = CheckFilename(form.Filename);
        var formName = form.Require("name");
        var formVersion = form.Require("version");
        if (!ProjectName.IsValid(formName))
        {
            throw UploadRejectedException.BadRequest($"Invalid project name '{Printable(formName)}'.");
        }

        var project = ProjectName.Normalize(formName);
        if (!DistributionFilename.TryParse(filename, project, out var parsed, out var error))
        {
            throw UploadRejectedException.BadRequest($"Invalid distribution filename '{filename}': {error}.");
        }

        if (parsed!.Project != project)
        {
            throw UploadRejectedException.BadRequest($"Filename '{filename}' is for project '{parsed.Project}', but the form says '{formName}'.");
        }

        if (PackageVersion.Parse(formVersion) != parsed.Version)
        {
            throw UploadRejectedException.BadRequest($"Filename '{filename}' has version '{parsed.Version.Original}', but the form says '{formVersion}'.");
        }

        if (form.Get("filetype") is { } filetype && filetype != parsed.PackageType)
        {
            throw UploadRejectedException.BadRequest($"Filename '{filename}' is a {parsed.PackageType}, but the form says filetype '{filetype}'.");
        }

        foreach (var (field, actual) in DigestFields)
        {
            if (form.Get(field) is { } sent && !string.Equals(sent, actual(form.Digests), StringComparison.OrdinalIgnoreCase))
            {
                throw UploadRejectedException.BadRequest($"The {field} sent does not match the uploaded file '{filename}' (got {actual(form.Digests)}).");
            }
        }

        return parsed;
    }

    /// <summary>Opens the archive: a wheel's METADATA (or an sdist's or egg's PKG-INFO) must name this distribution.</summary>
    public static async Task<InspectionResult?> InspectAsync(UploadForm form, DistributionFilename name, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(form.TempPath!, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            var result = await ArchiveInspector.InspectAsync(stream, name, ArchiveLimits.Default, form.ZipScan, cancellationToken);
            if (result is not null && name.Type == DistributionType.Egg)
            {
                // The inspector checks wheels and sdists against their filename; eggs are checked here.
                var metadata = result.Metadata;
                if (metadata.Name is { } n && !name.Project.Matches(n.Trim()))
                {
                    throw UploadRejectedException.BadRequest($"'{name.Filename}': EGG-INFO/PKG-INFO says Name '{n}' but the filename says '{name.RawName}'.");
                }
            }

            return result;
        }
        catch (InvalidArchiveException ex)
        {
            throw UploadRejectedException.BadRequest(ex.Message);
        }
    }

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
