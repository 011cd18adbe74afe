using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage;
using Clutch.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Storage;

[Collection(TimingCollection.Name)]
public sealed class ChangeFeedTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_change_committed_by_another_catalog_instance_is_raised_by_the_poll()
    {
        var path = Path.Combine(_folder.Path, "catalog.db");
        using var server = new SqliteCatalog(path);
        using var cli = new SqliteCatalog(path);
        await server.PollForeignChangesAsync(CancellationToken.None);
        var seen = new List<CatalogChangedEventArgs>();
        server.Changed += (_, e) => seen.Add(e);

        await cli.UpsertFilesAsync([TestFiles.Make("elsewhere", "1.0")], CancellationToken.None);
        Assert.Empty(seen);
        Assert.Equal(1, await server.PollForeignChangesAsync(CancellationToken.None));

        var change = Assert.Single(seen);
        Assert.Equal([ProjectName.Normalize("elsewhere")], change.Projects);
        Assert.True(change.ProjectSetChanged);
    }

    [Fact]
    public async Task Own_changes_are_not_raised_twice()
    {
        using var catalog = new SqliteCatalog(Path.Combine(_folder.Path, "catalog.db"));
        await catalog.PollForeignChangesAsync(CancellationToken.None);
        var raised = 0;
        catalog.Changed += (_, _) => raised++;

        await catalog.UpsertFilesAsync([TestFiles.Make("mine", "1.0")], CancellationToken.None);
        await catalog.PollForeignChangesAsync(CancellationToken.None);

        Assert.Equal(1, raised);
    }

    [Fact]
    public async Task A_yank_made_from_another_process_shows_on_the_running_servers_page_within_a_second()
    {
        await using var server = await InProcessServer.StartAsync(root => TestDistributions.Wheel(root, "remote", "1.0"));
        Assert.DoesNotContain("data-yanked", await server.Client.GetStringAsync("/simple/remote/"));

        // What `clutch yank` (or another node) does: its own instance of the same catalog.
        var cli = TestStores.OtherCatalog(server.Services.GetRequiredService<ClutchOptions>());
        await using ((IAsyncDisposable)cli)
        {
            Assert.True(await cli.SetYankedAsync("remote-1.0-py3-none-any.whl", true, "broken build", CancellationToken.None));
        }

        Assert.True(
            await server.WaitForPageAsync("/simple/remote/", html => html.Contains("data-yanked=\"broken build\""), TimeSpan.FromSeconds(1)),
            "the yank made by another catalog instance was not shown within 1 s");
    }
}
