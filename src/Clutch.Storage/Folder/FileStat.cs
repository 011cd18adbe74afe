using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Clutch.Storage.Folder;

/// <summary>What one stat of a file gives the folder indexer and the downloads.</summary>
public readonly record struct FileStatus(long Size, long MtimeTicks, FileIdentity Identity, bool IsRegularFile);

/// <summary>
/// stat of a path or of an open handle with the inode and ctime, which .NET does not expose: Linux
/// <c>statx(2)</c> through glibc (its buffer has one layout on every architecture). Elsewhere, or
/// where the kernel refuses statx, size and mtime only, with <see cref="FileIdentity.Unknown"/>.
/// One call per file, as the runtime's own stat: a reconcile of 100,000 files costs no more.
/// </summary>
public static unsafe partial class FileStat
{
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int Enosys = 38;
    private const int Eperm = 1;
    private const int BufferSize = 256;

    private static volatile bool s_statxMissing = !OperatingSystem.IsLinux();

    /// <summary>The status of <paramref name="path"/> (symlinks followed, like opening it), or null when nothing is there.</summary>
    public static FileStatus? Of(string path) => Of(path.AsSpan());

    /// <inheritdoc cref="Of(string)"/>
    public static FileStatus? Of(ReadOnlySpan<char> path)
    {
        if (!s_statxMissing)
        {
            var length = Encoding.UTF8.GetByteCount(path);
            byte[]? rented = null;
            var utf8 = length < 1024 ? stackalloc byte[length + 1] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length + 1));
            try
            {
                utf8[Encoding.UTF8.GetBytes(path, utf8)] = 0;
                var buffer = stackalloc byte[BufferSize];
                fixed (byte* p = utf8)
                {
                    if (TryStatx(AtFdCwd, p, 0, buffer) is { } found)
                    {
                        return found;
                    }
                }

                if (!s_statxMissing)
                {
                    return null; // ENOENT, ENOTDIR, EACCES, ELOOP …: nothing this process can serve
                }
            }
            finally
            {
                if (rented is not null)
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }

        var info = new FileInfo(path.ToString());
        if (info.Exists)
        {
            return new FileStatus(info.Length, info.LastWriteTimeUtc.Ticks, FileIdentity.Unknown, true);
        }

        return Directory.Exists(info.FullName) ? new FileStatus(0, 0, FileIdentity.Unknown, false) : null;
    }

    /// <summary>The status of an open file (fstat: no path lookup); size only where statx is missing.</summary>
    public static FileStatus Of(SafeFileHandle handle)
    {
        if (!s_statxMissing)
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var buffer = stackalloc byte[BufferSize];
                byte empty = 0;
                if (TryStatx((int)handle.DangerousGetHandle(), &empty, AtEmptyPath, buffer) is { } found)
                {
                    return found;
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        return new FileStatus(RandomAccess.GetLength(handle), 0, FileIdentity.Unknown, true);
    }

    /// <summary>
    /// One statx call; null when it failed. Where the C library has no statx (glibc before 2.28) or
    /// the kernel or a sandbox refuses it (ENOSYS, EPERM), <see cref="s_statxMissing"/> is set and
    /// the callers fall back to what .NET gives.
    /// </summary>
    private static FileStatus? TryStatx(int dirfd, byte* path, int flags, byte* buffer)
    {
        try
        {
            if (Statx(dirfd, path, flags, StatxBasicStats, buffer) == 0)
            {
                return Read(buffer);
            }

            if (Marshal.GetLastPInvokeError() is Enosys or Eperm)
            {
                s_statxMissing = true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            s_statxMissing = true;
        }

        return null;
    }

    /// <summary>struct statx: stx_mode at 28, stx_ino at 32, stx_size at 40, stx_ctime at 96, stx_mtime at 112.</summary>
    private static FileStatus Read(byte* buffer)
    {
        var mode = *(ushort*)(buffer + 28);
        var inode = *(long*)(buffer + 32);
        var size = *(long*)(buffer + 40);
        return new FileStatus(size, Ticks(buffer + 112), new FileIdentity(inode, Ticks(buffer + 96)), (mode & 0xF000) == 0x8000);
    }

    /// <summary>A statx_timestamp (seconds, nanoseconds) as UTC ticks, as <see cref="File.GetLastWriteTimeUtc(string)"/> gives them.</summary>
    private static long Ticks(byte* timestamp) =>
        DateTime.UnixEpoch.Ticks + (*(long*)timestamp * TimeSpan.TicksPerSecond) + (*(uint*)(timestamp + 8) / 100);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);
}
