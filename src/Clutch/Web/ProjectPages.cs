using Clutch.Json;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;
using Clutch.Storage.Accounts;

namespace Clutch.Web;

/// <summary>
/// Builds the project and release pages' models from the read path the JSON API uses: the project's
/// detail from the <see cref="PageCache"/>, a release's core metadata from the <see cref="ReleaseMetadataCache"/>.
/// </summary>
public sealed class ProjectPages(PageCache cache, ReleaseMetadataCache metadata, ReadmeCache readmes, IAccountStore accounts)
{
    /// <summary>The project page, or null when the project is not in the index.</summary>
    public async Task<ProjectPageModel?> GetProjectAsync(ProjectName name, string baseUrl, CancellationToken cancellationToken)
    {
        var detail = await cache.GetDetailAsync(name);
        if (!detail.Exists)
        {
            return null;
        }

        var latest = ProjectReleases.Latest(detail.Releases);
        var core = latest is null ? null : await metadata.GetAsync(detail, latest, cancellationToken);
        var versions = detail.Releases
            .Reverse()
            .Select(r => new VersionRow(r.Version.Original, ReleaseUrl(name, r), r.Version.IsPrerelease, r.Yanked, r.Yanked ? r.Files[0].YankedReason : null))
            .ToList();
        var preOnly = latest is not null && latest.Version.IsPrerelease;
        return new ProjectPageModel(
            name.Value,
            await DisplayNameAsync(name),
            latest?.Version.Original,
            latest is null ? null : ReleaseUrl(name, latest),
            Facts(core, latest),
            InstallSnippets.For(baseUrl, name.Value, preOnly, detail.Links),
            versions,
            await PeopleAsync(name, cancellationToken));
    }

    /// <summary>The release page of <paramref name="release"/>, one of <paramref name="detail"/>'s.</summary>
    public async Task<ReleasePageModel> GetReleaseAsync(ProjectName name, Release release, ProjectDetail detail, string baseUrl, CancellationToken cancellationToken)
    {
        var core = await metadata.GetAsync(detail, release, cancellationToken);
        var latest = ProjectReleases.Latest(detail.Releases);
        var files = release.Files
            .Select(f => new FileRow(
                f.Filename, "/files/" + FileUrls.EscapeKey(f.Path), f.Size, f.Sha256, f.Type.ToPackageType(), f.PythonTag, f.UploadTime, f.Uploader, f.Yanked, f.YankedReason))
            .ToList();
        var pin = release.Version.IsValid ? $"{name.Value}=={release.Version.Normalized}" : $"{name.Value}==={release.Version.Original}";
        return new ReleasePageModel(
            name.Value,
            await DisplayNameAsync(name),
            release.Version.Original,
            release.Version.IsPrerelease,
            release.Yanked,
            release.Yanked ? release.Files[0].YankedReason : null,
            ReferenceEquals(release, latest),
            Facts(core, release),
            $"pip install --index-url {baseUrl}/simple/ \"{pin}\"",
            files);
    }

    /// <summary>The URL of a release page (the version in its normalized form, escaped).</summary>
    public static string ReleaseUrl(ProjectName name, Release release) => $"/project/{name.Value}/{Uri.EscapeDataString(release.Key)}/";

    /// <summary>The name as its authors spell it (as the index's project list records it), else the normalized one.</summary>
    public async Task<string> DisplayNameAsync(ProjectName name)
    {
        // The list is ordered by the catalog's collation, which need not be ordinal: a scan, not a binary search.
        foreach (var p in (await cache.GetRootAsync()).Projects)
        {
            if (p.Name == name)
            {
                return p.DisplayName;
            }
        }

        return name.Value;
    }

    private MetadataFacts Facts(CoreMetadata? core, Release? release)
    {
        // What the catalog keeps per file stands in when the metadata cannot be read.
        var summary = core?.Summary ?? release?.Files.Select(f => f.Summary).FirstOrDefault(s => s is not null);
        var requiresPython = core?.RequiresPython ?? release?.Files.Select(f => f.RequiresPython).FirstOrDefault(r => r is not null);
        return new MetadataFacts(
            summary,
            requiresPython,
            core?.RequiresDist ?? [],
            Person(core, "Author", "Author-email"),
            Person(core, "Maintainer", "Maintainer-email"),
            NonEmpty(core?.Get("License-Expression") ?? core?.Get("License")),
            ProjectLinks.From(core),
            core is null ? null : readmes.Get(core));
    }

    private static string? Person(CoreMetadata? core, string nameField, string emailField)
    {
        var who = NonEmpty(core?.Get(nameField));
        var email = NonEmpty(core?.Get(emailField));
        return who is null ? email : email is null ? who : $"{who} <{email}>";
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) || value == "UNKNOWN" ? null : value.Trim();

    private async Task<ProjectPeople> PeopleAsync(ProjectName name, CancellationToken cancellationToken)
    {
        var roles = await accounts.GetProjectRolesAsync(name, cancellationToken);
        return new ProjectPeople(
            roles.Where(r => r.Role == ProjectRoleKind.Owner).Select(r => r.UserName).Order(StringComparer.Ordinal).ToList(),
            roles.Where(r => r.Role == ProjectRoleKind.Maintainer).Select(r => r.UserName).Order(StringComparer.Ordinal).ToList());
    }
}
