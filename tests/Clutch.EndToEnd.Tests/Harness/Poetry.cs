using System.Text.RegularExpressions;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>Debian's poetry, offline: its own cache and config folders, no keyring, no virtualenv.</summary>
public static partial class Poetry
{
    public const string Executable = "/usr/bin/poetry";

    /// <summary>Writes a poetry project whose only package source is <paramref name="simpleUrl"/>.</summary>
    public static async Task WriteProjectAsync(string directory, string simpleUrl, IReadOnlyDictionary<string, string> dependencies)
    {
        Directory.CreateDirectory(directory);
        var version = await VersionAsync();
        // Poetry before 1.5 spells "this source replaces PyPI" as default = true; later as a priority.
        var sourcePriority = version < new Version(1, 5) ? "default = true" : "priority = \"primary\"";
        var lines = new List<string>
        {
            "[tool.poetry]",
            "name = \"e2e-poetry-app\"",
            "version = \"0.1.0\"",
            "description = \"A Clutch end-to-end poetry project\"",
            "authors = [\"Clutch Tests <tests@clutch.invalid>\"]",
            "",
            "[tool.poetry.dependencies]",
            "python = \"^3.8\"",
        };
        lines.AddRange(dependencies.Select(d => $"{d.Key} = \"{d.Value}\""));
        lines.AddRange(
        [
            "",
            "[[tool.poetry.source]]",
            "name = \"clutch\"",
            $"url = \"{simpleUrl}\"",
            sourcePriority,
            "",
            "[build-system]",
            "requires = [\"poetry-core\"]",
            "build-backend = \"poetry.core.masonry.api\"",
        ]);
        await File.WriteAllLinesAsync(Path.Combine(directory, "pyproject.toml"), lines);
    }

    public static Task<ProcessResult> RunAsync(string projectDirectory, params string[] arguments)
    {
        var environment = PythonClient.OfflineEnvironment();
        environment["POETRY_CACHE_DIR"] = Path.Combine(projectDirectory, ".poetry-cache");
        environment["POETRY_CONFIG_DIR"] = Path.Combine(projectDirectory, ".poetry-config");
        environment["POETRY_VIRTUALENVS_CREATE"] = "false";
        environment["POETRY_NO_INTERACTION"] = "1";
        return ProcessRunner.RunAsync(Executable, [.. arguments, "--no-interaction"], projectDirectory, environment);
    }

    public static async Task<Version> VersionAsync()
    {
        var result = await ProcessRunner.RunAsync(Executable, ["--version"], environment: PythonClient.OfflineEnvironment());
        var match = VersionPattern().Match(result.StdOut);
        return match.Success ? Version.Parse(match.Value) : new Version(0, 0);
    }

    [GeneratedRegex(@"\d+\.\d+(\.\d+)?")]
    private static partial Regex VersionPattern();
}
