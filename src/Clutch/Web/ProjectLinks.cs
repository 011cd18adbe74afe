using Clutch.Packaging;

namespace Clutch.Web;

/// <summary>A URL from metadata; <see cref="IsLink"/> false when it is only shown as text.</summary>
public sealed record ProjectLink(string Label, string Url, bool IsLink);

/// <summary>The URLs a project's metadata names: <c>Home-page</c>, <c>Download-URL</c>, then every <c>Project-URL</c> (<c>Label, URL</c>).</summary>
public static class ProjectLinks
{
    public static IReadOnlyList<ProjectLink> From(CoreMetadata? metadata)
    {
        if (metadata is null)
        {
            return [];
        }

        var links = new List<ProjectLink>();
        Add(links, "Homepage", metadata.Get("Home-page"));
        Add(links, "Download", metadata.Get("Download-URL"));
        foreach (var entry in metadata.GetAll("Project-URL"))
        {
            var comma = entry.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
            {
                Add(links, "Link", entry);
            }
            else
            {
                Add(links, entry[..comma].Trim() is { Length: > 0 } label ? label : "Link", entry[(comma + 1)..]);
            }
        }

        return links;
    }

    private static void Add(List<ProjectLink> links, string label, string? url)
    {
        url = url?.Trim();
        // setuptools writes "UNKNOWN" for a missing Home-page.
        if (string.IsNullOrEmpty(url) || url == "UNKNOWN")
        {
            return;
        }

        links.Add(new ProjectLink(label, url, SafeUrls.IsWebLink(url)));
    }
}
