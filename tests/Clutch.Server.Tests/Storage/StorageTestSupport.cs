using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Clutch.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clutch.Server.Tests.Storage;

/// <summary>A folder under the system temp directory, deleted with the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clutch-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // a straggling handle; the OS temp cleaner gets it
        }
    }
}

/// <summary>A packages folder, its SQLite catalog and blob store, and an indexer over them.</summary>
internal sealed class IndexedFolder : IDisposable
{
    private readonly TempFolder _temp = new();

    public IndexedFolder(TimeSpan? settle = null)
    {
        Root = _temp.Combine("packages");
        Directory.CreateDirectory(Root);
        DatabasePath = _temp.Combine("catalog.db");
        Catalog = new SqliteCatalog(DatabasePath);
        Blobs = new FolderBlobStore(Root);
        Options = new FolderIndexerOptions
        {
            Root = Root,
            SettleTime = settle ?? TimeSpan.Zero,
            ArchiveQuietPeriod = TimeSpan.Zero, // tests of the quiet period set it
            Debounce = TimeSpan.FromMilliseconds(100),
            MaxDebounceDelay = TimeSpan.FromMilliseconds(400),
            ReconcileInterval = TimeSpan.FromSeconds(60),
        };
        Indexer = NewIndexer();
    }

    public string Root { get; }
    public string DatabasePath { get; }
    public SqliteCatalog Catalog { get; }
    public FolderBlobStore Blobs { get; }
    public FolderIndexerOptions Options { get; }
    public FolderIndexer Indexer { get; private set; }
    public ListLogger<FolderIndexer> Log { get; } = new();

    /// <summary>A fresh indexer (as after a restart) over the same folder and catalog.</summary>
    public FolderIndexer NewIndexer()
    {
        Indexer = new FolderIndexer(Microsoft.Extensions.Options.Options.Create(Options), Catalog, Catalog, Blobs, Log);
        return Indexer;
    }

    public FolderIndexerService NewService(IndexerStatus status) => new(
        Indexer, Catalog, status, Microsoft.Extensions.Options.Options.Create(Options), new ListLogger<FolderIndexerService>());

    public string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Writes a file as an operator would have dropped it a while ago (settled mtime).</summary>
    public string Drop(string relative, byte[] bytes)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5));
        return path;
    }

    public void Dispose()
    {
        Catalog.Dispose();
        _temp.Dispose();
    }
}

/// <summary>Small but real distribution files built in memory.</summary>
internal static class TestPackages
{
    public static byte[] Wheel(string name, string version, string? requiresPython = ">=3.8", string summary = "A test package", string filler = "")
    {
        var dist = name.Replace('-', '_');
        var distInfo = $"{dist}-{version}.dist-info";
        var metadata = $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
            + (requiresPython is null ? "" : $"Requires-Python: {requiresPython}\n") + "\nLong description.\n";
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, $"{dist.ToLowerInvariant()}/__init__.py", $"VALUE = '{filler}'\n");
            Add(zip, $"{distInfo}/METADATA", metadata);
            Add(zip, $"{distInfo}/WHEEL", "Wheel-Version: 1.0\nGenerator: clutch-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
            Add(zip, $"{distInfo}/RECORD", "");
        }

        return buffer.ToArray();
    }

    public static byte[] Sdist(string name, string version, string summary = "A test sdist")
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            var pkgInfo = Encoding.UTF8.GetBytes($"Metadata-Version: 1.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n");
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"{name}-{version}/PKG-INFO") { DataStream = new MemoryStream(pkgInfo) };
            tar.WriteEntry(entry);
        }

        return buffer.ToArray();
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}

/// <summary>A catalog file with plausible values, for catalog tests.</summary>
internal static class TestFiles
{
    public static CatalogFile Make(string project, string version, string? path = null, string sha = "aa", DateTimeOffset? uploaded = null)
    {
        var filename = $"{project.Replace('-', '_')}-{version}-py3-none-any.whl";
        return new CatalogFile
        {
            Path = path ?? $"{project}/{filename}",
            Filename = filename,
            Project = ProjectName.Normalize(project),
            ProjectDisplayName = project,
            Version = version,
            Type = DistributionType.Wheel,
            PythonTag = "py3",
            RequiresPython = ">=3.8",
            Sha256 = sha.PadRight(64, '0'),
            Md5 = "0123456789abcdef0123456789abcdef",
            Blake2b256 = "b2".PadRight(64, '1'),
            Size = 1234,
            UploadTime = uploaded ?? new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Summary = "summary",
            SourceMtimeTicks = 42,
        };
    }
}

/// <summary>Captures log entries so tests can count warnings.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IReadOnlyList<string> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Entries.Enqueue((logLevel, formatter(state, exception)));
}

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="within"/> passes; returns whether it held.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }
    }
}
