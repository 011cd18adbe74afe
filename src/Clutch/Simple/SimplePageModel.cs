using Clutch.Packaging;
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
    /// <summary>Builds the page model. <paramref name="files"/> must be sorted by <see cref="FileOrder"/>.</summary>
    public static SimpleProjectPage Create(ProjectName name, IReadOnlyList<CatalogFile> files, string filesPrefix)
    {
        var entries = new SimpleFileEntry[files.Count];
        var versions = new List<string>();
        PackageVersion? last = null;
        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            entries[i] = new SimpleFileEntry(
                f.Filename,
                filesPrefix + FileUrls.EscapeKey(f.Path),
                f.Sha256,
                f.RequiresPython,
                f.MetadataSha256,
                f.Yanked,
                f.YankedReason,
                f.Size,
                f.UploadTime);
            var v = PackageVersion.Parse(f.Version);
            if (last is null || v != last)
            {
                versions.Add(v.Normalized);
                last = v;
            }
        }

        return new SimpleProjectPage(name, entries, versions);
    }
}

/// <summary>The root page: every project, by normalized name.</summary>
public sealed record SimpleIndexPage(IReadOnlyList<ProjectSummary> Projects);

/// <summary>The order files appear in on every page: by version (pip's order), then filename.</summary>
public static class FileOrder
{
    public static CatalogFile[] Sort(IEnumerable<CatalogFile> files)
    {
        var array = files.ToArray();
        var keys = new (PackageVersion Version, string Filename)[array.Length];
        for (var i = 0; i < array.Length; i++)
        {
            keys[i] = (PackageVersion.Parse(array[i].Version), array[i].Filename);
        }

        Array.Sort(keys, array, Comparer<(PackageVersion Version, string Filename)>.Create(static (a, b) =>
        {
            var c = a.Version.CompareTo(b.Version);
            return c != 0 ? c : string.CompareOrdinal(a.Filename, b.Filename);
        }));
        return array;
    }
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
