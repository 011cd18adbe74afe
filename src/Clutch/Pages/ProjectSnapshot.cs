using System.Diagnostics.CodeAnalysis;
using Clutch.Files;
using Clutch.Links;
using Clutch.Packaging;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Pages;

/// <summary>
/// Everything served for one project on the hot paths, built from one catalog read: its rendered
/// pages and what downloads need of its files. The catalog rows themselves are not kept (at
/// 100,000 files they were most of the server's memory); the JSON API reads them through
/// <see cref="PageCache.GetDetailAsync"/>, which keeps them only while memory allows.
/// </summary>
public sealed class ProjectSnapshot
{
    private readonly WeakReference<ProjectDetail> _detail;
    private readonly Dictionary<string, FileDownload>.AlternateLookup<ReadOnlySpan<char>> _downloadsBySpan;

    public ProjectSnapshot(ProjectName name, ProjectDetail detail, MemoryBudget? budget = null, PageStore? store = null)
    {
        Name = name;
        _detail = new WeakReference<ProjectDetail>(detail);
        var files = detail.Files;
        var links = detail.Links;
        Exists = detail.Exists;
        ExpiresAt = detail.ExpiresAt;

        var downloads = new Dictionary<string, FileDownload>(files.Count, StringComparer.Ordinal);
        foreach (var f in files)
        {
            // A base's file is downloaded from the base's URL, never through this index.
            if (f.FromIndex is null)
            {
                downloads[f.Path] = new FileDownload(f);
            }
        }

        Downloads = downloads;
        _downloadsBySpan = downloads.GetAlternateLookup<ReadOnlySpan<char>>();

        // The model is not kept: at 100,000 files it would hold ~30 MB that no request reads.
        var hrefs = new FileHrefs("../../files/", "../../../");
        var model = SimpleProjectPage.Create(name, detail.Releases, hrefs);
        SimpleHtml = new RenderedPage(SimpleHtmlWriter.WriteProject(model), budget, store);
        SimpleJson = new RenderedPage(SimpleJsonWriter.WriteProject(model), budget, store);
        LinksHtml = new RenderedPage(LinksPageWriter.Write("Links for " + name.Value, files, links, hrefs), budget, store);
    }

    public ProjectName Name { get; }

    /// <summary>The project's files by blob key, as downloads need them.</summary>
    public IReadOnlyDictionary<string, FileDownload> Downloads { get; }

    /// <summary>A file's download record by its key as a span of the request path.</summary>
    public bool TryGetDownload(ReadOnlySpan<char> key, [NotNullWhen(true)] out FileDownload? download) =>
        _downloadsBySpan.TryGetValue(key, out download);

    public RenderedPage SimpleHtml { get; }

    public RenderedPage SimpleJson { get; }

    public RenderedPage LinksHtml { get; }

    /// <summary>True when the project has files or developer links.</summary>
    public bool Exists { get; }

    /// <summary>When the pages go stale by themselves (see <see cref="ProjectDetail.ExpiresAt"/>); null: only a change drops them.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The snapshot was dropped (its project changed): its pages count as replaced in the page store.</summary>
    internal void Release()
    {
        SimpleHtml.Release();
        SimpleJson.Release();
        LinksHtml.Release();
    }

    /// <summary>The rows this snapshot was built from, while nothing has needed their memory.</summary>
    internal bool TryGetDetail(out ProjectDetail detail) => _detail.TryGetTarget(out detail!);

    internal void SetDetail(ProjectDetail detail) => _detail.SetTarget(detail);
}

/// <summary>
/// The root pages, built from one catalog read. Their plain bytes are kept outside the page budget:
/// two pages per index (~60 bytes a project), and answering a 300 KB page from its gzip bytes would
/// inflate all of it on every request, which costs more than sending it.
/// </summary>
public sealed class RootSnapshot(IReadOnlyList<ProjectSummary> projects)
{
    public IReadOnlyList<ProjectSummary> Projects { get; } = projects;

    public RenderedPage SimpleHtml { get; } = new(SimpleHtmlWriter.WriteIndex(new SimpleIndexPage(projects)));

    public RenderedPage SimpleJson { get; } = new(SimpleJsonWriter.WriteIndex(new SimpleIndexPage(projects)));
}
