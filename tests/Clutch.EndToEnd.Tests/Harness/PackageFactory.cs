using System.Collections.Concurrent;
using System.Text;

namespace Clutch.EndToEnd.Tests.Harness;

public enum PackageKind
{
    Wheel,
    Sdist,
    Egg,
}

/// <summary>What a test package declares. Names must not contain dashes (use underscores).</summary>
public sealed record PackageSpec(string Name, string Version)
{
    public IReadOnlyList<string> Dependencies { get; init; } = [];

    public string? RequiresPython { get; init; }

    /// <summary>Random (incompressible) bytes the module carries, so the file is of real size: a few MB, like pip's own wheel.</summary>
    public int PaddingBytes { get; init; }

    /// <summary>The importable module the package ships; it holds <c>__version__</c>.</summary>
    public string ModuleName => PackageFiles.Normalize(Name).Replace('-', '_');

    internal string CacheKey(PackageKind kind) =>
        string.Join('|', kind, Name, Version, RequiresPython ?? "", string.Join(',', Dependencies), PaddingBytes);
}

/// <summary>
/// Builds small packages offline: wheels and sdists with Debian's <c>python3 -m build --no-isolation</c>,
/// eggs with Python 2.7's <c>setup.py bdist_egg</c>. Each (spec, kind) is built once per test run;
/// callers get a path inside a shared cache folder and must copy, never move, the file.
/// </summary>
public static class PackageFactory
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Built = new();
    private static readonly Lazy<string> CacheDir = new(() =>
    {
        var dir = Directory.CreateTempSubdirectory("clutch-e2e-packages-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TempDirectory.DeleteQuietly(dir);
        return dir;
    });

    public static Task<string> BuildAsync(PackageSpec spec, PackageKind kind = PackageKind.Wheel) =>
        Built.GetOrAdd(spec.CacheKey(kind), _ => new Lazy<Task<string>>(() => BuildUncachedAsync(spec, kind))).Value;

    public static Task<string> WheelAsync(string name, string version) =>
        BuildAsync(new PackageSpec(name, version), PackageKind.Wheel);

    /// <summary>Writes a source tree with a setup.py (the only form Python 2.7 and easy_install understand).</summary>
    public static void WriteSetupPyProject(string dir, PackageSpec spec)
    {
        Directory.CreateDirectory(dir);
        var setup = new StringBuilder()
            .AppendLine("from setuptools import setup")
            .AppendLine("setup(")
            .AppendLine($"    name={PyString(spec.Name)},")
            .AppendLine($"    version={PyString(spec.Version)},")
            .AppendLine($"    py_modules=[{PyString(spec.ModuleName)}],")
            .AppendLine($"    install_requires=[{string.Join(", ", spec.Dependencies.Select(PyString))}],");
        if (spec.RequiresPython is not null)
        {
            setup.AppendLine($"    python_requires={PyString(spec.RequiresPython)},");
        }

        setup.AppendLine(")");
        File.WriteAllText(Path.Combine(dir, "setup.py"), setup.ToString());
        WriteModule(dir, spec);
    }

    /// <summary>Writes a PEP 621 pyproject.toml source tree with the setuptools backend.</summary>
    public static void WritePyprojectProject(string dir, PackageSpec spec)
    {
        Directory.CreateDirectory(dir);
        var toml = new StringBuilder()
            .AppendLine("[build-system]")
            .AppendLine("requires = [\"setuptools>=61\"]")
            .AppendLine("build-backend = \"setuptools.build_meta\"")
            .AppendLine()
            .AppendLine("[project]")
            .AppendLine($"name = {PyString(spec.Name)}")
            .AppendLine($"version = {PyString(spec.Version)}")
            .AppendLine("description = \"A Clutch end-to-end test package\"")
            .AppendLine($"dependencies = [{string.Join(", ", spec.Dependencies.Select(PyString))}]");
        if (spec.RequiresPython is not null)
        {
            toml.AppendLine($"requires-python = {PyString(spec.RequiresPython)}");
        }

        toml.AppendLine()
            .AppendLine("[tool.setuptools]")
            .AppendLine($"py-modules = [{PyString(spec.ModuleName)}]");
        File.WriteAllText(Path.Combine(dir, "pyproject.toml"), toml.ToString());
        WriteModule(dir, spec);
    }

    private static async Task<string> BuildUncachedAsync(PackageSpec spec, PackageKind kind)
    {
        var work = Directory.CreateTempSubdirectory("clutch-e2e-build-").FullName;
        try
        {
            var source = Path.Combine(work, "src");
            var output = Directory.CreateDirectory(Path.Combine(work, "dist")).FullName;
            ProcessResult result;
            if (kind == PackageKind.Egg)
            {
                WriteSetupPyProject(source, spec);
                result = await ProcessRunner.RunAsync(
                    PythonInterpreters.Require("2.7"),
                    ["setup.py", "-q", "bdist_egg", "--dist-dir", output],
                    source,
                    PythonClient.OfflineEnvironment());
            }
            else
            {
                WritePyprojectProject(source, spec);
                result = await ProcessRunner.RunAsync(
                    PythonInterpreters.SystemPython,
                    ["-m", "build", "--no-isolation", kind == PackageKind.Wheel ? "--wheel" : "--sdist", "--outdir", output, source],
                    work,
                    PythonClient.OfflineEnvironment());
            }

            result.AssertSuccess();
            var files = Directory.GetFiles(output);
            Assert.True(files.Length == 1, $"expected one {kind} for {spec}, got: {string.Join(", ", files)}\n{result}");
            var cached = Directory.CreateDirectory(Path.Combine(CacheDir.Value, Guid.NewGuid().ToString("N"))).FullName;
            var destination = Path.Combine(cached, Path.GetFileName(files[0]));
            File.Move(files[0], destination);
            return destination;
        }
        finally
        {
            TempDirectory.DeleteQuietly(work);
        }
    }

    private static void WriteModule(string dir, PackageSpec spec)
    {
        var module = $"__version__ = {PyString(spec.Version)}\n";
        if (spec.PaddingBytes > 0)
        {
            var padding = new byte[spec.PaddingBytes];
            new Random(spec.PaddingBytes).NextBytes(padding);
            module += $"_PADDING = {PyString(Convert.ToBase64String(padding))}\n";
        }

        File.WriteAllText(Path.Combine(dir, spec.ModuleName + ".py"), module);
    }

    private static string PyString(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
