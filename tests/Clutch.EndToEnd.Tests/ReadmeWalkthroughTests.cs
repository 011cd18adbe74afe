using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// Follows the README as a newcomer does, copying its commands in order: <c>./clutch serve</c>, then
/// every <c>./clutch</c>, <c>twine upload</c> and <c>pip install</c> line of its Publishing section,
/// then the yank lines of Managing releases. The commands run as written (by bash, in a folder with the
/// repository's <c>./clutch</c> launcher), with three substitutions only: the port the server got
/// (through <c>CLUTCH_PORT</c> for serve, in the URLs for the clients), the token printed by
/// <c>token create</c> for <c>clutch_…</c>, and <c>python -m pip … --target</c> for <c>pip</c> (no
/// system-wide installs here). If the README changes so that a command fails, this test fails.
/// </summary>
public sealed class ReadmeWalkthroughTests
{
    private static readonly string[] Readme = File.ReadAllLines(Path.Combine(RepoPaths.RepoRoot, "README.md"));

    /// <summary>The indented (code) lines of the section that starts with <paramref name="heading"/>, in order.</summary>
    private static List<string> CodeLines(string heading)
    {
        var start = Array.IndexOf(Readme, heading);
        Assert.True(start >= 0, $"README.md has no '{heading}' section");
        return Readme.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("    ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();
    }

    [RequiresPythonFact("3.11", Tools = [Twine.Executable])]
    public async Task The_readmes_serve_publish_install_and_yank_commands_work_as_written()
    {
        Assert.Contains("(`./clutch serve`, which creates `./packages` and its catalog)", string.Join(' ', Readme));
        var publishing = CodeLines("## Publishing (twine, CI)");
        var steps = publishing.Where(l => l.StartsWith("./clutch ", StringComparison.Ordinal) || l.StartsWith("twine upload ", StringComparison.Ordinal)
            || l.StartsWith("pip install ", StringComparison.Ordinal)).ToList();
        Assert.Contains(steps, l => l.StartsWith("./clutch user add ", StringComparison.Ordinal));
        Assert.Contains(steps, l => l.StartsWith("./clutch token create ", StringComparison.Ordinal));
        Assert.Equal(2, steps.Count(l => l.StartsWith("twine upload ", StringComparison.Ordinal)));
        Assert.Contains(steps, l => l.StartsWith("pip install ", StringComparison.Ordinal));
        var managing = CodeLines("## Managing releases")
            .Where(l => l.StartsWith("./clutch yank mypkg 1.2.0 ", StringComparison.Ordinal) || l.StartsWith("./clutch unyank mypkg 1.2.0", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(2, managing.Count);

        using var work = new TempDirectory("readme");
        File.CreateSymbolicLink(work.Combine("clutch"), Path.Combine(RepoPaths.RepoRoot, "clutch"));
        var wheel = await PackageFactory.WheelAsync("mypkg", "1.2.0");
        File.Copy(wheel, Path.Combine(work.CreateSubdirectory("dist"), Path.GetFileName(wheel)));
        var port = FreePort();
        var environment = PythonClient.OfflineEnvironment();
        foreach (var variable in new[] { "CLUTCH_ROOT", "CLUTCH_CATALOG", "CLUTCH_CONFIG", "CLUTCH_HOST", "CLUTCH_EXE", "CLUTCH_DLL" })
        {
            environment[variable] = null;
        }

        using var server = await StartServeAsync(work.Path, environment, port);
        try
        {
            var python = PythonInterpreters.Require("3.11");
            string? token = null;
            foreach (var step in steps.Concat(managing))
            {
                var command = step.Replace("127.0.0.1:8080", $"127.0.0.1:{port}", StringComparison.Ordinal);
                if (token is not null)
                {
                    command = command.Replace("clutch_…", token, StringComparison.Ordinal);
                }

                if (command.StartsWith("pip install ", StringComparison.Ordinal))
                {
                    command = $"{python} -m pip install --target installed --no-cache-dir {command["pip install ".Length..]}";
                }

                var result = await ProcessRunner.RunAsync("/bin/bash", ["-c", command], work.Path, environment, TimeSpan.FromMinutes(5));
                Assert.True(result.Succeeded, $"README command failed:\n  {step}\nran as:\n  {command}\n{result}\nServer output:\n{server.Output}");
                if (step.StartsWith("./clutch token create ", StringComparison.Ordinal))
                {
                    token = result.StdOut.Trim();
                    Assert.StartsWith("clutch_", token);
                }
            }

            Assert.Equal("1.2.0", PythonClient.InstalledIn(Path.Combine(work.Path, "installed"))["mypkg"]);
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            var home = await http.GetStringAsync($"http://127.0.0.1:{port}/");
            Assert.Contains($"pip install --index-url http://127.0.0.1:{port}/simple/ PACKAGE", home);
        }
        finally
        {
            await server.StopAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>./clutch serve</c> as the README says, in the background, with <c>CLUTCH_PORT</c> set; returns once it listens.</summary>
    private static async Task<BackgroundServe> StartServeAsync(string directory, Dictionary<string, string?> environment, int port)
    {
        var psi = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec ./clutch serve");
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["CLUTCH_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var serve = new BackgroundServe(Process.Start(psi)!);
        await serve.WaitUntilListeningAsync(TimeSpan.FromMinutes(5));
        return serve;
    }

    private sealed class BackgroundServe : IDisposable
    {
        private readonly Process process;
        private readonly StringBuilder output = new();
        private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public BackgroundServe(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data, listens: true);
            process.ErrorDataReceived += (_, e) => Append(e.Data, listens: false);
            process.EnableRaisingEvents = true;
            process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("./clutch serve exited:\n" + Output));
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

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

        public Task WaitUntilListeningAsync(TimeSpan timeout) => listening.Task.WaitAsync(timeout);

        public async Task StopAsync()
        {
            ProcessRunner.KillTree(process);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        public void Dispose() => process.Dispose();

        private void Append(string? line, bool listens)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (listens && line.StartsWith("Clutch listening on ", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }
    }
}
