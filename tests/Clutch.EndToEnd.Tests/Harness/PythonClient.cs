using System.Text.RegularExpressions;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// One real pyenv interpreter and its clients (pip, easy_install), run offline with timeouts:
/// every proxy points at a closed loopback port, so a forgotten <c>--index-url</c> fails fast
/// instead of reaching the internet.
/// </summary>
public sealed partial class PythonClient
{
    /// <summary>A port nothing listens on (discard); any non-loopback request fails at once.</summary>
    public const string ClosedProxy = "http://127.0.0.1:9";

    private PythonClient(string versionPrefix, string interpreter)
    {
        VersionPrefix = versionPrefix;
        Interpreter = interpreter;
    }

    public string VersionPrefix { get; }

    public string Interpreter { get; }

    public bool IsPython2 => VersionPrefix.StartsWith('2');

    /// <summary>The newest pyenv interpreter for a prefix such as "3.8"; guard the test with <see cref="RequiresPythonFactAttribute"/>.</summary>
    public static PythonClient For(string versionPrefix) =>
        new(versionPrefix, PythonInterpreters.Require(versionPrefix));

    /// <summary>The environment every client and build runs in.</summary>
    public static Dictionary<string, string?> OfflineEnvironment() => new()
    {
        ["http_proxy"] = ClosedProxy,
        ["https_proxy"] = ClosedProxy,
        ["HTTP_PROXY"] = ClosedProxy,
        ["HTTPS_PROXY"] = ClosedProxy,
        ["all_proxy"] = null,
        ["ALL_PROXY"] = null,
        ["no_proxy"] = "127.0.0.1,localhost",
        ["NO_PROXY"] = "127.0.0.1,localhost",
        ["PIP_INDEX_URL"] = ClosedProxy + "/simple/",
        ["PIP_EXTRA_INDEX_URL"] = null,
        ["PIP_FIND_LINKS"] = null,
        ["PIP_CONFIG_FILE"] = "/dev/null",
        ["PIP_DISABLE_PIP_VERSION_CHECK"] = "1",
        ["PIP_NO_INPUT"] = "1",
        ["PIP_NO_PYTHON_VERSION_WARNING"] = "1",
        ["PIP_ROOT_USER_ACTION"] = "ignore",
        ["PYTHONDONTWRITEBYTECODE"] = "1",
        ["PYTHONPATH"] = null,
        ["PYTHONNOUSERSITE"] = "1",
        ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring",
        ["PYENV_VERSION"] = null,
        ["VIRTUAL_ENV"] = null,
        ["GIT_TERMINAL_PROMPT"] = "0",
    };

    /// <summary>Runs the interpreter with arguments.</summary>
    public Task<ProcessResult> RunAsync(
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null,
        TimeSpan? timeout = null)
    {
        var environment = OfflineEnvironment();
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        return ProcessRunner.RunAsync(Interpreter, arguments, workingDirectory, environment, timeout);
    }

    /// <summary><c>python -m pip ARGS</c> with the cache off.</summary>
    public Task<ProcessResult> PipAsync(params string[] arguments) =>
        RunAsync(["-m", "pip", .. arguments, "--no-cache-dir", "--disable-pip-version-check"]);

    /// <summary><c>pip install --index-url URL --target DIR ARGS</c> into a fresh folder (no venv needed).</summary>
    public Task<ProcessResult> PipInstallAsync(string indexUrl, string target, params string[] arguments) =>
        PipAsync(["install", "--index-url", indexUrl, "--target", target, .. arguments]);

    /// <summary><c>pip install --no-index --find-links URL --target DIR ARGS</c>.</summary>
    public Task<ProcessResult> PipInstallFromLinksAsync(string findLinksUrl, string target, params string[] arguments) =>
        PipAsync(["install", "--no-index", "--find-links", findLinksUrl, "--target", target, .. arguments]);

    /// <summary>Creates a throwaway virtual environment (Python 3 only) and returns its interpreter.</summary>
    public async Task<PythonClient> CreateVenvAsync(string directory)
    {
        Assert.False(IsPython2, "Python 2 has no venv; install with --target or easy_install --install-dir");
        (await RunAsync(["-m", "venv", directory])).AssertSuccess();
        return new PythonClient(VersionPrefix, Path.Combine(directory, "bin", "python"));
    }

    /// <summary>
    /// <c>easy_install -f FINDLINKS --index-url INDEX --install-dir DIR ARGS</c>, with DIR on PYTHONPATH
    /// as easy_install demands. The index URL keeps it away from PyPI.
    /// </summary>
    public Task<ProcessResult> EasyInstallAsync(string findLinksUrl, string indexUrl, string installDir, params string[] arguments)
    {
        Directory.CreateDirectory(installDir);
        return RunAsync(
            ["-m", "easy_install", "--find-links", findLinksUrl, "--index-url", indexUrl, "--install-dir", installDir, .. arguments],
            workingDirectory: installDir,
            extraEnvironment: new Dictionary<string, string?> { ["PYTHONPATH"] = installDir });
    }

    /// <summary>Imports a module from a --target or --install-dir folder and returns its <c>__version__</c>.</summary>
    public async Task<string> ImportedVersionAsync(string path, string module)
    {
        var result = await RunAsync(
            ["-c", $"import {module}; print({module}.__version__)"],
            workingDirectory: Path.GetTempPath(),
            extraEnvironment: new Dictionary<string, string?> { ["PYTHONPATH"] = path });
        result.AssertSuccess();
        return result.StdOut.Trim();
    }

    /// <summary>Installed distributions in a --target folder: normalized name → version (from *.dist-info and *.egg).</summary>
    public static IReadOnlyDictionary<string, string> InstalledIn(string path)
    {
        var installed = new Dictionary<string, string>();
        if (!Directory.Exists(path))
        {
            return installed;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName).OfType<string>())
        {
            var match = InstalledEntry().Match(entry);
            if (match.Success)
            {
                installed[PackageFiles.Normalize(match.Groups["name"].Value)] = match.Groups["version"].Value;
            }
        }

        return installed;
    }

    public override string ToString() => $"Python {VersionPrefix} ({Interpreter})";

    [GeneratedRegex(@"^(?<name>[^-]+)-(?<version>[^-]+?)(\.dist-info|\.egg-info|-py\d\.\d+(-[^.]+)?\.egg)$")]
    private static partial Regex InstalledEntry();
}
