using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Json;

/// <summary>The files of one version of a project.</summary>
public sealed record Release(PackageVersion Version, IReadOnlyList<CatalogFile> Files)
{
    /// <summary>The release's key in the JSON API: the normalized form (legacy versions verbatim).</summary>
    public string Key => Version.Normalized;

    /// <summary>A release counts as yanked when every one of its files is.</summary>
    public bool Yanked => Files.All(f => f.Yanked);
}

/// <summary>Groups a project's files (already in page order) into releases.</summary>
public static class ProjectReleases
{
    public static IReadOnlyList<Release> Group(IReadOnlyList<CatalogFile> filesInOrder)
    {
        var releases = new List<Release>();
        PackageVersion? current = null;
        List<CatalogFile>? files = null;
        foreach (var f in filesInOrder)
        {
            var v = PackageVersion.Parse(f.Version);
            if (current is null || v != current)
            {
                if (files is not null)
                {
                    releases.Add(new Release(current!, files));
                }

                current = v;
                files = [];
            }

            files!.Add(f);
        }

        if (files is not null)
        {
            releases.Add(new Release(current!, files));
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
