using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Reads;

/// <summary>The files of one version of a project.</summary>
public sealed record Release(PackageVersion Version, IReadOnlyList<CatalogFile> Files)
{
    /// <summary>The release's key in the JSON APIs: the normalized form (legacy versions verbatim).</summary>
    public string Key => Version.Normalized;

    /// <summary>A release counts as yanked when every one of its files is.</summary>
    public bool Yanked => Files.All(f => f.Yanked);
}

/// <summary>
/// A project's files in the order every page shows them (by version in pip's order, then filename),
/// grouped into releases. Each version string is parsed once, here; pages, the JSON API and dev-build
/// retention all read the result.
/// </summary>
public static class ProjectReleases
{
    public static IReadOnlyList<Release> Group(IEnumerable<CatalogFile> files)
    {
        var array = files.ToArray();
        var versions = new PackageVersion[array.Length];
        for (var i = 0; i < array.Length; i++)
        {
            versions[i] = PackageVersion.Parse(array[i].Version);
        }

        var order = new int[array.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            var c = versions[a].CompareTo(versions[b]);
            return c != 0 ? c : string.CompareOrdinal(array[a].Filename, array[b].Filename);
        });

        var releases = new List<Release>();
        for (var start = 0; start < order.Length;)
        {
            var version = versions[order[start]];
            var end = start + 1;
            while (end < order.Length && versions[order[end]] == version)
            {
                end++;
            }

            var group = new CatalogFile[end - start];
            for (var i = start; i < end; i++)
            {
                group[i - start] = array[order[i]];
            }

            releases.Add(new Release(version, group));
            start = end;
        }

        return releases;
    }

    /// <summary>What a plain install would pick: the newest final, non-yanked release; else the newest.</summary>
    public static Release? Latest(IReadOnlyList<Release> releases)
    {
        for (var i = releases.Count - 1; i >= 0; i--)
        {
            if (!releases[i].Version.IsPrerelease && !releases[i].Yanked)
            {
                return releases[i];
            }
        }

        return releases.Count > 0 ? releases[^1] : null;
    }
}
