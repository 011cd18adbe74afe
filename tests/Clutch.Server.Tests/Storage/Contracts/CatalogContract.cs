using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>What every catalog provider does the same way: files, projects, links, batches, migrations.</summary>
public abstract class CatalogContract(ITestOutputHelper output) : StoreContract(output)
{
    [ContractFact]
    public async Task A_file_round_trips_with_every_field()
    {
        var node = await NodeAsync();
        var file = TestFiles.Make("Foo-Bar", "1.0") with
        {
            Uploader = "alice",
            Yanked = true,
            YankedReason = "broken",
            MetadataSha256 = "cd".PadRight(64, '2'),
            UploadTime = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero).AddTicks(4567),
            SourceMtimeTicks = 638_000_000_000_000_001,
            SourceIdentity = new FileIdentity(long.MaxValue, 88),
            Type = DistributionType.Sdist,
            PythonTag = null,
            RequiresPython = null,
            Summary = "Ünïcode ✓ and 'quotes'",
        };
        await node.Catalog.UpsertFilesAsync([file], Ct);

        var found = await node.Catalog.FindFileAsync(file.Filename, Ct);
        Assert.Equal(file with { ProjectDisplayName = null }, found);
        Assert.Equal([found!], await node.Catalog.GetFilesAsync(ProjectName.Normalize("foo_bar"), Ct));
        Assert.Equal([found!], await node.Catalog.GetAllFilesAsync(Ct));
        Assert.Empty(await node.Catalog.GetFilesAsync(ProjectName.Normalize("other"), Ct));
        Assert.Null(await node.Catalog.FindFileAsync("other-1.0.tar.gz", Ct));
        var project = Assert.Single(await node.Catalog.ListProjectsAsync(Ct));
        Assert.Equal(("foo-bar", "Foo-Bar"), (project.Name.Value, project.DisplayName));
        using var states = await node.Folder.GetFileStatesAsync(Ct);
        Assert.Equal(1, states.Count);
    }

    [ContractFact]
    public async Task Reading_a_fresh_catalog_creates_the_schema_first()
    {
        var node = await NodeAsync(migrate: false);

        Assert.Empty(await node.Catalog.ListProjectsAsync(Ct));
        Assert.Equal(Provider.LatestSchemaVersion, await node.SchemaVersionAsync());
    }

    [ContractFact]
    public async Task Migrating_twice_keeps_the_data_and_the_schema_version()
    {
        var first = await NodeAsync();
        await first.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);

        var again = await NodeAsync(migrate: false);
        await again.Catalog.MigrateAsync(Ct);
        await again.Catalog.MigrateAsync(Ct);

        Assert.Equal(Provider.LatestSchemaVersion, await again.SchemaVersionAsync());
        Assert.Single(await again.Catalog.GetAllFilesAsync(Ct));
    }

    [ContractFact]
    public async Task Instances_migrating_one_new_database_at_once_all_succeed_and_share_the_data()
    {
        var nodes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NodeAsync(migrate: false)));

        await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Catalog.MigrateAsync(Ct))));

        Assert.Equal(Provider.LatestSchemaVersion, await nodes[0].SchemaVersionAsync());
        await nodes[0].Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        foreach (var node in nodes)
        {
            Assert.Single(await node.Catalog.GetAllFilesAsync(Ct));
        }
    }

    [ContractFact]
    public async Task Concurrent_adds_of_one_filename_from_two_instances_have_exactly_one_winner()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        for (var round = 0; round < 5; round++)
        {
            var adds = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                (i % 2 == 0 ? a : b).Catalog.TryAddFileAsync(TestFiles.Make("race", $"{round}.0", sha: $"{i:x2}"), Ct))).ToArray();
            var results = await Task.WhenAll(adds);

            Assert.Single(results, r => r is null);
            var stored = await a.Catalog.FindFileAsync(TestFiles.Make("race", $"{round}.0").Filename, Ct);
            Assert.All(results.Where(r => r is not null), r => Assert.Equal(stored, r));
        }

        Assert.Equal(5, (await b.Catalog.GetAllFilesAsync(Ct)).Count);
    }

    [ContractFact]
    public async Task Adding_a_file_whose_path_is_taken_returns_the_file_there()
    {
        var node = await NodeAsync();
        var first = TestFiles.Make("foo", "1.0");
        Assert.Null(await node.Catalog.TryAddFileAsync(first, Ct));

        var samePath = TestFiles.Make("foo", "2.0", path: first.Path);
        Assert.Equal(first with { ProjectDisplayName = null }, await node.Catalog.TryAddFileAsync(samePath, Ct));
        Assert.Null(await node.Catalog.FindFileAsync(samePath.Filename, Ct));
    }

    [ContractFact]
    public async Task Upserting_the_same_bytes_keeps_the_first_upload_time_and_other_bytes_take_the_new_one()
    {
        var node = await NodeAsync();
        var first = TestFiles.Make("foo", "1.0", uploaded: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)) with { Uploader = "alice" };
        await node.Catalog.UpsertFilesAsync([first], Ct);
        await node.Catalog.UpsertFilesAsync([first with { UploadTime = first.UploadTime.AddDays(1), Uploader = null, SourceMtimeTicks = 99 }], Ct);
        var kept = await node.Catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal((first.UploadTime, "alice", 99L), (kept!.UploadTime, kept.Uploader, kept.SourceMtimeTicks));

        var other = first with { Sha256 = "ff".PadRight(64, '0'), UploadTime = first.UploadTime.AddDays(2), Uploader = "bob" };
        await node.Catalog.UpsertFilesAsync([other], Ct);
        var replaced = await node.Catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal((other.UploadTime, "bob", other.Sha256), (replaced!.UploadTime, replaced.Uploader, replaced.Sha256));
    }

    [ContractFact]
    public async Task Upserting_a_filename_recorded_under_another_path_leaves_the_recorded_file()
    {
        var node = await NodeAsync();
        var first = TestFiles.Make("foo", "1.0");
        await node.Catalog.UpsertFilesAsync([first], Ct);

        await node.Catalog.UpsertFilesAsync([first with { Path = "elsewhere/" + first.Filename, Sha256 = "ee".PadRight(64, '0') }, TestFiles.Make("foo", "1.1")], Ct);

        Assert.Equal(first.Path, (await node.Catalog.FindFileAsync(first.Filename, Ct))!.Path);
        Assert.Equal(2, (await node.Catalog.GetAllFilesAsync(Ct)).Count);
    }

    [ContractFact]
    public async Task A_scanned_upsert_leaves_a_row_that_records_the_very_file_looked_at()
    {
        var node = await NodeAsync();
        var uploaded = TestFiles.Make("foo", "1.0") with { Uploader = "alice", Summary = "from the upload", SourceIdentity = new FileIdentity(5, 6) };
        Assert.Null(await node.Catalog.TryAddFileAsync(uploaded, Ct));

        await node.Folder.UpsertScannedFilesAsync([uploaded with { Uploader = null, Summary = "from the scan" }], Ct);
        Assert.Equal("from the upload", (await node.Catalog.FindFileAsync(uploaded.Filename, Ct))!.Summary);

        await node.Folder.UpsertScannedFilesAsync([uploaded with { Summary = "a replaced file", SourceIdentity = new FileIdentity(5, 7) }], Ct);
        Assert.Equal("a replaced file", (await node.Catalog.FindFileAsync(uploaded.Filename, Ct))!.Summary);

        // A plain upsert is not guarded.
        await node.Catalog.UpsertFilesAsync([uploaded with { Summary = "upserted", SourceIdentity = new FileIdentity(5, 7) }], Ct);
        Assert.Equal("upserted", (await node.Catalog.FindFileAsync(uploaded.Filename, Ct))!.Summary);
    }

    [ContractFact]
    public async Task Projects_list_in_name_order_and_vanish_without_files_or_links()
    {
        var node = await NodeAsync();
        var zeta = TestFiles.Make("zeta", "1.0");
        await node.Catalog.UpsertFilesAsync([zeta, TestFiles.Make("Alpha", "1.0"), TestFiles.Make("a0", "1.0"), TestFiles.Make("a-b", "1.0")], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("baz.links", [new DeveloperLink(ProjectName.Normalize("baz"), "https://x/baz#egg=baz-dev")], Ct);
        Assert.Equal(["a-b", "a0", "alpha", "baz", "zeta"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));

        await node.Catalog.RemoveFilesAsync([zeta.Path, "not/there.whl"], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("baz.links", [], Ct);

        Assert.Equal(["a-b", "a0", "alpha"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
    }

    [ContractFact]
    public async Task Streaming_every_file_orders_by_project_then_filename_ordinally()
    {
        var node = await NodeAsync();
        var files = new[]
        {
            TestFiles.Make("ab", "1.0") with { Filename = "ab-1.0.tar.gz", Path = "ab/ab-1.0.tar.gz" },
            TestFiles.Make("ab", "1.0"),
            TestFiles.Make("ab", "2.0") with { Filename = "AB-2.0.tar.gz", Path = "ab/AB-2.0.tar.gz" },
            TestFiles.Make("a-b", "1.0"),
            TestFiles.Make("a0", "1.0"),
        };
        await node.Catalog.UpsertFilesAsync(files, Ct);

        var streamed = new List<string>();
        await foreach (var f in node.Catalog.StreamAllFilesAsync(Ct))
        {
            streamed.Add(f.Filename);
        }

        var expected = files.OrderBy(f => f.Project.Value, StringComparer.Ordinal).ThenBy(f => f.Filename, StringComparer.Ordinal).Select(f => f.Filename);
        Assert.Equal(expected, streamed);
        Assert.Equal(["a_b-1.0-py3-none-any.whl", "a0-1.0-py3-none-any.whl", "AB-2.0.tar.gz", "ab-1.0-py3-none-any.whl", "ab-1.0.tar.gz"], streamed);
    }

    [ContractFact]
    public async Task Changed_names_the_projects_and_whether_the_project_set_changed()
    {
        var node = await NodeAsync();
        var events = new List<CatalogChangedEventArgs>();
        node.Catalog.Changed += (_, e) => events.Add(e);
        var file = TestFiles.Make("foo", "1.0");

        await node.Catalog.UpsertFilesAsync([file, TestFiles.Make("foo", "1.1")], Ct);
        await node.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.2")], Ct);
        await node.Catalog.SetYankedAsync(file.Filename, true, "bad", Ct);
        await node.Catalog.RemoveFilesAsync(["nothing/here.whl"], Ct);
        await node.Catalog.SetYankedAsync("nothing-1.0.tar.gz", true, "bad", Ct);
        await node.Catalog.RemoveFilesAsync([file.Path, TestFiles.Make("foo", "1.1").Path, TestFiles.Make("foo", "1.2").Path], Ct);

        Assert.Equal(4, events.Count);
        Assert.All(events, e => Assert.Equal(["foo"], e.Projects.Select(p => p.Value)));
        Assert.Equal([true, false, false, true], events.Select(e => e.ProjectSetChanged));
    }

    [ContractFact]
    public async Task Changed_is_raised_after_the_change_is_visible()
    {
        var node = await NodeAsync();
        CatalogFile? seenInHandler = null;
        var file = TestFiles.Make("foo", "1.0");
        node.Catalog.Changed += (_, _) => seenInHandler = node.Catalog.FindFileAsync(file.Filename, CancellationToken.None).GetAwaiter().GetResult();

        await node.Catalog.UpsertFilesAsync([file], Ct);

        Assert.NotNull(seenInHandler);
    }

    [ContractFact]
    public async Task A_batch_upsert_is_one_change_and_all_or_nothing()
    {
        var node = await NodeAsync();
        var events = 0;
        node.Catalog.Changed += (_, _) => events++;
        var files = Enumerable.Range(0, 1000).Select(i => TestFiles.Make($"p{i % 50}", $"1.{i}")).ToArray();
        await node.Catalog.UpsertFilesAsync(files, Ct);
        Assert.Equal(1, events);
        Assert.Equal(1000, (await node.Catalog.GetAllFilesAsync(Ct)).Count);

        // A row the database refuses (no path) fails the write: the rows before it are not kept.
        var good = TestFiles.Make("later", "1.0");
        await Assert.ThrowsAnyAsync<Exception>(() => node.Catalog.UpsertFilesAsync([good, TestFiles.Make("later", "1.1") with { Path = null! }], Ct));
        Assert.Null(await node.Catalog.FindFileAsync(good.Filename, Ct));
        Assert.DoesNotContain(await node.Catalog.ListProjectsAsync(Ct), p => p.Name.Value == "later");
        Assert.Equal(1, events);
    }

    [ContractFact]
    public async Task A_batch_remove_is_all_or_nothing()
    {
        var node = await NodeAsync();
        var file = TestFiles.Make("foo", "1.0");
        await node.Catalog.UpsertFilesAsync([file], Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => node.Catalog.RemoveFilesAsync([file.Path, null!], Ct));

        Assert.NotNull(await node.Catalog.FindFileAsync(file.Filename, Ct));
    }

    [ContractFact]
    public async Task Yanking_several_files_is_one_step_and_returns_the_names_that_matched()
    {
        var node = await NodeAsync();
        var files = new[] { TestFiles.Make("foo", "1.0"), TestFiles.Make("foo", "1.1"), TestFiles.Make("bar", "1.0") };
        await node.Catalog.UpsertFilesAsync(files, Ct);
        var events = new List<CatalogChangedEventArgs>();
        node.Catalog.Changed += (_, e) => events.Add(e);

        var matched = await node.Catalog.SetYankedAsync([files[0].Filename, "nope-1.0.tar.gz", files[2].Filename, files[1].Filename], true, "broken", Ct);

        Assert.Equal([files[0].Filename, files[2].Filename, files[1].Filename], matched);
        Assert.All(await node.Catalog.GetAllFilesAsync(Ct), f => Assert.Equal((true, "broken"), (f.Yanked, f.YankedReason)));
        var change = Assert.Single(events);
        Assert.Equal(["bar", "foo"], change.Projects.Select(p => p.Value).Order());

        // A name the database refuses fails the whole batch: the first file stays yanked.
        await Assert.ThrowsAnyAsync<Exception>(() => node.Catalog.SetYankedAsync([files[0].Filename, null!], false, null, Ct));
        Assert.True((await node.Catalog.FindFileAsync(files[0].Filename, Ct))!.Yanked);
        Assert.Empty(await node.Catalog.SetYankedAsync(["nope-1.0.tar.gz"], true, null, Ct));
    }

    [ContractFact]
    public async Task Yanking_sets_and_clearing_drops_the_reason()
    {
        var node = await NodeAsync();
        var file = TestFiles.Make("foo", "1.0");
        await node.Catalog.UpsertFilesAsync([file], Ct);

        Assert.True(await node.Catalog.SetYankedAsync(file.Filename, true, "security", Ct));
        Assert.Equal((true, "security"), await YankState());
        Assert.True(await node.Catalog.SetYankedAsync(file.Filename, true, null, Ct));
        Assert.Equal((true, (string?)null), await YankState());
        Assert.True(await node.Catalog.SetYankedAsync(file.Filename, false, "ignored", Ct));
        Assert.Equal((false, (string?)null), await YankState());
        Assert.False(await node.Catalog.SetYankedAsync("unknown-1.0.tar.gz", true, null, Ct));

        async Task<(bool, string?)> YankState()
        {
            var f = await node.Catalog.FindFileAsync(file.Filename, Ct);
            return (f!.Yanked, f.YankedReason);
        }
    }

    [ContractFact]
    public async Task Digests_are_filled_only_while_empty_and_the_file_unchanged()
    {
        var node = await NodeAsync();
        var file = TestFiles.Make("foo", "1.0") with { Md5 = "", Blake2b256 = "" };
        await node.Catalog.UpsertFilesAsync([file, TestFiles.Make("foo", "1.1")], Ct);
        Assert.Equal([file.Path], await node.Catalog.GetPathsMissingDigestsAsync(Ct));
        var events = 0;
        node.Catalog.Changed += (_, _) => events++;

        Assert.False(await node.Catalog.FillDigestsAsync(file.Path, "ee".PadRight(64, '0'), "m", "b", Ct));
        Assert.True(await node.Catalog.FillDigestsAsync(file.Path, file.Sha256, "m", "b", Ct));
        Assert.False(await node.Catalog.FillDigestsAsync(file.Path, file.Sha256, "m2", "b2", Ct));

        var filled = await node.Catalog.FindFileAsync(file.Filename, Ct);
        Assert.Equal(("m", "b"), (filled!.Md5, filled.Blake2b256));
        Assert.Empty(await node.Catalog.GetPathsMissingDigestsAsync(Ct));
        Assert.Equal(1, events);
    }

    [ContractFact]
    public async Task Developer_links_are_replaced_per_source_and_the_same_links_change_nothing()
    {
        var node = await NodeAsync();
        var changes = 0;
        node.Catalog.Changed += (_, _) => changes++;
        var tool = ProjectName.Normalize("Tool");
        var link = new DeveloperLink(tool, "git+https://example.invalid/tool.git#egg=tool");
        await node.Catalog.ReplaceDeveloperLinksAsync("b.links", [link with { Url = "https://example.invalid/other" }], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [link, new DeveloperLink(ProjectName.Normalize("aaa"), "https://example.invalid/aaa")], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [new DeveloperLink(ProjectName.Normalize("aaa"), "https://example.invalid/aaa"), link], Ct);

        Assert.Equal(2, changes);
        var links = await node.Catalog.GetDeveloperLinksAsync(tool, Ct);
        Assert.Equal([("a.links", link.Url), ("b.links", "https://example.invalid/other")], links.Select(l => (l.Source, l.Url)));
        Assert.Equal(["aaa", "tool", "tool"], (await node.Catalog.GetAllDeveloperLinksAsync(Ct)).Select(l => l.Project.Value));
        Assert.Equal(["aaa", "tool"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));

        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [], Ct);
        Assert.Equal(["b.links"], (await node.Catalog.GetAllDeveloperLinksAsync(Ct)).Select(l => l.Source));
        Assert.Equal(["tool"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
    }

    [ContractFact]
    public async Task The_first_real_spelling_of_a_project_is_its_display_name()
    {
        var node = await NodeAsync();
        await node.Catalog.ReplaceDeveloperLinksAsync("x.links", [new DeveloperLink(ProjectName.Normalize("My-Tool"), "https://example.invalid/t")], Ct);
        Assert.Equal("my-tool", Assert.Single(await node.Catalog.ListProjectsAsync(Ct)).DisplayName);

        await node.Catalog.UpsertFilesAsync([TestFiles.Make("My_Tool", "1.0")], Ct);
        await node.Catalog.UpsertFilesAsync([TestFiles.Make("MY-TOOL", "2.0")], Ct);

        Assert.Equal("My_Tool", Assert.Single(await node.Catalog.ListProjectsAsync(Ct)).DisplayName);
    }
}

public sealed class SqliteCatalogContractTests(ITestOutputHelper output) : CatalogContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[NeedsService(TestService.Postgres)]
public sealed class PostgresCatalogContractTests(ITestOutputHelper output) : CatalogContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
