namespace Clutch.Tuning;

/// <summary>
/// Runs socket completions on .NET's socket event threads instead of handing each one to the thread
/// pool (Unix). Only Kestrel's transport loops run there: Kestrel still schedules request handling
/// on the thread pool, so no handler, SQLite query or file read can hold an event thread. With it,
/// .NET starts one event thread per core instead of one for up to 30 cores. Each readiness event is
/// then handled where it arrives, without a hand-off to a pool thread and the wake-up that costs.
/// Kestrel's <c>UnsafePreferInlineScheduling</c>, which would run the handlers there too, is not
/// used: a handler that blocks (a password hash, an SQLite commit, an upload's hashing) would stall
/// every connection of its event thread, and long responses would delay the others' short ones.
/// Not for a node whose catalog or blobs are on the network (PostgreSQL, S3): the continuations of
/// its outbound sockets would run on the event threads too, with the handler code after them. The
/// AWS SDK reads an S3 error's body (a 404 for an object missing from the bucket) synchronously;
/// when that body arrives after the headers, the read can wait for a readiness event that only the
/// blocked event thread itself would deliver, and that thread hangs with every connection on it.
/// </summary>
internal static class SocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Call before the process opens its first socket: .NET reads the setting once, when the first
    /// socket is registered. A value set in the environment by whoever started Clutch is kept;
    /// nothing is set when <paramref name="storesOnNetwork"/> (see above).
    /// </summary>
    public static void PreferInline(bool storesOnNetwork)
    {
        if (!storesOnNetwork && !OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            Environment.SetEnvironmentVariable(Variable, "1");
        }
    }
}
