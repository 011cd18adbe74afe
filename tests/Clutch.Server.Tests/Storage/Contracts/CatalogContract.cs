using System.Diagnostics;
using Clutch.Packaging;
using Clutch.Storage;
using Clutch.Storage.Accounts;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>
/// What every catalog provider must do the same way, written once and run against each (the
/// subclasses below). Two nodes on one database stand for two servers sharing it. A provider whose
/// server is missing has its tests return at once, printing why (xunit 2 cannot skip at run time);
/// scripts/test.sh starts every server and sets CLUTCH_TEST_REQUIRE_SERVICES, so there they run.
/// </summary>
public abstract class CatalogContract(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
    private readonly List<CatalogNode> _nodes = [];
    private ICatalogProvider _provider = null!;

    private static CancellationToken Ct => CancellationToken.None;

    protected abstract ICatalogProvider CreateProvider();

    public Task InitializeAsync()
    {
        _provider = CreateProvider();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await _provider.DisposeAsync();
    }

    /// <summary>A node of the shared catalog, or null (printed) when the provider's server is missing.</summary>
    private async Task<CatalogNode?> NodeAsync()
    {
        if (_provider.SkipReason is { } reason)
        {
            output.WriteLine("Skipped: " + reason);
            return null;
        }

        var node = await _provider.CreateNodeAsync();
        _nodes.Add(node);
        return node;
    }

    [Fact]
    public async Task A_file_round_trips_with_every_field()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var file = TestFiles.Make("Foo-Bar", "1.0") with
        {
            Uploader = "alice",
            Yanked = true,
            YankedReason = "broken",
            MetadataSha256 = "cd".PadRight(64, '2'),
            UploadTime = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero),
            SourceIdentity = new FileIdentity(77, 88),
        };
        await node.Catalog.UpsertFilesAsync([file], Ct);

        var found = await node.Catalog.FindFileAsync(file.Filename, Ct);
        Assert.Equal(file with { ProjectDisplayName = null }, found);
        Assert.Equal([found!], await node.Catalog.GetFilesAsync(ProjectName.Normalize("foo_bar"), Ct));
        Assert.Equal([found!], await node.Catalog.GetAllFilesAsync(Ct));
        var project = Assert.Single(await node.Catalog.ListProjectsAsync(Ct));
        Assert.Equal("foo-bar", project.Name.Value);
        Assert.Equal("Foo-Bar", project.DisplayName);
        using var states = await node.Folder.GetFileStatesAsync(Ct);
        Assert.Equal(1, states.Count);
    }

    [Fact]
    public async Task Two_nodes_migrating_at_once_both_succeed_and_share_the_data()
    {
        if (await NodeAsync() is not { } first)
        {
            return;
        }

        var nodes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => NodeAsync()));
        await Task.WhenAll(nodes.Select(n => n!.Catalog.MigrateAsync(Ct)));
        await first.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        foreach (var node in nodes)
        {
            Assert.Single(await node!.Catalog.GetAllFilesAsync(Ct));
        }
    }

    [Fact]
    public async Task Concurrent_adds_of_one_filename_from_two_nodes_have_exactly_one_winner()
    {
        if (await NodeAsync() is not { } a || await NodeAsync() is not { } b)
        {
            return;
        }

        for (var round = 0; round < 5; round++)
        {
            var adds = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                (i % 2 == 0 ? a : b).Catalog.TryAddFileAsync(TestFiles.Make("race", $"{round}.0", sha: $"{i:x2}"), Ct))).ToArray();
            var results = await Task.WhenAll(adds);

            Assert.Single(results, r => r is null);
            var stored = await a.Catalog.FindFileAsync(TestFiles.Make("race", $"{round}.0").Filename, Ct);
            Assert.All(results.Where(r => r is not null), r => Assert.Equal(stored, r));
        }
    }

    [Fact]
    public async Task Upserting_the_same_bytes_keeps_the_first_upload_time_and_other_bytes_take_the_new_one()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var first = TestFiles.Make("foo", "1.0", uploaded: new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)) with { Uploader = "alice" };
        await node.Catalog.UpsertFilesAsync([first], Ct);
        await node.Catalog.UpsertFilesAsync([first with { UploadTime = first.UploadTime.AddDays(1), Uploader = null }], Ct);
        var kept = await node.Catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal(first.UploadTime, kept!.UploadTime);
        Assert.Equal("alice", kept.Uploader);

        var other = first with { Sha256 = "ff".PadRight(64, '0'), UploadTime = first.UploadTime.AddDays(2), Uploader = "bob" };
        await node.Catalog.UpsertFilesAsync([other], Ct);
        var replaced = await node.Catalog.FindFileAsync(first.Filename, Ct);
        Assert.Equal(other.UploadTime, replaced!.UploadTime);
        Assert.Equal("bob", replaced.Uploader);
    }

    [Fact]
    public async Task A_scanned_upsert_leaves_a_row_that_records_the_very_file_looked_at()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var uploaded = TestFiles.Make("foo", "1.0") with { Uploader = "alice", Summary = "from the upload", SourceIdentity = new FileIdentity(5, 6) };
        Assert.Null(await node.Catalog.TryAddFileAsync(uploaded, Ct));

        await node.Folder.UpsertScannedFilesAsync([uploaded with { Uploader = null, Summary = "from the scan" }], Ct);
        Assert.Equal("from the upload", (await node.Catalog.FindFileAsync(uploaded.Filename, Ct))!.Summary);

        await node.Folder.UpsertScannedFilesAsync([uploaded with { Summary = "a replaced file", SourceIdentity = new FileIdentity(5, 7) }], Ct);
        Assert.Equal("a replaced file", (await node.Catalog.FindFileAsync(uploaded.Filename, Ct))!.Summary);
    }

    [Fact]
    public async Task Projects_list_in_name_order_and_vanish_without_files_or_links()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        await node.Catalog.UpsertFilesAsync([TestFiles.Make("zeta", "1.0"), TestFiles.Make("Alpha", "1.0"), TestFiles.Make("mid-dle", "1.0")], Ct);
        Assert.Equal(["alpha", "mid-dle", "zeta"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));

        await node.Catalog.RemoveFilesAsync([TestFiles.Make("zeta", "1.0").Path], Ct);
        Assert.Equal(["alpha", "mid-dle"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
        var streamed = new List<string>();
        await foreach (var f in node.Catalog.StreamAllFilesAsync(Ct))
        {
            streamed.Add(f.Project.Value);
        }

        Assert.Equal(["alpha", "mid-dle"], streamed);
    }

    [Fact]
    public async Task Changed_names_the_projects_and_whether_the_set_changed_here_and_on_the_other_node_within_a_second()
    {
        if (await NodeAsync() is not { } a || await NodeAsync() is not { } b)
        {
            return;
        }

        var here = new List<CatalogChangedEventArgs>();
        var there = new TaskCompletionSource<CatalogChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Catalog.Changed += (_, e) => here.Add(e);
        b.Catalog.Changed += (_, e) => there.TrySetResult(e);

        var clock = Stopwatch.StartNew();
        await a.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        var seen = await there.Task.WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"the other node heard of the change after {clock.ElapsedMilliseconds} ms");

        var local = Assert.Single(here);
        Assert.Equal(["foo"], local.Projects.Select(p => p.Value));
        Assert.True(local.ProjectSetChanged);
        Assert.Equal(["foo"], seen.Projects.Select(p => p.Value));
        Assert.True(seen.ProjectSetChanged);
        Assert.True(clock.Elapsed < Fresh, $"the other node heard after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Yanking_several_files_is_one_step_and_returns_the_names_that_matched()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var files = new[] { TestFiles.Make("foo", "1.0"), TestFiles.Make("foo", "1.1") };
        await node.Catalog.UpsertFilesAsync(files, Ct);

        var matched = await node.Catalog.SetYankedAsync([files[0].Filename, files[1].Filename, "nope-1.0.tar.gz"], true, "broken", Ct);
        Assert.Equal([files[0].Filename, files[1].Filename], matched);
        Assert.All(await node.Catalog.GetAllFilesAsync(Ct), f => Assert.Equal((true, "broken"), (f.Yanked, f.YankedReason)));

        Assert.True(await node.Catalog.SetYankedAsync(files[0].Filename, false, "ignored", Ct));
        var cleared = await node.Catalog.FindFileAsync(files[0].Filename, Ct);
        Assert.Equal((false, (string?)null), (cleared!.Yanked, cleared.YankedReason));
        Assert.False(await node.Catalog.SetYankedAsync("nope-1.0.tar.gz", true, null, Ct));
    }

    [Fact]
    public async Task Digests_are_filled_only_while_empty_and_the_file_unchanged()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var file = TestFiles.Make("foo", "1.0") with { Md5 = "", Blake2b256 = "" };
        await node.Catalog.UpsertFilesAsync([file], Ct);
        Assert.Equal([file.Path], await node.Catalog.GetPathsMissingDigestsAsync(Ct));

        Assert.False(await node.Catalog.FillDigestsAsync(file.Path, "ee".PadRight(64, '0'), "m", "b", Ct));
        Assert.True(await node.Catalog.FillDigestsAsync(file.Path, file.Sha256, "m", "b", Ct));
        Assert.False(await node.Catalog.FillDigestsAsync(file.Path, file.Sha256, "m2", "b2", Ct));
        Assert.Equal(("m", "b"), ((await node.Catalog.FindFileAsync(file.Filename, Ct))!.Md5, (await node.Catalog.FindFileAsync(file.Filename, Ct))!.Blake2b256));
        Assert.Empty(await node.Catalog.GetPathsMissingDigestsAsync(Ct));
    }

    [Fact]
    public async Task Developer_links_are_replaced_per_source_and_the_same_links_change_nothing()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var changes = 0;
        node.Catalog.Changed += (_, _) => changes++;
        var link = new DeveloperLink(ProjectName.Normalize("Tool"), "git+https://example.invalid/tool.git#egg=tool");
        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [link], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("b.links", [link with { Url = "https://example.invalid/other" }], Ct);
        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [link], Ct);

        Assert.Equal(2, changes);
        Assert.Equal(["a.links", "b.links"], (await node.Catalog.GetDeveloperLinksAsync(link.Project, Ct)).Select(l => l.Source));
        Assert.Equal(["tool"], (await node.Catalog.ListProjectsAsync(Ct)).Select(p => p.Name.Value));
        await node.Catalog.ReplaceDeveloperLinksAsync("a.links", [], Ct);
        Assert.Single(await node.Catalog.GetAllDeveloperLinksAsync(Ct));
    }

    [Fact]
    public async Task Users_tokens_and_roles_round_trip()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var created = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.True(await node.Accounts.AddUserAsync(new UserAccount("bob", "hash-b", false, created), Ct));
        Assert.True(await node.Accounts.AddUserAsync(new UserAccount("alice", "hash-a", true, created), Ct));
        Assert.False(await node.Accounts.AddUserAsync(new UserAccount("alice", "other", false, created), Ct));
        Assert.Equal(["alice", "bob"], (await node.Accounts.ListUsersAsync(Ct)).Select(u => u.Name));
        Assert.Equal(new UserAccount("alice", "hash-a", true, created), await node.Accounts.FindUserAsync("alice", Ct));
        Assert.True(await node.Accounts.SetPasswordHashAsync("alice", "hash-2", Ct));
        Assert.False(await node.Accounts.SetPasswordHashAsync("nobody", "x", Ct));

        var token = new ApiToken("t1", "alice", "ci", "token-hash", ProjectName.Normalize("foo"), created.AddDays(30), created);
        await node.Accounts.AddTokenAsync(token, Ct);
        await node.Accounts.AddTokenAsync(token with { Id = "t2", Hash = "other-hash", Project = null, Expires = null, Name = null }, Ct);
        Assert.Equal(token, await node.Accounts.FindTokenByHashAsync("token-hash", Ct));
        Assert.Equal(2, (await node.Accounts.ListTokensAsync("alice", Ct)).Count);
        Assert.True(await node.Accounts.RevokeTokenAsync("t2", Ct));
        Assert.False(await node.Accounts.RevokeTokenAsync("t2", Ct));

        var foo = ProjectName.Normalize("foo");
        await node.Accounts.GrantAsync(foo, "bob", ProjectRoleKind.Maintainer, Ct);
        Assert.Equal(ProjectRoleKind.Maintainer, (await node.Accounts.ClaimProjectAsync(foo, "bob", Ct)));
        Assert.Null(await node.Accounts.ClaimProjectAsync(foo, "alice", Ct));
        Assert.Equal(ProjectRoleKind.Owner, await node.Accounts.ClaimProjectAsync(ProjectName.Normalize("bar"), "alice", Ct));
        Assert.Equal(2, (await node.Accounts.ListRolesAsync(null, Ct)).Count);
        Assert.True(await node.Accounts.RevokeAsync(foo, "bob", Ct));

        Assert.True(await node.Accounts.RemoveUserAsync("alice", Ct));
        Assert.False(await node.Accounts.RemoveUserAsync("alice", Ct));
        Assert.Empty(await node.Accounts.ListTokensAsync(null, Ct));
        Assert.Empty(await node.Accounts.ListRolesAsync(null, Ct));
    }

    [Fact]
    public async Task Claims_of_a_new_project_from_two_nodes_make_exactly_one_owner()
    {
        if (await NodeAsync() is not { } a || await NodeAsync() is not { } b)
        {
            return;
        }

        var project = ProjectName.Normalize("contested");
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            (i % 2 == 0 ? a : b).Accounts.ClaimProjectAsync(project, "user" + i, Ct))));

        Assert.Single(claims, c => c == ProjectRoleKind.Owner);
        Assert.Single(await a.Accounts.GetProjectRolesAsync(project, Ct));
    }

    [Fact]
    public async Task An_account_change_on_one_node_is_reported_on_the_other_within_a_second()
    {
        if (await NodeAsync() is not { } a || await NodeAsync() is not { } b)
        {
            return;
        }

        var here = 0;
        var there = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Accounts.AccountsChanged += (_, _) => here++;
        b.Accounts.AccountsChanged += (_, _) => there.TrySetResult();

        var clock = Stopwatch.StartNew();
        await a.Accounts.AddUserAsync(new UserAccount("carol", "h", false, DateTimeOffset.UtcNow), Ct);
        await there.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, here);
        Assert.True(clock.Elapsed < Fresh, $"the other node heard after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Tombstones_are_added_as_one_batch_listed_found_and_released()
    {
        if (await NodeAsync() is not { } node)
        {
            return;
        }

        var at = new DateTimeOffset(2024, 2, 3, 4, 5, 6, TimeSpan.Zero);
        var foo = ProjectName.Normalize("foo");
        await node.Deleted.AddAsync([new DeletedFile("foo-1.1.tar.gz", foo, "alice", at, "oops"), new DeletedFile("foo-1.0.tar.gz", foo, null, at, null)], Ct);
        await node.Deleted.AddAsync([new DeletedFile("foo-1.0.tar.gz", foo, "bob", at.AddDays(1), "again")], Ct);

        Assert.Equal(["foo-1.0.tar.gz", "foo-1.1.tar.gz"], (await node.Deleted.ListAsync(Ct)).Select(d => d.Filename));
        Assert.Equal(new DeletedFile("foo-1.0.tar.gz", foo, "bob", at.AddDays(1), "again"), await node.Deleted.FindAsync("foo-1.0.tar.gz", Ct));
        Assert.True(await node.Deleted.ReleaseAsync("foo-1.0.tar.gz", Ct));
        Assert.False(await node.Deleted.ReleaseAsync("foo-1.0.tar.gz", Ct));
        Assert.Null(await node.Deleted.FindAsync("foo-1.0.tar.gz", Ct));
    }

    [Fact]
    public async Task A_lease_is_held_by_one_node_at_a_time_and_free_again_once_released()
    {
        if (await NodeAsync() is not { } a || await NodeAsync() is not { } b)
        {
            return;
        }

        var held = await a.Leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(held);
        Assert.Null(await b.Leases.TryAcquireAsync("retention", Ct));
        Assert.Null(await a.Leases.TryAcquireAsync("retention", Ct));
        await using (var other = await b.Leases.TryAcquireAsync("backfill", Ct))
        {
            Assert.NotNull(other);
        }

        await held!.DisposeAsync();
        await using var again = await b.Leases.TryAcquireAsync("retention", Ct);
        Assert.NotNull(again);
    }
}

public sealed class SqliteCatalogContractTests(ITestOutputHelper output) : CatalogContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

public sealed class PostgresCatalogContractTests(ITestOutputHelper output) : CatalogContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
