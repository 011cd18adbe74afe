namespace Clutch.Web;

/// <summary>One file on a release page.</summary>
/// <param name="Url">The download URL, the same one the simple page links.</param>
public sealed record FileRow(
    string Filename, string Url, long Size, string Sha256, string Type, string? PythonTag, DateTimeOffset UploadTime, string? Uploader,
    bool Yanked, string? YankReason)
{
    /// <summary>The size for people: bytes, KiB or MiB with one decimal.</summary>
    public string SizeText => Size switch
    {
        < 1024 => $"{Size} B",
        < 1024 * 1024 => $"{Size / 1024.0:0.0} KiB",
        _ => $"{Size / (1024.0 * 1024):0.0} MiB",
    };

    /// <summary>The upload time in UTC, to the minute (the full time is in the element's datetime attribute).</summary>
    public string UploadTimeText => Times.Text(UploadTime);

    public string UploadTimeIso => Times.Iso(UploadTime);
}

/// <summary>The release page: <c>/project/{name}/{version}/</c>.</summary>
public sealed record ReleasePageModel(
    string Name,
    string DisplayName,
    string Version,
    bool PreRelease,
    bool Yanked,
    string? YankReason,
    bool IsLatest,
    MetadataFacts Facts,
    string InstallLine,
    IReadOnlyList<FileRow> Files)
{
    /// <summary>Whether the signed-in user may yank, unyank and delete this release (an owner or an admin).</summary>
    public bool CanManage { get; init; }

    /// <summary>This page's URL; the owner actions' confirmation pages are under it (<c>yank</c>, <c>unyank</c>, <c>delete</c>).</summary>
    public string ActionBase { get; init; } = "";
}

/// <summary>A 404 page: what was not found, in one sentence.</summary>
public sealed record NotFoundModel(string Message);
