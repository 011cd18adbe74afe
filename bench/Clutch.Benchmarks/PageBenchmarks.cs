using BenchmarkDotNet.Attributes;
using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;

namespace Clutch.Benchmarks;

/// <summary>
/// Page rendering, the work done once per change: a 100-file project page and a 5,000-project
/// root, as HTML and JSON, and the <see cref="RenderedPage"/> step (gzip + ETag) on top.
/// </summary>
[MemoryDiagnoser]
public class PageBenchmarks
{
    private CatalogFile[] _files = [];
    private SimpleProjectPage _project = null!;
    private SimpleIndexPage _root = null!;
    private byte[] _projectHtml = [];
    private byte[] _rootHtml = [];

    [GlobalSetup]
    public void Setup()
    {
        _files = Corpus.ProjectFiles("bench-project", 100);
        _project = SimpleProjectPage.Create(ProjectName.Normalize("bench-project"), ProjectReleases.Group(_files), "../../files/");
        _root = new SimpleIndexPage(Corpus.Projects(5_000));
        _projectHtml = SimpleHtmlWriter.WriteProject(_project);
        _rootHtml = SimpleHtmlWriter.WriteIndex(_root);
    }

    [Benchmark(Description = "project (100 files): sort, group and model")]
    public SimpleProjectPage ProjectModel() =>
        SimpleProjectPage.Create(ProjectName.Normalize("bench-project"), ProjectReleases.Group(_files), "../../files/");

    [Benchmark(Description = "project (100 files): HTML")]
    public byte[] ProjectHtml() => SimpleHtmlWriter.WriteProject(_project);

    [Benchmark(Description = "project (100 files): JSON")]
    public byte[] ProjectJson() => SimpleJsonWriter.WriteProject(_project);

    [Benchmark(Description = "project (100 files): RenderedPage of HTML")]
    public RenderedPage ProjectRendered() => new(_projectHtml);

    [Benchmark(Description = "root (5,000 projects): HTML")]
    public byte[] RootHtml() => SimpleHtmlWriter.WriteIndex(_root);

    [Benchmark(Description = "root (5,000 projects): JSON")]
    public byte[] RootJson() => SimpleJsonWriter.WriteIndex(_root);

    [Benchmark(Description = "root (5,000 projects): RenderedPage of HTML")]
    public RenderedPage RootRendered() => new(_rootHtml);
}
