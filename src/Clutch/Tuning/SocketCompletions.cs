namespace Clutch.Tuning;

/// <summary>
/// Runs socket completions on .NET's socket event threads instead of handing each one to the thread
/// pool (Unix). Only Kestrel's transport loops run there: Kestrel still schedules request handling
/// on the thread pool, so no handler, SQLite query or file read can hold an event thread. With it,
/// .NET starts one event thread per core instead of one for up to 30 cores. Measured with
/// <c>bench/ab.py --b-env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> (100,000 files, 2 cores,
/// 4 rounds): +2–8% requests/s on page and file rows, p99 unchanged; the root page unchanged.
/// Kestrel's <c>UnsafePreferInlineScheduling</c>, which would run the handlers there too, measured
/// +7–22% but doubled p99 and cost the 10 MB file a quarter of its rate, and a blocking handler
/// would stall every connection of its event thread: not used.
/// Outbound sockets (none today) would have their continuations run on the event threads too.
/// </summary>
internal static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Call before the process opens its first socket: .NET reads the setting once, when the first
    /// socket is registered. A value set in the environment by whoever started Clutch is kept.
    /// </summary>
    public static void PreferInline()
    {
        if (!OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
