using System.Diagnostics;

namespace Clutch.Server.Tests.Harness;

/// <summary>
/// A tiny tmpfs mounted for one test, for real "No space left on device" and SQLITE_FULL errors.
/// Mounting needs root (CI runs the tests as root); <see cref="TryMount"/> says why when it cannot.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string? _filler;

    private SmallDisk(string path)
    {
        Path = path;
        _filler = System.IO.Path.Combine(path, ".clutch", "filler"); // never indexed, never a public file
    }

    public string Path { get; }

    /// <summary>Mounts <paramref name="megabytes"/> MB of tmpfs at a new folder; null and a reason when this machine does not allow it.</summary>
    public static SmallDisk? TryMount(int megabytes, out string reason)
    {
        reason = "";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            reason = "mounting a small tmpfs needs Linux and root";
            return null;
        }

        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clutch-small-disk-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        if (code != 0)
        {
            Directory.Delete(path);
            reason = "mount -t tmpfs failed: " + error.Trim();
            return null;
        }

        return new SmallDisk(path);
    }

    /// <summary>Fills the disk with a file under <c>.clutch/</c> until at most <paramref name="leaveBytes"/> are free.</summary>
    public void Fill(long leaveBytes = 0)
    {
        var chunk = new byte[64 * 1024];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_filler!)!);
        using (var filler = new FileStream(_filler!, FileMode.Append, FileAccess.Write, FileShare.None, 0))
        {
            try
            {
                while (true)
                {
                    filler.Write(chunk);
                }
            }
            catch (IOException)
            {
                // full
            }

            filler.SetLength(Math.Max(0, filler.Length - leaveBytes));
        }
    }

    /// <summary>Frees what <see cref="Fill"/> took.</summary>
    public void Free() => File.Delete(_filler!);

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // still busy: the OS temp cleaner gets it
        }
    }

    private static (int Code, string Error) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
