using System.Diagnostics;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Clutch.Server.Tests.Storage;

public sealed class SqliteCatalogTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly SqliteCatalog _catalog;

    public SqliteCatalogTests()
    {
        _catalog = new SqliteCatalog(_temp.Combine(".clutch", "catalog.db"));
    }

    public void Dispose()
    {
        _catalog.Dispose();
        _temp.Dispose();
    }

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task A_file_round_trips_with_every_field()
    {
        await _catalog.MigrateAsync(Ct);
        var file = TestFiles.Make("Foo-Bar", "1.0") with
        {
            Uploader = "alice",
            Yanked = true,
            YankedReason = "broken",
            MetadataSha256 = "cd".PadRight(64, '2'),
            UploadTime = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero),
        };
        await _catalog.UpsertFilesAsync([file], Ct);

        var found = await _catalog.FindFileAsync(file.Filename, Ct);
        Assert.Equal(file with { ProjectDisplayName = null }, found);
        Assert.Equal([found!], await _catalog.GetFilesAsync(ProjectName.Normalize("foo_bar"), Ct));
        Assert.Equal([found!], await _catalog.GetAllFilesAsync(Ct));
        var project = Assert.Single(await _catalog.ListProjectsAsync(Ct));
        Assert.Equal("foo-bar", project.Name.Value);
        Assert.Equal("Foo-Bar", project.DisplayName);
    }

    [Fact]
    public async Task Migrating_twice_keeps_data_and_schema_version()
    {
        await _catalog.MigrateAsync(Ct);
        await _catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);

        using var again = new SqliteCatalog(_catalog.DatabasePath);
        await again.MigrateAsync(Ct);
        await again.MigrateAsync(Ct);

        Assert.Equal(SqliteMigrations.Latest, await again.GetSchemaVersionAsync(Ct));
        Assert.Single(await again.GetAllFilesAsync(Ct));
    }

    [Fact]
    public async Task Several_catalogs_migrating_one_new_file_at_once_all_succeed()
    {
        var catalogs = Enumerable.Range(0, 4).Select(_ => new SqliteCatalog(_catalog.DatabasePath)).ToList();
        try
        {
            await Task.WhenAll(catalogs.Select(c => Task.Run(() => c.MigrateAsync(Ct), Ct)));

            Assert.Equal(SqliteMigrations.Latest, await _catalog.GetSchemaVersionAsync(Ct));
        }
        finally
        {
            catalogs.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task Reading_a_fresh_catalog_creates_the_schema_first()
        => Assert.Empty(await _catalog.ListProjectsAsync(Ct));

    [Fact]
    public async Task The_database_runs_in_wal_mode()
    {
        await _catalog.MigrateAsync(Ct);
        await using var connection = new SqliteConnection($"Data Source={_catalog.DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await command.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Concurrent_adds_of_the_same_filename_have_exactly_one_winner()
    {
        await _catalog.MigrateAsync(Ct);
        using var otherInstance = new SqliteCatalog(_catalog.DatabasePath); // as a second process would
        var attempts = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? _catalog : otherInstance).TryAddFileAsync(TestFiles.Make("foo", "1.0", sha: $"{i:x2}"), Ct), Ct));

        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r is null);
        var winner = Assert.Single(await _catalog.GetAllFilesAsync(Ct));
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(winner.Sha256, r!.Sha256));
    }

    [Fact]
    public async Task Upserting_the_same_bytes_again_keeps_the_first_upload_time()
    {
        var first = TestFiles.Make("foo", "1.0", uploaded: new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await _catalog.UpsertFilesAsync([first], Ct);

        await _catalog.UpsertFilesAsync([first with { UploadTime = DateTimeOffset.UtcNow, SourceMtimeTicks = 99 }], Ct);

        var found = await _catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal(first.UploadTime, found!.UploadTime);
        Assert.Equal(99, found.SourceMtimeTicks);
    }

    [Fact]
    public async Task Upserting_different_bytes_under_the_same_path_takes_the_new_upload_time()
    {
        var first = TestFiles.Make("foo", "1.0", uploaded: new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await _catalog.UpsertFilesAsync([first], Ct);
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await _catalog.UpsertFilesAsync([first with { Sha256 = "ff".PadRight(64, '0'), UploadTime = now }], Ct);

        var found = await _catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal(now, found!.UploadTime);
        Assert.StartsWith("ff", found.Sha256, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Projects_without_files_or_links_vanish_from_the_list()
    {
        var file = TestFiles.Make("foo", "1.0");
        await _catalog.UpsertFilesAsync([file, TestFiles.Make("bar", "2.0")], Ct);
        await _catalog.ReplaceDeveloperLinksAsync("baz.links", [new DeveloperLink(ProjectName.Normalize("baz"), "https://x/baz#egg=baz-dev")], Ct);
        Assert.Equal(["bar", "baz", "foo"], (await _catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));

        await _catalog.RemoveFilesAsync([file.Path], Ct);
        await _catalog.ReplaceDeveloperLinksAsync("baz.links", [], Ct);

        Assert.Equal(["bar"], (await _catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
    }

    [Fact]
    public async Task Changed_names_the_projects_and_whether_the_project_set_changed()
    {
        var events = new List<CatalogChangedEventArgs>();
        _catalog.Changed += (_, e) => events.Add(e);
        var file = TestFiles.Make("foo", "1.0");

        await _catalog.UpsertFilesAsync([file, TestFiles.Make("foo", "1.1")], Ct);
        await _catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.2")], Ct);
        await _catalog.SetYankedAsync(file.Filename, true, "bad", Ct);
        await _catalog.RemoveFilesAsync(["nothing/here.whl"], Ct);

        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(["foo"], e.Projects.Select(p => p.Value)));
        Assert.Equal([true, false, false], events.Select(e => e.ProjectSetChanged));
    }

    [Fact]
    public async Task Changed_is_raised_after_the_change_is_visible()
    {
        CatalogFile? seenInHandler = null;
        var file = TestFiles.Make("foo", "1.0");
        _catalog.Changed += (_, _) => seenInHandler = _catalog.FindFileAsync(file.Filename, CancellationToken.None).GetAwaiter().GetResult();

        await _catalog.UpsertFilesAsync([file], Ct);

        Assert.NotNull(seenInHandler);
    }

    [Fact]
    public async Task Upserting_ten_thousand_files_is_one_fast_transaction()
    {
        await _catalog.MigrateAsync(Ct);
        var events = 0;
        _catalog.Changed += (_, _) => events++;
        var files = Enumerable.Range(0, 10_000).Select(i => TestFiles.Make($"p{i % 500}", $"1.{i}")).ToArray();

        var stopwatch = Stopwatch.StartNew();
        await _catalog.UpsertFilesAsync(files, Ct);
        stopwatch.Stop();

        Assert.Equal(1, events);
        Assert.Equal(10_000, (await _catalog.GetAllFilesAsync(Ct)).Count);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Yanking_sets_and_clears_the_reason()
    {
        var file = TestFiles.Make("foo", "1.0");
        await _catalog.UpsertFilesAsync([file], Ct);

        Assert.True(await _catalog.SetYankedAsync(file.Filename, true, "security", Ct));
        Assert.Equal((true, "security"), await YankState());
        Assert.True(await _catalog.SetYankedAsync(file.Filename, false, "ignored", Ct));
        Assert.Equal((false, (string?)null), await YankState());
        Assert.False(await _catalog.SetYankedAsync("unknown-1.0.tar.gz", true, null, Ct));

        async Task<(bool, string?)> YankState()
        {
            var f = await _catalog.FindFileAsync(file.Filename, Ct);
            return (f!.Yanked, f.YankedReason);
        }
    }

    [Fact]
    public async Task Developer_links_are_replaced_per_source()
    {
        var foo = ProjectName.Normalize("foo");
        await _catalog.ReplaceDeveloperLinksAsync("foo.links", [new DeveloperLink(foo, "https://a#egg=foo-dev")], Ct);
        await _catalog.ReplaceDeveloperLinksAsync("api", [new DeveloperLink(foo, "https://b#egg=foo-dev")], Ct);
        await _catalog.ReplaceDeveloperLinksAsync("foo.links", [new DeveloperLink(foo, "https://c#egg=foo-dev")], Ct);

        var links = await _catalog.GetDeveloperLinksAsync(foo, Ct);
        Assert.Equal(["https://b#egg=foo-dev", "https://c#egg=foo-dev"], links.Select(l => l.Url).Order());
        Assert.Equal(["api", "foo.links"], links.Select(l => l.Source).Order());
    }

    [Fact]
    public async Task Replacing_links_with_the_same_links_raises_no_change()
    {
        var foo = ProjectName.Normalize("foo");
        var links = new[] { new DeveloperLink(foo, "https://a#egg=foo-dev") };
        await _catalog.ReplaceDeveloperLinksAsync("foo.links", links, Ct);
        var events = 0;
        _catalog.Changed += (_, _) => events++;

        await _catalog.ReplaceDeveloperLinksAsync("foo.links", links, Ct);

        Assert.Equal(0, events);
    }
}
