using Clutch.Links;
using Clutch.Packaging;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Pages;

/// <summary>Everything served for one project, built from one catalog read.</summary>
public sealed class ProjectSnapshot
{
    public ProjectSnapshot(ProjectName name, IReadOnlyList<CatalogFile> files, IReadOnlyList<DeveloperLink> links)
    {
        Name = name;
        Releases = ProjectReleases.Group(files);
        Files = Releases.SelectMany(r => r.Files).ToArray();
        Links = links;
        var byPath = new Dictionary<string, CatalogFile>(Files.Count, StringComparer.Ordinal);
        foreach (var f in Files)
        {
            byPath[f.Path] = f;
        }

        ByPath = byPath;

        // The model is not kept: at 100,000 files it would hold ~30 MB that no request reads.
        var model = SimpleProjectPage.Create(name, Releases, "../../files/");
        SimpleHtml = new RenderedPage(SimpleHtmlWriter.WriteProject(model));
        SimpleJson = new RenderedPage(SimpleJsonWriter.WriteProject(model));
        LinksHtml = new RenderedPage(LinksPageWriter.Write("Links for " + name.Value, Files, links, "../../files/"));
    }

    public ProjectName Name { get; }

    /// <summary>The files grouped by version, oldest first.</summary>
    public IReadOnlyList<Release> Releases { get; }

    /// <summary>Files in page order (by version, then filename).</summary>
    public IReadOnlyList<CatalogFile> Files { get; }

    public IReadOnlyList<DeveloperLink> Links { get; }

    public IReadOnlyDictionary<string, CatalogFile> ByPath { get; }

    public RenderedPage SimpleHtml { get; }

    public RenderedPage SimpleJson { get; }

    public RenderedPage LinksHtml { get; }

    /// <summary>True when the project has files or developer links.</summary>
    public bool Exists => Files.Count > 0 || Links.Count > 0;
}

/// <summary>The root pages, built from one catalog read.</summary>
public sealed class RootSnapshot(IReadOnlyList<ProjectSummary> projects)
{
    public IReadOnlyList<ProjectSummary> Projects { get; } = projects;

    public RenderedPage SimpleHtml { get; } = new(SimpleHtmlWriter.WriteIndex(new SimpleIndexPage(projects)));

    public RenderedPage SimpleJson { get; } = new(SimpleJsonWriter.WriteIndex(new SimpleIndexPage(projects)));
}
