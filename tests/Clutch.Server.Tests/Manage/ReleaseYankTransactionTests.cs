using Clutch.Manage;
using Clutch.Packaging;
using Clutch.Server.Tests.Storage;
using Clutch.Storage;
using Clutch.Storage.Folder;
using Clutch.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Clutch.Server.Tests.Manage;

/// <summary>A yank or delete of a whole release changes every file of it or none (a full catalog fails the one write).</summary>
public sealed class ReleaseYankTransactionTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SqliteCatalog _catalog;
    private readonly ReleaseManager _manager;

    public ReleaseYankTransactionTests()
    {
        _catalog = new SqliteCatalog(_temp.Combine(".clutch", "catalog.db"));
        _manager = new ReleaseManager(_catalog, new FolderBlobStore(_temp.Path), _catalog, TimeProvider.System);
    }

    public void Dispose()
    {
        _catalog.Dispose();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static CancellationToken Ct => CancellationToken.None;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_release_yank_that_fails_on_its_second_file_changes_no_file(bool yank)
    {
        var first = TestFiles.Make("foo", "1.0", sha: "aa");
        var second = first with { Filename = "foo-1.0.tar.gz", Path = "foo/foo-1.0.tar.gz", Sha256 = "bb" };
        await _catalog.UpsertFilesAsync([first, second], Ct);
        if (!yank)
        {
            await _manager.YankAsync(await _manager.FindAsync(first.Project, ReleaseTarget.Release("1.0"), Ct), "was bad", "admin", Ct);
        }

        // Stands in for a write that fails part way (SQLITE_FULL on the second row): a trigger on the
        // catalog's own file refuses the change of the second file only.
        await RefuseSecondFileAsync("BEFORE UPDATE OF yanked ON files");

        var selection = await _manager.FindAsync(first.Project, ReleaseTarget.Release("1.0"), Ct);
        Assert.Equal(2, selection.Selected.Count);
        await Assert.ThrowsAsync<SqliteException>(() => yank
            ? _manager.YankAsync(selection, "broken", "admin", Ct)
            : _manager.UnyankAsync(selection, "admin", Ct));

        var files = await _catalog.GetFilesAsync(first.Project, Ct);
        Assert.All(files, f => Assert.Equal(!yank, f.Yanked));
    }

    [Fact]
    public async Task A_release_delete_that_fails_on_its_second_tombstone_deletes_and_tombstones_nothing()
    {
        var first = TestFiles.Make("foo", "1.0", sha: "aa");
        var second = first with { Filename = "foo-1.0.tar.gz", Path = "foo/foo-1.0.tar.gz", Sha256 = "bb" };
        await _catalog.UpsertFilesAsync([first, second], Ct);
        await RefuseSecondFileAsync("BEFORE INSERT ON deleted_files");

        var selection = await _manager.FindAsync(first.Project, ReleaseTarget.Release("1.0"), Ct);
        await Assert.ThrowsAsync<SqliteException>(() => _manager.DeleteAsync(selection, "admin", "broken", Ct));

        Assert.Equal(2, (await _catalog.GetFilesAsync(first.Project, Ct)).Count);
        Assert.Null(await _manager.FindDeletedAsync(first.Filename, Ct));
    }

    private async Task RefuseSecondFileAsync(string when)
    {
        await using var connection = new SqliteConnection($"Data Source={_temp.Combine(".clutch", "catalog.db")}");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TRIGGER refuse_second {when}
            WHEN NEW.filename = 'foo-1.0.tar.gz'
            BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END
            """;
        await command.ExecuteNonQueryAsync(Ct);
    }
}
