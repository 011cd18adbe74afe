using Clutch.Files;
using Clutch.Links;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Simple;
using Clutch.Storage;
using Clutch.Storage.Indexes;
using Clutch.Upload;

namespace Clutch.Indexes;

/// <summary>
/// One index other than the default, as the server answers it: its read path (source, page cache,
/// the same simple, links and file handlers the default index uses, with its own URL prefix) and,
/// for a local index, its stores and upload committer (owned by <see cref="IndexRegistry"/>).
/// </summary>
public sealed class IndexRuntime : IDisposable
{
    internal IndexRuntime(
        IndexDefinition definition,
        IProjectSource source,
        PageCache cache,
        PageResponder responder,
        IBlobStore blobs,
        IndexStorage? storage,
        UploadCommitter? committer,
        MirrorProjectSource? mirror)
    {
        Definition = definition;
        Source = source;
        Cache = cache;
        Blobs = blobs;
        Storage = storage;
        Committer = committer;
        Mirror = mirror;
        Simple = new SimplePages(cache, responder, "/" + definition.Name + SimplePages.Prefix);
        Links = new LinksPages(cache, responder, "/" + definition.Name + LinksPages.Prefix);
        Files = storage is null ? null : new FileLocator(cache, storage.Catalog);
    }

    public IndexDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>What the index shows: its own projects, then its bases' (see <see cref="InheritingProjectSource"/>).</summary>
    public IProjectSource Source { get; }

    public PageCache Cache { get; }

    public SimplePages Simple { get; }

    public LinksPages Links { get; }

    /// <summary>Finds the index's own files for download; null for an index that keeps no files of its own.</summary>
    public FileLocator? Files { get; }

    /// <summary>The index's part of the blob store.</summary>
    public IBlobStore Blobs { get; }

    /// <summary>The catalog and stores of a local index; null for a mirror.</summary>
    public IndexStorage? Storage { get; }

    /// <summary>The upstream a mirror index reads (its files are fetched through it); null for a local index.</summary>
    public MirrorProjectSource? Mirror { get; }

    /// <summary>Commits uploads into a local index; null for a mirror (which takes none).</summary>
    public UploadCommitter? Committer { get; }

    /// <summary>Drops the pages (the stores stay open: they outlive a runtime rebuilt for a changed definition).</summary>
    public void Dispose()
    {
        Cache.Dispose();
        (Source as IDisposable)?.Dispose();
    }
}
