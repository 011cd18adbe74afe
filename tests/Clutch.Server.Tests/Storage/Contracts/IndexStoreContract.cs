using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage.Indexes;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>What every index store does the same way (<see cref="IIndexStore"/>).</summary>
public abstract class IndexStoreContract(ITestOutputHelper output) : StoreContract(output)
{
    private static readonly DateTimeOffset At = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static IndexDefinition Index(string name, IReadOnlyList<string>? allowed = null) =>
        new(name, null, [], TimeSpan.FromMinutes(10), false, allowed ?? [], At, "alice");

    /// <summary>A definition as comparable text (records compare their lists by reference).</summary>
    private static string Shape(IndexDefinition d) =>
        $"{d.Name} upstream={d.Upstream ?? "-"} bases=[{string.Join(",", d.Bases.Select(b => $"'{b}'"))}] ttl={d.Ttl} private={d.Private} " +
        $"allowed=[{string.Join(",", d.Allowed)}] uploaders=[{string.Join(",", d.Uploaders)}] created={d.Created.UtcTicks} by={d.CreatedBy ?? "-"}";

    [ContractFact]
    public async Task Indexes_are_created_once_listed_by_name_and_their_allowed_projects_set()
    {
        var indexes = (await NodeAsync()).Indexes;
        var team = new IndexDefinition("team", null, ["", "base"], TimeSpan.FromSeconds(90), true, ["zeta", "alpha"], At.AddTicks(3), null) { Uploaders = ["carol", "bob"] };
        var mirror = new IndexDefinition("mirror", "https://pypi.org/simple/", [], TimeSpan.FromHours(1), false, [], At, "alice");
        Assert.True(await indexes.CreateIndexAsync(team, Ct));
        Assert.True(await indexes.CreateIndexAsync(mirror, Ct));
        Assert.False(await indexes.CreateIndexAsync(Index("team"), Ct));

        Assert.Equal([Shape(mirror), Shape(team with { Allowed = ["alpha", "zeta"] })], (await indexes.ListIndexesAsync(Ct)).Select(Shape));

        Assert.True(await indexes.SetAllowedAsync("team", ProjectName.Normalize("Beta"), true, Ct));
        Assert.True(await indexes.SetAllowedAsync("team", ProjectName.Normalize("beta"), true, Ct));
        Assert.True(await indexes.SetAllowedAsync("team", ProjectName.Normalize("zeta"), false, Ct));
        Assert.False(await indexes.SetAllowedAsync("nowhere", ProjectName.Normalize("beta"), true, Ct));
        var listed = await indexes.ListIndexesAsync(Ct);
        Assert.Equal(["alpha", "beta"], listed.Single(i => i.Name == "team").Allowed);
        Assert.Equal(["mirror", "team"], listed.Select(i => i.Name));
    }

    [ContractFact]
    public async Task Deleting_an_index_removes_its_allowed_names_pages_and_files_but_keeps_promotions()
    {
        var indexes = (await NodeAsync()).Indexes;
        await indexes.CreateIndexAsync(Index("team", ["foo"]), Ct);
        await indexes.CreateIndexAsync(Index("other", ["foo"]), Ct);
        foreach (var name in (string[])["team", "other"])
        {
            await indexes.PutMirrorPageAsync(new MirrorPage(name, "foo", "{}", null, At), Ct);
            await indexes.AddMirrorFileAsync(new MirrorFile(name, "k1", 10, At), Ct);
        }

        var promotion = new Promotion("team", "other", ProjectName.Normalize("foo"), "1.0", "foo-1.0.tar.gz", new string('a', 64), "alice", At);
        await indexes.RecordPromotionsAsync([promotion], Ct);

        Assert.True(await indexes.DeleteIndexAsync("team", Ct));
        Assert.False(await indexes.DeleteIndexAsync("team", Ct));

        Assert.Equal(["other"], (await indexes.ListIndexesAsync(Ct)).Select(i => i.Name));
        Assert.Null(await indexes.GetMirrorPageAsync("team", "foo", Ct));
        Assert.NotNull(await indexes.GetMirrorPageAsync("other", "foo", Ct));
        Assert.Equal(["other"], (await indexes.ListMirrorFilesAsync(Ct)).Select(f => f.Index));
        Assert.Equal([promotion], await indexes.ListPromotionsAsync("team", Ct));
        // A new index of the same name starts without the old one's exceptions.
        Assert.True(await indexes.CreateIndexAsync(Index("team"), Ct));
        Assert.Empty((await indexes.ListIndexesAsync(Ct)).Single(i => i.Name == "team").Allowed);
    }

