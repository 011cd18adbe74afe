using System.Runtime.InteropServices;

namespace Clutch.Tuning;

/// <summary>
/// Raises the process's soft limit on open files to its hard limit (Linux). The JIT-hosted .NET
/// runtime does this as it starts; a native (ahead-of-time compiled) build does not, and under the
/// soft limit most shells and service managers give (1,024) a native server would stop accepting
/// connections, and fail file reads, at about a thousand open sockets and files.
/// </summary>
internal static partial class OpenFileLimit
{
    private const int RlimitNofile = 7; // RLIMIT_NOFILE on x86-64 and arm64 Linux

    /// <summary>Raises the soft limit where it is below the hard one (Linux; elsewhere, or on failure, nothing changes).</summary>
    public static void Raise()
    {
        // Linux caps the hard limit at fs.nr_open (it cannot be unlimited), so it is always a valid soft one.
        if (OperatingSystem.IsLinux() && GetRlimit(RlimitNofile, out var limit) == 0 && limit.Current < limit.Maximum)
        {
            var raised = new Rlimit { Current = limit.Maximum, Maximum = limit.Maximum };
            _ = SetRlimit(RlimitNofile, in raised);
        }
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRlimit(int resource, in Rlimit limit);

    /// <summary><c>struct rlimit</c> on 64-bit Linux: two <c>rlim_t</c> (unsigned long).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
