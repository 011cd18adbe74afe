using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// The real <c>clutch serve</c> binary on a free loopback port, serving a temp folder.
/// One per test class (class fixture); subclasses pass extra arguments or seed the folder before start.
/// </summary>
public partial class ClutchServer : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    public const string JsonAccept = "application/vnd.pypi.simple.v1+json";

    private readonly TempDirectory root = new("server");
    private readonly StringBuilder output = new();
    private Process? process;
    private int? port;

    public ClutchServer()
        : this([])
    {
    }

    protected ClutchServer(IEnumerable<string> extraArguments)
    {
        ExtraArguments = extraArguments.ToList();
        PackagesDir = Directory.CreateDirectory(Path.Combine(root.Path, "packages")).FullName;
        HttpClient = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public IReadOnlyList<string> ExtraArguments { get; }

    /// <summary>A program (and its arguments) that runs the server command, e.g. <c>prlimit --nofile=256:</c>; empty: none.</summary>
    protected virtual IReadOnlyList<string> Launcher => [];

    /// <summary>The folder the server serves; tests copy package files into it.</summary>
    public string PackagesDir { get; }

    /// <summary>A scratch folder beside the package folder for the test's own files (deleted with the server).</summary>
    public string ScratchDir => Directory.CreateDirectory(Path.Combine(root.Path, "scratch")).FullName;

    /// <summary>Talks to the server directly: no proxy, no automatic redirects.</summary>
    public HttpClient HttpClient { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public string BaseUrl { get; private set; } = "";

    public string SimpleUrl => BaseUrl + "/simple/";

    public string LinksUrl => BaseUrl + "/links/";

    public string UploadUrl => BaseUrl + "/legacy/";

    public int ProcessId => process?.Id ?? throw new InvalidOperationException("server not running");

    /// <summary>Everything the server printed so far (stdout and stderr), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        await SeedAsync(PackagesDir);
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        HttpClient.Dispose();
        root.Dispose();
    }

    /// <summary>Runs before the first start: put files into the folder so the start-up scan finds them.</summary>
    protected virtual Task SeedAsync(string packagesDir) => Task.CompletedTask;

    /// <summary>Builds packages (in parallel, cached per run) and copies them into a folder.</summary>
    protected static async Task SeedPackagesAsync(string packagesDir, params (PackageSpec Spec, PackageKind Kind)[] packages)
    {
        var built = await Task.WhenAll(packages.Select(p => PackageFactory.BuildAsync(p.Spec, p.Kind)));
        foreach (var file in built)
        {
            File.Copy(file, Path.Combine(packagesDir, Path.GetFileName(file)), overwrite: true);
        }
    }

    /// <summary>Starts the server (again, on the same port and folder if it ran before).</summary>
    public async Task StartAsync()
    {
        if (process is not null)
        {
            throw new InvalidOperationException("server already running");
        }

        var (program, leading) = RepoPaths.ClutchCommand();
        if (Launcher.Count > 0)
        {
            leading = [.. Launcher.Skip(1), program, .. leading];
            program = Launcher[0];
        }

        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = root.Path,
        };
        foreach (var argument in (string[])[.. leading, "serve", PackagesDir, "--host", "127.0.0.1", "--port", (port ?? 0).ToString()])
        {
            psi.ArgumentList.Add(argument);
        }

        foreach (var argument in ExtraArguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new Process { StartInfo = psi, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            Append("out", e.Data);
            var match = ListeningLine().Match(e.Data);
            if (match.Success)
            {
                listening.TrySetResult(match.Groups["url"].Value);
            }
        };
        started.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append("err", e.Data);
            }
        };
        started.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException("clutch exited before it was listening"));

        Append("harness", "$ dotnet " + string.Join(' ', psi.ArgumentList));
        started.Start();
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        started.StandardInput.Close();
        process = started;

        try
        {
            var url = await listening.Task.WaitAsync(StartTimeout);
            BaseUrl = url.TrimEnd('/');
            port = new Uri(BaseUrl).Port;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await StopAsync();
            throw new InvalidOperationException(
                $"clutch did not print 'Clutch listening on http://…' within {StartTimeout.TotalSeconds:F0}s ({e.Message}). Output:\n{Output}",
                e);
        }
    }

    /// <summary>Stops the server by killing its process tree (SIGKILL: also the kill -9 of crash tests).</summary>
    public async Task StopAsync()
    {
        var running = process;
        process = null;
        if (running is null)
        {
            return;
        }

        ProcessRunner.KillTree(running);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await running.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Append("harness", "server did not exit within 10 s of SIGKILL");
        }

        running.Dispose();
    }

    /// <summary>Kills and starts again on the same folder and port.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    /// <summary>Runs another <c>clutch</c> command (e.g. <c>user add</c>, <c>token create</c>) against this server's folder.</summary>
    public Task<ProcessResult> RunCliAsync(IEnumerable<string> arguments, string? stdin = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var (program, leading) = RepoPaths.ClutchCommand();
        var variables = new Dictionary<string, string?> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value; // null removes the variable
        }

        return ProcessRunner.RunAsync(program, [.. leading, .. arguments], root.Path, variables, TimeSpan.FromSeconds(60), stdin);
    }

    /// <summary>The arguments that name this server's stores to another <c>clutch</c> command (<c>--root DIR</c> in folder mode).</summary>
    public virtual IReadOnlyList<string> StoreArguments => ["--root", PackagesDir];

    /// <summary><c>clutch user add NAME --password-stdin --root DIR</c> (issue 3).</summary>
    public async Task AddUserAsync(string name, string password) =>
        (await RunCliAsync(["user", "add", name, "--password-stdin", .. StoreArguments], password + "\n")).AssertSuccess();

    /// <summary>Copies files into the package folder and waits until each is listed on its project page.</summary>
    public async Task AddFilesAsync(IEnumerable<string> files, TimeSpan? timeout = null)
    {
        var copied = new List<string>();
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            File.Copy(file, Path.Combine(PackagesDir, name), overwrite: true);
            copied.Add(name);
        }

        foreach (var name in copied)
        {
            var project = PackageFiles.ProjectOf(name);
            Assert.True(
                await WaitUntilAsync(project, name, listed: true, timeout ?? TimeSpan.FromSeconds(15)),
                $"{name} copied into {PackagesDir} is not listed on /simple/{project}/.\nServer output:\n{Output}");
        }
    }

    /// <summary>The PEP 691 JSON project page, or null when the project is unknown (404).</summary>
    public async Task<JsonDocument?> GetProjectJsonAsync(string project, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{SimpleUrl}{project}/");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(JsonAccept));
        using var response = await HttpClient.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET /simple/{project}/ (JSON) → {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body);
    }

    /// <summary>The filenames on the project's JSON page (empty when the project is unknown).</summary>
    public async Task<IReadOnlyList<string>> ListFilesAsync(string project, CancellationToken cancellationToken = default)
    {
        using var page = await GetProjectJsonAsync(project, cancellationToken);
        if (page is null)
        {
            return [];
        }

        return page.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("filename").GetString() ?? "")
            .ToList();
    }

    /// <summary>Polls the project page until <paramref name="filename"/> is (or is no longer) listed.</summary>
    public async Task<bool> WaitUntilAsync(string project, string filename, bool listed, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var files = await ListFilesAsync(project);
            if (files.Contains(filename) == listed)
            {
                return true;
            }

            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    private void Append(string stream, string line)
    {
        lock (output)
        {
            output.Append('[').Append(stream).Append("] ").AppendLine(line);
        }
    }

    [GeneratedRegex(@"Clutch listening on (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
