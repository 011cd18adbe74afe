using Microsoft.Extensions.Logging;

namespace Clutch.Server.Tests.Storage;

/// <summary>What an operator reads: one line per file the watcher or a hand change touches, and silence when nothing changed.</summary>
public sealed class FolderIndexerLogTests : IDisposable
{
    private readonly IndexedFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private List<string> InfoLinesSinceAndClear()
    {
        var lines = _folder.Log.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.Message).ToList();
        _folder.Log.Entries.Clear();
        return lines;
    }

    [Fact]
    public async Task The_watcher_logs_one_info_line_per_file_it_indexes_or_removes()
    {
        var path = _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct);
        Assert.Contains("foo/foo-1.0.tar.gz", Assert.Single(InfoLinesSinceAndClear()), StringComparison.Ordinal);

        File.Delete(path);
        await _folder.Indexer.IndexPathsAsync(["foo/foo-1.0.tar.gz"], Ct);
        Assert.Contains("foo/foo-1.0.tar.gz", Assert.Single(InfoLinesSinceAndClear()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reconcile_logs_nothing_when_nothing_changed_and_one_line_per_hand_change_when_something_did()
    {
        _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0"));
        var gone = _folder.Drop("foo/foo-1.1.tar.gz", TestPackages.Sdist("foo", "1.1"));
        for (var i = 0; i < 5; i++)
        {
            _folder.Drop($"bulk/bulk-{i}.0.tar.gz", TestPackages.Sdist("bulk", $"{i}.0"));
        }

        await _folder.Indexer.ScanAsync(null, Ct);
        Assert.Single(InfoLinesSinceAndClear()); // a bulk import: its summary, not a line per file

        await _folder.Indexer.ScanAsync(null, Ct);
        Assert.Empty(InfoLinesSinceAndClear());

        _folder.Drop("foo/foo-1.0.tar.gz", TestPackages.Sdist("foo", "1.0", summary: "rebuilt"));
        File.Delete(gone);
        await _folder.Indexer.ScanAsync(null, Ct);
        var lines = InfoLinesSinceAndClear();

        Assert.Equal(3, lines.Count); // re-indexed, removed, summary
        Assert.Single(lines, l => l.Contains("foo/foo-1.0.tar.gz", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("foo/foo-1.1.tar.gz", StringComparison.Ordinal));
    }
}
