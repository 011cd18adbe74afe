namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>Assertions about what a client installed, failing with the client's own output.</summary>
public static class InstallAssert
{
    public static void Installed(string target, string project, string version, ProcessResult result)
    {
        result.AssertSuccess();
        var installed = PythonClient.InstalledIn(target);
        var key = PackageFiles.Normalize(project);
        Assert.True(
            installed.TryGetValue(key, out var actual) && actual == version,
            $"expected {key} {version} in {target}, found [{string.Join(", ", installed.Select(p => $"{p.Key} {p.Value}"))}]\n{result}");
    }

    public static void NotInstalled(string target, string project, ProcessResult result)
    {
        var key = PackageFiles.Normalize(project);
        Assert.False(PythonClient.InstalledIn(target).ContainsKey(key), $"{key} should not be installed in {target}\n{result}");
    }
}
