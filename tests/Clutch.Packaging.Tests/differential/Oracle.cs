using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Clutch.Packaging.Tests.Differential;

/// <summary>
/// Runs <c>oracle.py</c> under pyenv's Python 3.13 (pip 24.2's vendored packaging) once for the
/// whole test class; requests and answers are JSON lines.
/// </summary>
public sealed class Oracle : IDisposable
{
    private readonly Process? _process;

    public Oracle()
    {
        var python = FindPython();
        if (python is null)
        {
            SkipReason = "pyenv's Python 3.13.0 was not found (looked in $PYENV_ROOT and ~/.pyenv)";
            return;
        }

        var script = Path.Combine(AppContext.BaseDirectory, "differential", "oracle.py");
        var start = new ProcessStartInfo(python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        start.Environment["PYTHONUTF8"] = "1";
        _process = Process.Start(start);
        if (_process is null)
        {
            SkipReason = $"could not start {python}";
        }
        else
        {
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.Error.WriteLine("oracle: " + e.Data);
                }
            };
            _process.BeginErrorReadLine();
        }
    }

    /// <summary>Why the differential tests cannot run here, or null.</summary>
    public string? SkipReason { get; }

    public JsonNode Ask(string op, IReadOnlyList<string> items, IReadOnlyList<(int A, int B)>? pairs = null)
    {
        if (_process is null)
        {
            throw new InvalidOperationException(SkipReason);
        }

        var request = new JsonObject
        {
            ["op"] = op,
            ["items"] = new JsonArray([.. items.Select(s => (JsonNode?)JsonValue.Create(s))]),
        };
        if (pairs is not null)
        {
            request["pairs"] = new JsonArray([.. pairs.Select(p => (JsonNode?)new JsonArray(p.A, p.B))]);
        }

        // ASCII-only JSON (\u escapes): nothing depends on the pipe's encoding.
        _process.StandardInput.WriteLine(request.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default }));
        _process.StandardInput.Flush();
        var line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the oracle exited early");
        return JsonNode.Parse(line)!;
    }

    /// <summary>Runs a script once under pyenv's Python <paramref name="version"/>: one line in, one line out; null when that Python is missing.</summary>
    public static string? RunOnce(string version, string script, string inputLine)
    {
        var python = FindPython(version);
        if (python is null)
        {
            return null;
        }

        var start = new ProcessStartInfo(python, [Path.Combine(AppContext.BaseDirectory, "differential", script)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.WriteLine(inputLine);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadLine();
        process.WaitForExit(30_000);
        return output;
    }

    private static string? FindPython(string version = "3.13.0")
    {
        var roots = new List<string>();
        var env = Environment.GetEnvironmentVariable("PYENV_ROOT");
        if (!string.IsNullOrEmpty(env))
        {
            roots.Add(env);
        }

        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".pyenv"));
        foreach (var root in roots)
        {
            var python = Path.Combine(root, "versions", version, "bin", "python");
            if (File.Exists(python))
            {
                return python;
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (_process is not null)
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill();
                }
            }
            finally
            {
                _process.Dispose();
            }
        }
    }
}
