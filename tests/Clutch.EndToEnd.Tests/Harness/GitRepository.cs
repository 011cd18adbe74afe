namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>A local git repository holding a setup.py project: the target of a developer link.</summary>
public static class GitRepository
{
    public static async Task CreateAsync(string directory, PackageSpec spec)
    {
        PackageFactory.WriteSetupPyProject(directory, spec);
        await GitAsync(directory, "init", "--quiet");
        await GitAsync(directory, "add", ".");
        await GitAsync(directory, "-c", "user.name=Clutch Tests", "-c", "user.email=tests@clutch.invalid", "commit", "--quiet", "-m", "trunk");
    }

    private static async Task GitAsync(string directory, params string[] arguments)
    {
        var environment = PythonClient.OfflineEnvironment();
        environment["GIT_CONFIG_NOSYSTEM"] = "1";
        (await ProcessRunner.RunAsync("git", arguments, directory, environment, TimeSpan.FromSeconds(30))).AssertSuccess();
    }
}
