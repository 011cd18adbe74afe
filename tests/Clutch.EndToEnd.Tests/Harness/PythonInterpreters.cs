namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>Finds pyenv interpreters by version prefix ("2.7", "3.8", "3.13") and Debian tools.</summary>
public static class PythonInterpreters
{
    /// <summary>Debian's interpreter: it has build, setuptools and wheel for building test packages.</summary>
    public const string SystemPython = "/usr/bin/python3";

    public static string PyenvRoot
    {
        get
        {
            var root = Environment.GetEnvironmentVariable("PYENV_ROOT");
            return string.IsNullOrEmpty(root)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv")
                : root;
        }
    }

    /// <summary>The newest pyenv interpreter whose version starts with <paramref name="prefix"/>, or null.</summary>
    public static string? Find(string prefix)
    {
        var versions = Path.Combine(PyenvRoot, "versions");
        if (!Directory.Exists(versions))
        {
            return null;
        }

        return Directory.EnumerateDirectories(versions)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(v => v == prefix || v.StartsWith(prefix + ".", StringComparison.Ordinal))
            .OrderByDescending(v => Version.TryParse(v, out var parsed) ? parsed : new Version(0, 0))
            .Select(v => Path.Combine(versions, v, "bin", "python"))
            .FirstOrDefault(File.Exists);
    }

    public static string Require(string prefix) =>
        Find(prefix) ?? throw new InvalidOperationException($"Python {prefix} not found under {PyenvRoot}/versions");

    /// <summary>An executable on PATH (or an absolute path that exists), or null.</summary>
    public static string? FindTool(string name)
    {
        if (Path.IsPathRooted(name))
        {
            return File.Exists(name) ? name : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
    }
}
