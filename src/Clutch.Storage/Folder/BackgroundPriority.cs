using System.Runtime.InteropServices;

namespace Clutch.Storage.Folder;

/// <summary>
/// Lowers the calling thread's scheduling priority (its nice value) for work nobody waits for. On
/// Linux the nice value belongs to each thread, so the rest of the process keeps its priority.
/// Elsewhere it does nothing.
/// </summary>
internal static partial class BackgroundPriority
{
    /// <summary>The nice value taken: CFS gives such a thread about a tenth of what a nice-0 one gets when both want a core.</summary>
    public const int Nice = 10;

    /// <summary>True when the calling thread now runs at <see cref="Nice"/>.</summary>
    public static bool LowerCurrentThread() => OperatingSystem.IsLinux() && SetPriority(0, 0, Nice) == 0;

    // setpriority(PRIO_PROCESS, 0, prio): on Linux, "0" is the calling thread, not the whole process.
    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
