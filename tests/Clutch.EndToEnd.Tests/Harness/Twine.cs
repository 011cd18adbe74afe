namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>Debian's twine (<c>/usr/bin/twine</c>), non-interactive and offline.</summary>
public static class Twine
{
    public const string Executable = "/usr/bin/twine";

    public static Task<ProcessResult> UploadAsync(
        string repositoryUrl,
        string username,
        string password,
        IEnumerable<string> files,
        params string[] extraArguments)
    {
        var environment = PythonClient.OfflineEnvironment();
        environment["TWINE_USERNAME"] = null;
        environment["TWINE_PASSWORD"] = null;
        environment["TWINE_REPOSITORY_URL"] = null;
        return ProcessRunner.RunAsync(
            Executable,
            ["upload", "--non-interactive", "--disable-progress-bar", "--repository-url", repositoryUrl,
                "--username", username, "--password", password, .. extraArguments, .. files],
            environment: environment);
    }
}
