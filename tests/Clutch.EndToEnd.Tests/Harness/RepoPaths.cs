using System.Reflection;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>Where the repository and the server binary under test are.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    /// <summary>The configuration these tests were built with; the server is preferred in the same one.</summary>
    public static string BuildConfiguration =>
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>
    /// The program and leading arguments that run Clutch: <c>CLUTCH_EXE</c> if set (the native build of
    /// scripts/publish.sh; scripts/test.sh runs these tests against it too), else <c>dotnet clutch.dll</c>.
    /// </summary>
    public static (string FileName, string[] Arguments) ClutchCommand()
    {
        var native = Environment.GetEnvironmentVariable("CLUTCH_EXE");
        if (string.IsNullOrEmpty(native))
        {
            return ("dotnet", [ClutchDll()]);
        }

        return File.Exists(native)
            ? (Path.GetFullPath(native), [])
            : throw new FileNotFoundException($"CLUTCH_EXE points at a missing file: {native}");
    }

    /// <summary>
    /// clutch.dll: <c>CLUTCH_DLL</c> if set, else the build of this test run's configuration,
    /// else the other configuration's build.
    /// </summary>
    public static string ClutchDll()
    {
        var overridden = Environment.GetEnvironmentVariable("CLUTCH_DLL");
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden)
                ? Path.GetFullPath(overridden)
                : throw new FileNotFoundException($"CLUTCH_DLL points at a missing file: {overridden}");
        }

        var configurations = new[] { BuildConfiguration, "Release", "Debug" }.Distinct(StringComparer.OrdinalIgnoreCase);
        var candidates = configurations
            .Select(c => Path.Combine(RepoRoot, "src", "Clutch", "bin", c, "net10.0", "clutch.dll"))
            .ToList();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                "clutch.dll not found; build the solution first (dotnet build -c Release). Looked at:\n  "
                + string.Join("\n  ", candidates));
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Clutch.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Clutch.slnx above {AppContext.BaseDirectory}");
    }
}
