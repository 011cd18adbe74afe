using System.Diagnostics;
using Clutch.Packaging;
using Clutch.Server.Tests.Harness;
using Clutch.Storage.Accounts;
using Xunit.Abstractions;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>What every account store does the same way: users, tokens, roles, claims, and <see cref="IAccountStore.AccountsChanged"/>.</summary>
public abstract class AccountStoreContract(ITestOutputHelper output) : StoreContract(output)
{
    private static readonly DateTimeOffset Created = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [ContractFact]
    public async Task Users_are_added_once_found_listed_by_name_and_their_password_replaced()
    {
        var accounts = (await NodeAsync()).Accounts;
        Assert.True(await accounts.AddUserAsync(new UserAccount("bob", "hash-b", false, Created), Ct));
        Assert.True(await accounts.AddUserAsync(new UserAccount("alice", "hash-a", true, Created.AddTicks(1)), Ct));
        Assert.True(await accounts.AddUserAsync(new UserAccount("Zed", "hash-z", false, Created), Ct));
        Assert.False(await accounts.AddUserAsync(new UserAccount("alice", "other", false, Created), Ct));

        Assert.Equal(["Zed", "alice", "bob"], (await accounts.ListUsersAsync(Ct)).Select(u => u.Name));
        Assert.Equal(new UserAccount("alice", "hash-a", true, Created.AddTicks(1)), await accounts.FindUserAsync("alice", Ct));
        Assert.Null(await accounts.FindUserAsync("Alice", Ct));

        Assert.True(await accounts.SetPasswordHashAsync("alice", "hash-2", Ct));
        Assert.False(await accounts.SetPasswordHashAsync("nobody", "x", Ct));
        Assert.Equal("hash-2", (await accounts.FindUserAsync("alice", Ct))!.PasswordHash);
    }

    [ContractFact]
    public async Task Tokens_round_trip_are_found_by_hash_listed_and_revoked()
    {
        var accounts = (await NodeAsync()).Accounts;
        var token = new ApiToken("t1", "alice", "ci", "token-hash", ProjectName.Normalize("Foo"), Created.AddDays(30).AddTicks(7), Created);
        var plain = new ApiToken("t2", "alice", null, "other-hash", null, null, Created.AddMinutes(1));
        var bobs = new ApiToken("t3", "bob", "laptop", "bob-hash", null, null, Created.AddMinutes(-1));
        await accounts.AddTokenAsync(plain, Ct);
        await accounts.AddTokenAsync(token, Ct);
        await accounts.AddTokenAsync(bobs, Ct);

        Assert.Equal(token, await accounts.FindTokenByHashAsync("token-hash", Ct));
        Assert.Equal(plain, await accounts.FindTokenByHashAsync("other-hash", Ct));
        Assert.Null(await accounts.FindTokenByHashAsync("nope", Ct));
        Assert.Equal([token, plain], await accounts.ListTokensAsync("alice", Ct));
        Assert.Equal([token, plain, bobs], await accounts.ListTokensAsync(null, Ct));

        Assert.True(await accounts.RevokeTokenAsync("t2", Ct));
        Assert.False(await accounts.RevokeTokenAsync("t2", Ct));
        Assert.Null(await accounts.FindTokenByHashAsync("other-hash", Ct));
    }

    [ContractFact]
    public async Task Roles_are_granted_replaced_listed_and_revoked()
    {
        var accounts = (await NodeAsync()).Accounts;
        var foo = ProjectName.Normalize("foo");
        var bar = ProjectName.Normalize("bar");
        await accounts.GrantAsync(foo, "bob", ProjectRoleKind.Maintainer, Ct);
        await accounts.GrantAsync(foo, "alice", ProjectRoleKind.Owner, Ct);
        await accounts.GrantAsync(bar, "bob", ProjectRoleKind.Maintainer, Ct);
        await accounts.GrantAsync(bar, "bob", ProjectRoleKind.Owner, Ct);

        Assert.Equal(
            [new ProjectRole(foo, "alice", ProjectRoleKind.Owner), new ProjectRole(foo, "bob", ProjectRoleKind.Maintainer)],
            await accounts.GetProjectRolesAsync(foo, Ct));
        Assert.Equal(
            [new ProjectRole(bar, "bob", ProjectRoleKind.Owner), new ProjectRole(foo, "bob", ProjectRoleKind.Maintainer)],
            await accounts.ListRolesAsync("bob", Ct));
        Assert.Equal(3, (await accounts.ListRolesAsync(null, Ct)).Count);

        Assert.True(await accounts.RevokeAsync(foo, "bob", Ct));
        Assert.False(await accounts.RevokeAsync(foo, "bob", Ct));
        Assert.Equal(["alice"], (await accounts.GetProjectRolesAsync(foo, Ct)).Select(r => r.UserName));
    }

