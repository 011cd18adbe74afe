using System.Runtime.InteropServices;

namespace Clutch.Storage.Folder;

/// <summary>
/// Moves a finished temp file into place only if the destination does not exist, atomically: of
/// any number of racing writers exactly one wins. <see cref="File.Move(string, string, bool)"/>
/// without overwrite checks then renames on Unix, which two writers can both pass; a hard link
/// fails with EEXIST instead.
/// </summary>
internal static partial class NoReplaceMove
{
    /// <summary>True when <paramref name="source"/> now lives at <paramref name="destination"/>; false when the destination existed.</summary>
    public static bool TryMove(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is already atomic and exclusive.
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }

        if (Link(source, destination) == 0)
        {
            File.Delete(source);
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (File.Exists(destination))
        {
            return false;
        }

        throw new IOException($"Cannot move '{source}' to '{destination}': link failed with errno {errno}.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
