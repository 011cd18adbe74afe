using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Enumeration;
using Clutch.Packaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Clutch.Storage.Folder;

/// <summary>
/// Keeps the catalog in step with the operator's folder: "drop a file in, it is installable".
/// A full scan compares one directory enumeration with one catalog read and hashes only files whose
/// size, modification time, inode or ctime changed; <see cref="IndexPathsAsync"/> re-indexes just the paths a
/// watcher reported. Passes never overlap.
/// </summary>
public sealed partial class FolderIndexer
{
    private static readonly EnumerationOptions Enumeration = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = 0, // dot-files are skipped by name below, not as "hidden"
        ReturnSpecialDirectories = false,
    };

    private readonly FolderIndexerOptions _options;
    private readonly ICatalog _catalog;
    private readonly IFolderIndexCatalog _bookkeeping;
    private readonly IBlobStore _blobs;
    private readonly ILogger<FolderIndexer> _logger;
    private readonly TimeProvider _time;
    private readonly IndexerHints _hints;

    /// <summary>Orders changes to the catalog: scans apply under it, watcher batches index under it.</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>One scan at a time (its walk runs outside <see cref="_gate"/>).</summary>
    private readonly SemaphoreSlim _walkGate = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.Ordinal);

    /// <summary>Archives that did not open, as last seen: waiting for their quiet period before being listed.</summary>
    private readonly ConcurrentDictionary<string, DiskFile> _unsettled = new(StringComparer.Ordinal);
    private int _hashCount;

    public FolderIndexer(
        IOptions<FolderIndexerOptions> options, ICatalog catalog, IFolderIndexCatalog bookkeeping, IBlobStore blobs,
        ILogger<FolderIndexer>? logger = null, TimeProvider? time = null, IndexerHints? hints = null)
    {
        _hints = hints ?? new IndexerHints();
        _options = options.Value;
        _catalog = catalog;
        _bookkeeping = bookkeeping;
        _blobs = blobs;
        _logger = logger ?? NullLogger<FolderIndexer>.Instance;
        _time = time ?? TimeProvider.System;
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_options.Root));
    }

    /// <summary>The folder, as a full path.</summary>
    public string Root { get; }

    /// <summary>What uploads and downloads tell this indexer (held paths, files to look at again).</summary>
    public IndexerHints Hints => _hints;

    /// <summary>Tests only: runs between a scan's walk and its changes, where the watcher may act.</summary>
    internal Func<Task>? AfterWalk { get; set; }

    /// <summary>Files hashed since this indexer was created (proves that unchanged files are not re-read).</summary>
    internal int HashCount => Volatile.Read(ref _hashCount);

    /// <summary>
    /// Full reconcile of the folder against the catalog. The walk (reading the recorded states and
    /// a stat of every file: ~1 s at 100,000 files) changes nothing and runs outside the gate that
    /// orders changes, so a file dropped in meanwhile is indexed by the watcher at once instead of
    /// waiting for the whole walk before it is listed. What the walk found is applied under the gate,
    /// checked again where the catalog or the disk may have moved since: a row the walk did not see is
    /// removed only if its file is still gone, and a file the walk found new or changed is skipped
    /// when the catalog now records it as it is.
    /// </summary>
    public async Task<IndexResult> ScanAsync(IProgress<IndexProgress>? progress, CancellationToken cancellationToken)
    {
        await _walkGate.WaitAsync(cancellationToken);
        var catalogChanged = 0;
        void OnCatalogChanged(object? sender, CatalogChangedEventArgs e) => Volatile.Write(ref catalogChanged, 1);
        _catalog.Changed += OnCatalogChanged;
        var gated = false;
        try
        {
            var stopwatch = Stopwatch.StartNew();
            // The no-change path: one light catalog read and one directory enumeration, no file opened.
            // A recorded file found unchanged is matched by its path as a span inside the enumeration
            // and never becomes a string or an entry of any list: at 100,000 files that was 100,000
            // path strings per reconcile (every minute), on top of the rows read (see FileStateTable).
            using var states = await _bookkeeping.GetFileStatesAsync(cancellationToken);
            using var scan = new ScanMarks(states);
            var changed = new List<DiskFile>();
            var linksFiles = new List<string>();

            // The walk (a stat per file: ~0.5 s of CPU at 100,000 files) runs on a thread of its own at
            // a lower priority: it holds no thread-pool worker for that long, and when the cores are
            // busy they go to the requests first. The thread ends with the walk, its priority with it.
            // What a reconcile still costs requests served meanwhile is mostly the collections its
            // garbage starts, which FileStateTable and the span matching above keep small.
            await Task.Factory.StartNew(
                () =>
                {
                    BackgroundPriority.LowerCurrentThread();
                    foreach (var file in EnumerateFiles(Root, scan))
                    {
                        if (IsLinksFile(file.Path))
                        {
                            linksFiles.Add(file.Path);
                        }
                        else
                        {
                            changed.Add(file);
                        }
                    }
                },
                cancellationToken,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);

            if (AfterWalk is { } afterWalk)
            {
                await afterWalk();
            }

            await _gate.WaitAsync(cancellationToken);
            gated = true;
            var recheck = Volatile.Read(ref catalogChanged) == 1;
            var (seen, kept, onDisk, unchanged) = (scan.Seen, scan.Kept, scan.OnDisk, scan.Unchanged);
            progress?.Report(new IndexProgress("scanning", onDisk, changed.Count, 0));
            var candidates = new List<Candidate>();
            var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
            var skipped = 0;
            var held = new List<string>();
            changed.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
            foreach (var file in changed)
            {
                // The row recorded under this filename now, asked per changed file (a map of every
                // recorded filename cost 100,000 strings whenever a reconcile found one new file).
                var filename = FileName(file.Path);
                var row = states.IndexOf(file.Path);
                if (_hints.IsHeld(file.Path))
                {
                    // An upload is putting this file in place and writes its row itself: asked again
                    // once it is done (its row then records this very file). Asked before the catalog.
                    held.Add(file.Path);
                    if (row >= 0)
                    {
                        kept[row] = true;
                    }

                    continue;
                }

                var recorded = states.Count == 0 && !recheck ? null : await _catalog.FindFileAsync(filename, cancellationToken);
                if (file.IsRecordedBy(recorded))
                {
                    // Recorded since the walk read the states (an upload, or the watcher): nothing to do.
                    if (row >= 0)
                    {
                        kept[row] = true;
                    }

                    unchanged++;
                    continue;
                }

                // Filenames are unique in the index: a file already served from another path that is
                // still there keeps its place; the first of two new copies wins.
                var knownPath = recorded?.Path;
                var other = knownPath is not null && knownPath != file.Path
                    && states.IndexOf(knownPath) is var knownIndex and >= 0 && seen[knownIndex]
                    ? knownPath
                    : claimed.GetValueOrDefault(filename);
                if (other is not null)
                {
                    WarnOnce(file.Path, () => FolderIndexerLog.DuplicateFilename(_logger, file.Path, other));
                    skipped++;
                    continue;
                }

                if (TryParse(file.Path) is not { } name)
                {
                    skipped++;
                    continue;
                }

                claimed[filename] = file.Path;
                if (row >= 0)
                {
                    kept[row] = true;
                }

                // The recorded row, here or at the place the file was moved from: same bytes keep their upload time.
                candidates.Add(new Candidate(file.Path, name, recorded));
            }

            var removed = new List<string>();
            for (var i = 0; i < states.Count; i++)
            {
                // A row whose file the walk did not see but which is there now was written after the
                // walk passed its folder (a replace, an upload): the watcher has it, it stays.
                if (!kept[i] && states.PathAt(i) is var path && (seen[i] || !File.Exists(FullPath(path))))
                {
                    removed.Add(path);
                }
            }

            await RemoveAsync(removed, cancellationToken);
            var (indexed, deferred) = await IndexCandidatesAsync(candidates, progress, onDisk, watched: false, cancellationToken);
            await ReconcileLinksAsync(linksFiles, cancellationToken);

            // Every reconcile (each minute) logs its summary only when it changed something.
            var level = indexed + removed.Count > 0 ? LogLevel.Information : LogLevel.Debug;
            FolderIndexerLog.ScanCompleted(_logger, level, Root, indexed, unchanged, removed.Count, skipped, stopwatch.ElapsedMilliseconds);
            deferred.AddRange(held);
            return new IndexResult(indexed, unchanged, removed.Count, skipped, deferred, false);
        }
        finally
        {
            _catalog.Changed -= OnCatalogChanged;
            if (gated)
            {
                _gate.Release();
            }

            _walkGate.Release();
        }
    }

    /// <summary>
    /// Re-indexes the given paths (relative to the root, '/' or OS separators): new or changed files
    /// are hashed, vanished ones removed, directories indexed as a whole.
    /// </summary>
    public async Task<IndexResult> IndexPathsAsync(IEnumerable<string> relativePaths, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var entries = new SortedDictionary<string, DiskFile?>(StringComparer.Ordinal);
            foreach (var raw in relativePaths)
            {
                var path = raw.Replace('\\', '/').Trim('/');
                if (path.Length == 0 || IsIgnored(path))
                {
                    continue;
                }

                var full = FullPath(path);
                if (Directory.Exists(full))
                {
                    foreach (var file in EnumerateFiles(full))
                    {
                        entries[file.Path] = file;
                    }

                    if (LooksLikeDistribution(path))
                    {
                        entries.TryAdd(path, null); // a folder where a listed file was: the file is gone
                    }
                }
                else
                {
                    entries[path] = Stat(path);
                }
            }

            var removals = new List<string>();
            var candidates = new List<Candidate>();
            var linksFiles = new List<string>();
            int unchanged = 0, skipped = 0;
            var needsReconcile = false;
            var held = new List<string>();
            foreach (var (path, disk) in entries)
            {
                if (IsLinksFile(path))
                {
                    linksFiles.Add(path);
                    continue;
                }

                if (disk is not null && _hints.IsHeld(path))
                {
                    // An upload is putting this file in place and writes its row itself: asked again
                    // once it is done. Asked after the file was seen and before the catalog is read, so
                    // a hold already released means the upload's row is there to be read.
                    held.Add(path);
                    continue;
                }

                var row = await _catalog.FindFileAsync(FileName(path), cancellationToken);
                if (disk is not { } file)
                {
                    if (row?.Path == path)
                    {
                        removals.Add(path);
                    }
                    else if (row is null && !LooksLikeDistribution(path))
                    {
                        needsReconcile = true; // perhaps a directory moved away: only a full scan knows what was in it
                    }

                    continue;
                }

                if (file.IsRecordedBy(row))
                {
                    if (CannotRead(path))
                    {
                        removals.Add(path); // listed but unreadable (a download reported it): not listed until it can be read
                        continue;
                    }

                    unchanged++;
                    continue;
                }

                if (row is not null && row.Path != path)
                {
                    if (File.Exists(FullPath(row.Path)))
                    {
                        WarnOnce(path, () => FolderIndexerLog.DuplicateFilename(_logger, path, row.Path));
                        skipped++;
                        continue;
                    }

                    removals.Add(row.Path); // moved: the old place is gone
                }

                if (TryParse(path) is not { } name)
                {
                    skipped++;
                    continue;
                }

                candidates.Add(new Candidate(path, name, row));
            }

            await RemoveAsync(removals, cancellationToken);
            var (indexed, deferred) = await IndexCandidatesAsync(candidates, null, entries.Count, watched: true, cancellationToken);
            if (linksFiles.Count > 0)
            {
                await UpdateLinksAsync(linksFiles, cancellationToken);
            }

            deferred.AddRange(held);
            return new IndexResult(indexed, unchanged, removals.Count, skipped, deferred, needsReconcile);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The relative path of a full path under the root, or null when it is outside or ignored.</summary>
    internal string? ToRelative(string fullPath)
    {
        if (fullPath.Length <= Root.Length + 1
            || !fullPath.StartsWith(Root, StringComparison.Ordinal)
            || fullPath[Root.Length] != Path.DirectorySeparatorChar)
        {
            return null;
        }

        var relative = fullPath[(Root.Length + 1)..].Replace('\\', '/');
        return IsIgnored(relative) ? null : relative;
    }

    /// <summary>Dot-files and dot-directories (including <c>.clutch/</c> and its temp area) are never indexed.</summary>
    internal static bool IsIgnored(string relativePath)
    {
        foreach (var segment in relativePath.Split('/'))
        {
            if (segment.Length == 0 || segment[0] == '.')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The files under <paramref name="directory"/>. With <paramref name="scan"/>, recorded files whose
    /// size and modification time still match their row are marked there by the filter itself, their
    /// path compared as a span, and never returned (nor made into strings): a reconcile gets only new,
    /// changed and links files.
    /// </summary>
    private IEnumerable<DiskFile> EnumerateFiles(string directory, ScanMarks? scan = null)
    {
        var rootLength = Root.Length;
        var buffer = new char[256];
        var fullBuffer = new char[512];
        FileStatus status = default;

        // One stat per file, by our own statx (the entry's Length and LastWriteTimeUtc would be a
        // stat of the runtime's, without inode and ctime): the filter keeps its result for the transform.
        bool Include(ref FileSystemEntry entry)
        {
            if (entry.IsDirectory || IsDotName(entry.FileName)
                || FileStat.Of(FullPath(entry.Directory, entry.FileName, ref fullBuffer)) is not { IsRegularFile: true } found)
            {
                return false; // a FIFO or device is never a package (opening a FIFO would block)
            }

            status = found;
            return scan is null || !scan.KeepIfUnchanged(RelativePath(entry.Directory, entry.FileName, rootLength, ref buffer), found);
        }

        return new FileSystemEnumerable<DiskFile>(
            directory,
            (ref FileSystemEntry entry) => new DiskFile(RelativePath(entry.Directory, entry.FileName, rootLength, ref buffer).ToString(), status),
            Enumeration)
        {
            ShouldIncludePredicate = Include,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => !IsDotName(entry.FileName),
        };
    }

    /// <summary><paramref name="directory"/>/<paramref name="fileName"/> written into <paramref name="buffer"/> (grown when too small).</summary>
    private static ReadOnlySpan<char> FullPath(ReadOnlySpan<char> directory, ReadOnlySpan<char> fileName, ref char[] buffer)
    {
        var length = directory.Length + 1 + fileName.Length;
        if (buffer.Length < length)
        {
            buffer = new char[Math.Max(length, buffer.Length * 2)];
        }

        directory.CopyTo(buffer);
        buffer[directory.Length] = Path.DirectorySeparatorChar;
        fileName.CopyTo(buffer.AsSpan(directory.Length + 1));
        return buffer.AsSpan(0, length);
    }

    /// <summary>
    /// A file's path relative to the root, '/'-separated, written into <paramref name="buffer"/>
    /// (grown when too small); a span of the file name itself for files at the root.
    /// </summary>
    private static ReadOnlySpan<char> RelativePath(ReadOnlySpan<char> directory, ReadOnlySpan<char> fileName, int rootLength, ref char[] buffer)
    {
        if (directory.Length <= rootLength)
        {
            return fileName;
        }

        var folder = directory[(rootLength + 1)..];
        var length = folder.Length + 1 + fileName.Length;
        if (buffer.Length < length)
        {
            buffer = new char[Math.Max(length, buffer.Length * 2)];
        }

        var path = buffer.AsSpan(0, length);
        folder.CopyTo(path);
        path[folder.Length] = '/';
        fileName.CopyTo(path[(folder.Length + 1)..]);
        if (Path.DirectorySeparatorChar != '/')
        {
            path[..folder.Length].Replace(Path.DirectorySeparatorChar, '/');
        }

        return path;
    }

    private static bool IsDotName(ReadOnlySpan<char> name) => name.Length > 0 && name[0] == '.';

    private static bool IsLinksFile(string path) => path.EndsWith(DeveloperLinks.FileExtension, StringComparison.OrdinalIgnoreCase);

    private static string FileName(string path) => path[(path.LastIndexOf('/') + 1)..];

    private string FullPath(string relativePath) => Path.Combine(Root, relativePath);

    /// <summary>The file at <paramref name="relativePath"/>, or null when there is none (or only something that is not a regular file).</summary>
    private DiskFile? Stat(string relativePath) =>
        FileStat.Of(FullPath(relativePath)) is { IsRegularFile: true } status ? new DiskFile(relativePath, status) : null;

    /// <summary>Parses a file's name, using its folder as the known project; warns once per unrecognized path.</summary>
    private DistributionFilename? TryParse(string path)
    {
        var filename = FileName(path);
        var slash = path.LastIndexOf('/');
        ProjectName? folder = null;
        if (slash > 0)
        {
            var parent = path[..slash];
            folder = ProjectName.Normalize(parent[(parent.LastIndexOf('/') + 1)..]);
        }

        if (DistributionFilename.TryParse(filename, folder, out var result, out var error)
            || (folder is not null && DistributionFilename.TryParse(filename, null, out result, out _)))
        {
            // Its project page would be a 404 (the URL names no valid project), and pip refuses such
            // a name as a requirement: listing it would publish a file nobody can reach.
            if (ProjectName.IsValid(result!.Project.Value))
            {
                return result;
            }

            error = $"'{result.RawName}' is not a valid project name (PEP 508)";
        }

        WarnOnce(path, () => FolderIndexerLog.UnrecognizedFile(_logger, path, error ?? "unrecognized"));
        return null;
    }

    /// <summary>
    /// True (warned once) when the file is there but this process cannot open it (permissions):
    /// it is not listed, as nothing could be served. The next reconcile lists it once readable.
    /// </summary>
    private bool CannotRead(string path)
    {
        try
        {
            File.OpenHandle(FullPath(path), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete).Dispose();
            return false;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // gone meanwhile: its own event removes it
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WarnOnce(path, () => FolderIndexerLog.ReadFailed(_logger, path, ex.Message));
            return true;
        }
    }

    private static bool LooksLikeDistribution(string path) => DistributionFilename.TryParse(FileName(path), null, out _, out _);

    private void WarnOnce(string path, Action warn)
    {
        if (_warned.TryAdd(path, 0))
        {
            warn();
        }
    }

    private async Task RemoveAsync(List<string> paths, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return;
        }

        await _catalog.RemoveFilesAsync(paths, cancellationToken);
        foreach (var path in paths)
        {
            FolderIndexerLog.Removed(_logger, path);
        }
    }

    /// <summary>A file as one stat saw it; two stats that differ in any field mean it changed between them.</summary>
    private readonly record struct DiskFile(string Path, long Size, long MtimeTicks, FileIdentity Identity)
    {
        public DiskFile(string path, FileStatus status)
            : this(path, status.Size, status.MtimeTicks, status.Identity)
        {
        }

        /// <summary>True when <paramref name="row"/> recorded this very file: same path, size, mtime, inode and ctime.</summary>
        public bool IsRecordedBy(CatalogFile? row) =>
            row is not null && row.Path == Path && row.Size == Size && row.SourceMtimeTicks == MtimeTicks && row.SourceIdentity == Identity;
    }

    /// <summary>What one reconcile found of the recorded files, by row: filled in by <see cref="EnumerateFiles"/>.</summary>
    private sealed class ScanMarks(FileStateTable states) : IDisposable
    {
        public FileStateTable States { get; } = states;

        /// <summary>Rows whose path is on disk (pooled: 100 KB each at 100,000 files).</summary>
        public bool[] Seen { get; } = Rent(states.Count);

        /// <summary>Rows that stay as they are (unchanged on disk, or re-indexed in place).</summary>
        public bool[] Kept { get; } = Rent(states.Count);

        public int OnDisk { get; private set; }

        public int Unchanged { get; private set; }

        /// <summary>
        /// Counts a file found on disk; true (and its row kept) when it is recorded with this size,
        /// modification time, inode and ctime. Links files are never kept here: every reconcile reads them.
        /// </summary>
        public bool KeepIfUnchanged(ReadOnlySpan<char> path, FileStatus status)
        {
            OnDisk++;
            var index = States.IndexOf(path);
            if (index < 0)
            {
                return false;
            }

            Seen[index] = true;
            if (path.EndsWith(DeveloperLinks.FileExtension, StringComparison.OrdinalIgnoreCase)
                || States.SizeAt(index) != status.Size || States.SourceMtimeTicksAt(index) != status.MtimeTicks
                || States.SourceIdentityAt(index) != status.Identity)
            {
                return false;
            }

            Kept[index] = true;
            Unchanged++;
            return true;
        }

        public void Dispose()
        {
            ArrayPool<bool>.Shared.Return(Seen);
            ArrayPool<bool>.Shared.Return(Kept);
        }

        private static bool[] Rent(int count)
        {
            var array = ArrayPool<bool>.Shared.Rent(count);
            array.AsSpan(0, count).Clear();
            return array;
        }
    }

    /// <summary>A file to hash; <paramref name="Previous"/> is its recorded row (possibly under the path it moved from).</summary>
    private sealed record Candidate(string Path, DistributionFilename Name, CatalogFile? Previous);
}