    [ContractFact]
    public async Task Promotions_are_listed_oldest_first_into_or_out_of_an_index()
    {
        var indexes = (await NodeAsync()).Indexes;
        var foo = ProjectName.Normalize("foo");
        var late = new Promotion("dev", "prod", foo, "1.1", "foo-1.1.tar.gz", new string('b', 64), null, At.AddMinutes(5));
        var early = new Promotion("dev", "staging", foo, "1.0", "foo-1.0.tar.gz", new string('a', 64), "alice", At);
        var other = new Promotion("staging", "prod", foo, "1.0", "foo-1.0.tar.gz", new string('a', 64), "bob", At.AddMinutes(1));
        await indexes.RecordPromotionsAsync([late, early], Ct);
        await indexes.RecordPromotionsAsync([other], Ct);

        Assert.Equal([early, other, late], await indexes.ListPromotionsAsync(null, Ct));
        Assert.Equal([early, late], await indexes.ListPromotionsAsync("dev", Ct));
        Assert.Equal([other, late], await indexes.ListPromotionsAsync("prod", Ct));
        Assert.Empty(await indexes.ListPromotionsAsync("nowhere", Ct));
    }

    [ContractFact]
    public async Task A_mirror_page_is_replaced_and_kept_per_index_and_project()
    {
        var indexes = (await NodeAsync()).Indexes;
        await indexes.PutMirrorPageAsync(new MirrorPage("pypi", "foo", "{\"v\":1}", "\"e1\"", At), Ct);
        await indexes.PutMirrorPageAsync(new MirrorPage("pypi", "", "[\"foo\"]", null, At.AddTicks(1)), Ct);
        var replaced = new MirrorPage("pypi", "foo", "{\"v\":2}", null, At.AddSeconds(30));
        await indexes.PutMirrorPageAsync(replaced, Ct);

        Assert.Equal(replaced, await indexes.GetMirrorPageAsync("pypi", "foo", Ct));
        Assert.Equal(new MirrorPage("pypi", "", "[\"foo\"]", null, At.AddTicks(1)), await indexes.GetMirrorPageAsync("pypi", "", Ct));
        Assert.Null(await indexes.GetMirrorPageAsync("other", "foo", Ct));
        Assert.Null(await indexes.GetMirrorPageAsync("pypi", "bar", Ct));
    }

    [ContractFact]
    public async Task Mirror_files_are_listed_least_recently_used_first_touched_and_removed()
    {
        var indexes = (await NodeAsync()).Indexes;
        await indexes.AddMirrorFileAsync(new MirrorFile("pypi", "a", 1, At.AddMinutes(1)), Ct);
        await indexes.AddMirrorFileAsync(new MirrorFile("pypi", "b", 2, At.AddMinutes(2)), Ct);
        await indexes.AddMirrorFileAsync(new MirrorFile("other", "c", 3, At.AddMinutes(3)), Ct);
        await indexes.AddMirrorFileAsync(new MirrorFile("pypi", "b", 20, At), Ct); // replaces b

        Assert.Equal(
            [new MirrorFile("pypi", "b", 20, At), new MirrorFile("pypi", "a", 1, At.AddMinutes(1)), new MirrorFile("other", "c", 3, At.AddMinutes(3))],
            await indexes.ListMirrorFilesAsync(Ct));

        await indexes.TouchMirrorFilesAsync([("pypi", "b"), ("other", "a"), ("pypi", "gone")], At.AddMinutes(9), Ct);
        Assert.Equal(["a", "c", "b"], (await indexes.ListMirrorFilesAsync(Ct)).Select(f => f.Key));
        Assert.Equal(At.AddMinutes(9), (await indexes.ListMirrorFilesAsync(Ct))[^1].LastUsed);

        Assert.True(await indexes.RemoveMirrorFileAsync("pypi", "a", Ct));
        Assert.False(await indexes.RemoveMirrorFileAsync("pypi", "a", Ct));
        Assert.False(await indexes.RemoveMirrorFileAsync("other", "b", Ct));
        Assert.Equal(["c", "b"], (await indexes.ListMirrorFilesAsync(Ct)).Select(f => f.Key));
    }
}

public sealed class SqliteIndexStoreContractTests(ITestOutputHelper output) : IndexStoreContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[NeedsService(TestService.Postgres)]
public sealed class PostgresIndexStoreContractTests(ITestOutputHelper output) : IndexStoreContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
