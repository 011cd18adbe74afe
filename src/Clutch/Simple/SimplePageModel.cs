using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Storage;

namespace Clutch.Simple;

/// <summary>One file on a project page; the one model both renderings (HTML, JSON) read.</summary>
public sealed record SimpleFileEntry(
    string Filename,
    string Url,
    string Sha256,
    string? RequiresPython,
    string? CoreMetadataSha256,
    bool Yanked,
    string? YankedReason,
    long Size,
    DateTimeOffset UploadTime);

/// <summary>A project page: PEP 503/691/700 data for one project, files ordered by version.</summary>
public sealed record SimpleProjectPage(ProjectName Name, IReadOnlyList<SimpleFileEntry> Files, IReadOnlyList<string> Versions)
{
    /// <summary>Builds the page model from releases in page order.</summary>
    public static SimpleProjectPage Create(ProjectName name, IReadOnlyList<Release> releases, FileHrefs hrefs)
    {
        var entries = new List<SimpleFileEntry>();
        var versions = new string[releases.Count];
        for (var r = 0; r < releases.Count; r++)
        {
            versions[r] = releases[r].Key;
            foreach (var f in releases[r].Files)
            {
                entries.Add(new SimpleFileEntry(
                    f.Filename,
                    hrefs.For(f),
                    f.Sha256,
                    f.RequiresPython,
                    f.MetadataSha256,
                    f.Yanked,
                    f.YankedReason,
                    f.Size,
                    f.UploadTime));
            }
        }

        return new SimpleProjectPage(name, entries, versions);
    }
}

/// <summary>The root page: every project, by normalized name.</summary>
public sealed record SimpleIndexPage(IReadOnlyList<ProjectSummary> Projects);

/// <summary>
/// Where a page links its files, relative to the page: its own index's files under <see cref="Own"/>
/// (<c>../../files/</c>), a base index's files (shown by an inheriting index) under that index's
/// <c>files/</c>, reached from the server root through <see cref="Root"/> (<c>../../../</c>).
/// </summary>
public readonly record struct FileHrefs(string Own, string Root)
{
    /// <summary>Pages that only list their own index's files.</summary>
    public static implicit operator FileHrefs(string own) => new(own, "");

    /// <summary>The URL of <paramref name="file"/> relative to the page.</summary>
    public string For(CatalogFile file) => file.FromIndex switch
    {
        null => Own + FileUrls.EscapeKey(file.Path),
        "" => Root + "files/" + FileUrls.EscapeKey(file.Path),
        var index => Root + index + "/files/" + FileUrls.EscapeKey(file.Path),
    };
}

/// <summary>URLs of stored files, relative to the page that links them.</summary>
public static class FileUrls
{
    /// <summary>Escapes each segment of a blob key for use in a URL path.</summary>
    public static string EscapeKey(string key)
    {
        if (!key.Contains('/'))
        {
            return Uri.EscapeDataString(key);
        }

        return string.Join('/', key.Split('/').Select(Uri.EscapeDataString));
    }
}
