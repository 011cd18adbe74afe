using System.Text.RegularExpressions;
using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>Started by <c>prlimit</c> with a soft limit of 256 open files (the hard limit unchanged).</summary>
public sealed class LowFileLimitServer : ClutchServer
{
    public const int StartSoftLimit = 256;

    protected override IReadOnlyList<string> Launcher => ["prlimit", $"--nofile={StartSoftLimit}:{HardLimit()}", "--"];

    /// <summary>This process's hard limit on open files, which the server inherits.</summary>
    public static string HardLimit() => OpenFileLimits.Of("self").Hard;
}

/// <summary>
/// A server started under a low soft limit on open files raises it to the hard limit: the JIT
/// build's runtime does so itself, the native build (scripts/publish.sh, CLUTCH_EXE) must do it in
/// Clutch, or it fails past ~250 open connections and files here (1,024 under most shells).
/// </summary>
public sealed class OpenFileLimitTests(LowFileLimitServer server) : IClassFixture<LowFileLimitServer>
{
    [Fact]
    public async Task A_server_started_with_a_low_soft_limit_raises_it_to_the_hard_limit()
    {
        var limits = OpenFileLimits.Of(server.ProcessId.ToString());
        Assert.Equal(LowFileLimitServer.HardLimit(), limits.Hard);
        Assert.True(limits.Soft == limits.Hard, $"server soft limit {limits.Soft}, hard {limits.Hard} (started at {LowFileLimitServer.StartSoftLimit})");

        // And it serves: more connections at once than the soft limit it started with.
        var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 400 };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(0, 400).Select(async _ =>
        {
            await gate.Task;
            using var response = await client.GetAsync(server.SimpleUrl);
            return response.StatusCode;
        }).ToList();
        gate.SetResult();
        var codes = await Task.WhenAll(requests);
        Assert.All(codes, c => Assert.Equal(System.Net.HttpStatusCode.OK, c));
    }
}

/// <summary>The "Max open files" line of <c>/proc/PID/limits</c>.</summary>
internal static partial class OpenFileLimits
{
    public static (string Soft, string Hard) Of(string pid)
    {
        var line = File.ReadLines($"/proc/{pid}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var match = Limits().Match(line);
        Assert.True(match.Success, line);
        return (match.Groups["soft"].Value, match.Groups["hard"].Value);
    }

    [GeneratedRegex(@"^Max open files\s+(?<soft>\S+)\s+(?<hard>\S+)")]
    private static partial Regex Limits();
}
