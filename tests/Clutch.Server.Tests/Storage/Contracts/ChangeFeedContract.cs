using System.Collections.Concurrent;
using System.Diagnostics;
using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>
/// What every catalog's change feed does the same way: a change committed by one instance raises
/// <see cref="ICatalog.Changed"/> there at once and on every other instance within a second, each
/// change once. Timed, so it runs apart from the parallel tests.
/// </summary>
public abstract class ChangeFeedContract(ITestOutputHelper output) : StoreContract(output)
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);

    [ContractFact]
    public async Task Changed_is_raised_here_at_once_and_on_the_other_instance_within_a_second()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var here = new List<CatalogChangedEventArgs>();
        var there = new TaskCompletionSource<CatalogChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Catalog.Changed += (_, e) => here.Add(e);
        b.Catalog.Changed += (_, e) => there.TrySetResult(e);

        var clock = Stopwatch.StartNew();
        await a.Catalog.UpsertFilesAsync([TestFiles.Make("foo", "1.0")], Ct);
        var seen = await there.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Output.WriteLine($"the other instance heard of the change after {clock.ElapsedMilliseconds} ms");

        var local = Assert.Single(here);
        Assert.Equal(("foo", true), Describe(local));
        Assert.Equal(("foo", true), Describe(seen));
        Assert.True(clock.Elapsed < Fresh, $"the other instance heard after {clock.ElapsedMilliseconds} ms");
    }

    [ContractFact]
    public async Task An_upload_a_yank_a_delete_and_a_link_change_each_reach_the_other_instance_within_a_second()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var file = TestFiles.Make("foo", "1.0");
        var changes = new (string What, Func<Task> Change, bool SetChanged)[]
        {
            ("upload", () => a.Catalog.TryAddFileAsync(file, Ct), true),
            ("yank", () => a.Catalog.SetYankedAsync([file.Filename], true, "broken", Ct), false),
            ("link", () => a.Catalog.ReplaceDeveloperLinksAsync("api", [new DeveloperLink(file.Project, "https://example.invalid/foo")], Ct), false),
            ("delete", () => a.Catalog.RemoveFilesAsync([file.Path], Ct), false),
        };

        foreach (var (what, change, setChanged) in changes)
        {
            var there = new TaskCompletionSource<CatalogChangedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
            EventHandler<CatalogChangedEventArgs> handler = (_, e) => there.TrySetResult(e);
            b.Catalog.Changed += handler;
            var clock = Stopwatch.StartNew();
            await change();
            var seen = await there.Task.WaitAsync(TimeSpan.FromSeconds(5));
            b.Catalog.Changed -= handler;
            Output.WriteLine($"{what}: heard after {clock.ElapsedMilliseconds} ms");

            Assert.Equal(("foo", setChanged), Describe(seen));
            Assert.True(clock.Elapsed < Fresh, $"{what}: the other instance heard after {clock.ElapsedMilliseconds} ms");
        }
    }

    [ContractFact]
    public async Task Each_instance_raises_its_own_changes_once_and_every_foreign_project_is_reported()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var raisedOnA = new ConcurrentBag<string>();
        var raisedOnB = new ConcurrentBag<string>();
        a.Catalog.Changed += (_, e) => { foreach (var p in e.Projects) { raisedOnA.Add(p.Value); } };
        b.Catalog.Changed += (_, e) => { foreach (var p in e.Projects) { raisedOnB.Add(p.Value); } };

        var projects = Enumerable.Range(0, 20).Select(i => $"p{i:00}").ToArray();
        await Task.WhenAll(projects.Select((p, i) => Task.Run(() => (i % 2 == 0 ? a : b).Catalog.UpsertFilesAsync([TestFiles.Make(p, "1.0")], Ct))));

        Assert.True(
            await Eventually.TrueAsync(() => Task.FromResult(raisedOnA.Distinct().Count() == 20 && raisedOnB.Distinct().Count() == 20), TimeSpan.FromSeconds(5)),
            $"A saw {raisedOnA.Distinct().Count()} projects, B saw {raisedOnB.Distinct().Count()}");
        await Task.Delay(500); // a change raised twice would show up by now

        Assert.Equal(projects, raisedOnA.Order(StringComparer.Ordinal));
        Assert.Equal(projects, raisedOnB.Order(StringComparer.Ordinal));
    }

    [ContractFact]
    public async Task A_change_that_changes_nothing_is_not_announced()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        await a.Catalog.ReplaceDeveloperLinksAsync("api", [new DeveloperLink(ProjectName.Normalize("foo"), "https://example.invalid/foo")], Ct);
        var heard = 0;
        await Task.Delay(300);
        b.Catalog.Changed += (_, _) => Interlocked.Increment(ref heard);
        a.Catalog.Changed += (_, _) => Interlocked.Increment(ref heard);

        await a.Catalog.ReplaceDeveloperLinksAsync("api", [new DeveloperLink(ProjectName.Normalize("foo"), "https://example.invalid/foo")], Ct);
        await a.Catalog.SetYankedAsync(["nothing-1.0.tar.gz"], true, null, Ct);
        await a.Catalog.RemoveFilesAsync(["nothing/here.whl"], Ct);
        await Task.Delay(600);

        Assert.Equal(0, heard);
    }

    /// <summary>The projects (comma-separated, in order) and whether the set changed.</summary>
    private static (string Projects, bool SetChanged) Describe(CatalogChangedEventArgs e) =>
        (string.Join(",", e.Projects.Select(p => p.Value)), e.ProjectSetChanged);
}

[Collection(TimingCollection.Name)]
public sealed class SqliteChangeFeedContractTests(ITestOutputHelper output) : ChangeFeedContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[Collection(TimingCollection.Name)]
[NeedsService(TestService.Postgres)]
public sealed class PostgresChangeFeedContractTests(ITestOutputHelper output) : ChangeFeedContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