    [ContractFact]
    public async Task Removing_a_user_removes_their_tokens_and_roles_only()
    {
        var accounts = (await NodeAsync()).Accounts;
        var foo = ProjectName.Normalize("foo");
        await accounts.AddUserAsync(new UserAccount("alice", "h", false, Created), Ct);
        await accounts.AddUserAsync(new UserAccount("bob", "h", false, Created), Ct);
        await accounts.AddTokenAsync(new ApiToken("t1", "alice", null, "ha", null, null, Created), Ct);
        await accounts.AddTokenAsync(new ApiToken("t2", "bob", null, "hb", null, null, Created), Ct);
        await accounts.GrantAsync(foo, "alice", ProjectRoleKind.Owner, Ct);
        await accounts.GrantAsync(foo, "bob", ProjectRoleKind.Maintainer, Ct);

        Assert.True(await accounts.RemoveUserAsync("alice", Ct));
        Assert.False(await accounts.RemoveUserAsync("alice", Ct));

        Assert.Equal(["bob"], (await accounts.ListUsersAsync(Ct)).Select(u => u.Name));
        Assert.Equal(["t2"], (await accounts.ListTokensAsync(null, Ct)).Select(t => t.Id));
        Assert.Equal(["bob"], (await accounts.ListRolesAsync(null, Ct)).Select(r => r.UserName));
    }

    [ContractFact]
    public async Task Claiming_a_project_makes_the_first_claimer_its_owner_and_reports_anyone_elses_role()
    {
        var accounts = (await NodeAsync()).Accounts;
        var foo = ProjectName.Normalize("foo");

        Assert.Equal(ProjectRoleKind.Owner, await accounts.ClaimProjectAsync(foo, "alice", Ct));
        Assert.Equal(ProjectRoleKind.Owner, await accounts.ClaimProjectAsync(foo, "alice", Ct));
        Assert.Null(await accounts.ClaimProjectAsync(foo, "bob", Ct));
        await accounts.GrantAsync(foo, "bob", ProjectRoleKind.Maintainer, Ct);
        Assert.Equal(ProjectRoleKind.Maintainer, await accounts.ClaimProjectAsync(foo, "bob", Ct));
        Assert.Equal(2, (await accounts.GetProjectRolesAsync(foo, Ct)).Count);
    }

    [ContractFact]
    public async Task Claims_of_a_new_project_from_two_instances_make_exactly_one_owner()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        for (var round = 0; round < 3; round++)
        {
            var project = ProjectName.Normalize("contested" + round);
            var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                (i % 2 == 0 ? a : b).Accounts.ClaimProjectAsync(project, "user" + i, Ct))));

            Assert.Single(claims, c => c == ProjectRoleKind.Owner);
            Assert.Equal(7, claims.Count(c => c is null));
            Assert.Single(await b.Accounts.GetProjectRolesAsync(project, Ct));
        }
    }

    [ContractFact]
    public async Task Every_kind_of_account_change_raises_AccountsChanged_here_once_committed()
    {
        var accounts = (await NodeAsync()).Accounts;
        var raised = 0;
        accounts.AccountsChanged += (_, _) => raised++;
        var foo = ProjectName.Normalize("foo");
        var changes = new Func<Task>[]
        {
            () => accounts.AddUserAsync(new UserAccount("alice", "h", false, Created), Ct),
            () => accounts.SetPasswordHashAsync("alice", "h2", Ct),
            () => accounts.AddTokenAsync(new ApiToken("t1", "alice", null, "ha", null, null, Created), Ct),
            () => accounts.RevokeTokenAsync("t1", Ct),
            () => accounts.GrantAsync(foo, "alice", ProjectRoleKind.Owner, Ct),
            () => accounts.RevokeAsync(foo, "alice", Ct),
            () => accounts.ClaimProjectAsync(foo, "alice", Ct),
            () => accounts.RemoveUserAsync("alice", Ct),
        };

        for (var i = 0; i < changes.Length; i++)
        {
            await changes[i]();
            Assert.Equal(i + 1, raised);
        }

        // A token revoked here is gone when the event is raised (whoever reacts by forgetting it must not read it back).
        await accounts.AddTokenAsync(new ApiToken("t2", "bob", null, "hb", null, null, Created), Ct);
        ApiToken? seen = new("x", "x", null, "x", null, null, Created);
        accounts.AccountsChanged += (_, _) => seen = accounts.FindTokenByHashAsync("hb", CancellationToken.None).GetAwaiter().GetResult();
        await accounts.RevokeTokenAsync("t2", Ct);
        Assert.Null(seen);
    }

    [ContractFact]
    public async Task An_account_change_on_one_instance_raises_AccountsChanged_on_the_other_within_a_second()
    {
        var a = await NodeAsync();
        var b = await NodeAsync();
        var here = 0;
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.Accounts.AccountsChanged += (_, _) => here++;
        b.Accounts.AccountsChanged += (_, _) => Volatile.Read(ref heard).TrySetResult();

        await a.Accounts.AddTokenAsync(new ApiToken("t1", "carol", null, "hc", null, null, Created), Ct);
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(await b.Accounts.FindTokenByHashAsync("hc", Ct));

        // Timed from here: the revocation alone.
        Volatile.Write(ref heard, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var clock = Stopwatch.StartNew();
        await a.Accounts.RevokeTokenAsync("t1", Ct);
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Output.WriteLine($"the other instance heard of the revocation after {clock.ElapsedMilliseconds} ms");

        Assert.Equal(2, here);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the other instance heard after {clock.ElapsedMilliseconds} ms");
        Assert.Null(await b.Accounts.FindTokenByHashAsync("hc", Ct));
    }
}

public sealed class SqliteAccountStoreContractTests(ITestOutputHelper output) : AccountStoreContract(output)
{
    protected override ICatalogProvider CreateProvider() => new SqliteProvider();
}

[NeedsService(TestService.Postgres)]
public sealed class PostgresAccountStoreContractTests(ITestOutputHelper output) : AccountStoreContract(output)
{
    protected override ICatalogProvider CreateProvider() => new PostgresProvider();
}
