namespace Clutch.Server.Tests.Harness;

/// <summary>
/// One server shared by a test class, seeded with: <c>alpha</c> (two wheels, one in a per-project
/// folder, one requiring Python with characters that need escaping, plus an sdist), <c>Beta_Pkg</c>
/// (a flat sdist) and a <c>gamma.links</c> developer-links file with credentials in one URL.
/// </summary>
public sealed class SeededServerFixture : IAsyncLifetime
{
    public InProcessServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await InProcessServer.StartAsync(root =>
        {
            TestDistributions.Wheel(root, "alpha", "1.0");
            TestDistributions.Wheel(Path.Combine(root, "alpha"), "alpha", "2.0", requiresPython: ">=3.8,<4 & \"x\"");
            TestDistributions.Sdist(root, "alpha", "1.5.dev1234");
            TestDistributions.Sdist(root, "Beta_Pkg", "0.1");
            File.WriteAllText(Path.Combine(root, "gamma.links"),
                "# developer links\ngit+https://buildbot:s3cret@vcs.example/gamma.git\nhg+https://vcs.example/gamma#egg=gamma-dev\n");
            File.WriteAllText(Path.Combine(root, "README.txt"), "not a package");
        });
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
