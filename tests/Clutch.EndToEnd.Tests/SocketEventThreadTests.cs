using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>
/// <c>clutch serve</c> runs socket completions on .NET's event threads (Hosting/SocketCompletions):
/// .NET then starts one ".NET Sockets" event thread per core instead of one for up to 30 cores,
/// which is how the setting shows from outside the process.
/// </summary>
public sealed class SocketEventThreadTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    [MultiCoreFact]
    public async Task The_server_runs_one_socket_event_thread_per_core()
    {
        await SocketEventThreads.ServeOneRequestAsync(server);
        Assert.Equal(Environment.ProcessorCount, SocketEventThreads.Count(server.ProcessId));
    }
}

/// <summary>Started with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 in its environment.</summary>
public sealed class InlineCompletionsOffServer : ClutchServer
{
    protected override IReadOnlyList<string> Launcher => ["env", "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0"];
}

/// <summary>Whoever starts Clutch can still turn the setting off; Clutch keeps their value.</summary>
public sealed class SocketCompletionsSettingKeptTests(InlineCompletionsOffServer server) : IClassFixture<InlineCompletionsOffServer>
{
    [MultiCoreFact]
    public async Task An_explicit_setting_in_the_environment_is_kept()
    {
        await SocketEventThreads.ServeOneRequestAsync(server);
        Assert.Equal(1, SocketEventThreads.Count(server.ProcessId));
    }
}

/// <summary>
/// A node on PostgreSQL and S3 leaves the setting alone (Tuning/SocketCompletions): the replies of
/// its store connections must not be handled on the event threads, where a synchronous read of an
/// S3 error body hung the thread and every connection on it.
/// </summary>
[Collection("cluster")]
public sealed class ClusterSocketCompletionsTests(Cluster cluster) : IClassFixture<Cluster>
{
    [MultiCoreClusterFact]
    public async Task A_node_on_PostgreSQL_and_S3_runs_one_socket_event_thread()
    {
        await SocketEventThreads.ServeOneRequestAsync(cluster.A);
        Assert.Equal(1, SocketEventThreads.Count(cluster.A.ProcessId));
    }
}

internal static class SocketEventThreads
{
    /// <summary>Threads of the process named ".NET Sockets" (/proc/PID/task/*/comm).</summary>
    public static int Count(int pid) =>
        Directory.EnumerateDirectories($"/proc/{pid}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') == ".NET Sockets");

    /// <summary>The event threads start with the first socket; a served request proves one exists.</summary>
    public static async Task ServeOneRequestAsync(ClutchServer server)
    {
        using var response = await server.HttpClient.GetAsync(server.SimpleUrl);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>
/// A fact for a machine of two or more cores on Linux: on one core both settings start one event
/// thread, and the thread names are read from /proc.
/// </summary>
public sealed class MultiCoreFactAttribute : FactAttribute
{
    public MultiCoreFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "not Linux: the test reads thread names from /proc";
        }
        else if (Environment.ProcessorCount < 2)
        {
            Skip = "one core: with or without inline socket completions .NET starts one event thread";
        }
    }
}

/// <summary>A <see cref="MultiCoreFactAttribute"/> that also needs PostgreSQL and S3 (<see cref="ClusterFactAttribute"/>).</summary>
public sealed class MultiCoreClusterFactAttribute : FactAttribute
{
    public MultiCoreClusterFactAttribute() => Skip = new MultiCoreFactAttribute().Skip ?? ClusterServices.SkipReason;
}
