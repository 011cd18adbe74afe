using Clutch.Pages;
using Clutch.Reads;
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
        var prereleases = ProjectReleases.Group(files).Where(r => r.Version.IsPrerelease).ToList();
        return prereleases.Take(Math.Max(0, prereleases.Count - keep)).SelectMany(r => r.Files).ToList();
    }
}
