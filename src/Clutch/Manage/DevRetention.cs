using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Manage;

/// <summary>
/// The dev-build retention rule: per project, only the newest N versions that are pre-releases or
/// dev releases (by PEP 440 order, not upload time) are kept. Final releases, post-releases and
/// legacy (non-PEP 440) versions are never expired.
/// </summary>
public static class DevRetention
{
    /// <summary>The files of <paramref name="files"/> (one project) that retention would delete.</summary>
    public static IReadOnlyList<CatalogFile> Expired(IReadOnlyList<CatalogFile> files, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keep);
        var prereleases = files
            .Select(f => (File: f, Version: PackageVersion.Parse(f.Version)))
            .Where(x => x.Version.IsPrerelease)
            .ToList();
        var kept = prereleases.Select(x => x.Version).Distinct().OrderDescending().Take(keep).ToHashSet();
        return prereleases.Where(x => !kept.Contains(x.Version)).Select(x => x.File).ToList();
    }
}
