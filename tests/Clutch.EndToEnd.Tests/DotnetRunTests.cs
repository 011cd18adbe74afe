using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>The README's first command, <c>dotnet run --project src/Clutch -- ...</c>, from another folder.</summary>
public sealed class DotnetRunTests
{
    [Fact]
    public async Task Dotnet_run_resolves_relative_paths_against_the_callers_folder_not_the_project()
    {
        // The Web SDK runs `dotnet run` in the project folder unless told otherwise: `serve ./packages`
        // from the repository root then served src/Clutch/packages.
        // Only serve creates an index, so `user list` on the fresh folder refuses, naming the folder it
        // resolved: the caller's ./packages, not src/Clutch/packages.
        using var caller = new TempDirectory("dotnet-run");
        var project = Path.Combine(RepoPaths.RepoRoot, "src", "Clutch");
        var result = await ProcessRunner.RunAsync(
            "dotnet",
            ["run", "--no-build", "-c", RepoPaths.BuildConfiguration, "--project", project, "--",
                "user", "list", "--root", "./packages"],
            caller.Path,
            new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
            TimeSpan.FromSeconds(90));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"no package folder {caller.Combine("packages")}:", result.StdErr);
        Assert.False(Directory.Exists(Path.Combine(project, "packages")), result.StdOut + result.StdErr);
    }
}
