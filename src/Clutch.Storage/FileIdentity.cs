namespace Clutch.Storage;

/// <summary>
/// Which file a path held when it was indexed, beyond its size and modification time: the inode
/// and the status-change time (ctime). A hand replacement can put size and mtime back
/// (<c>cp -p</c>, <c>touch -r</c>); it cannot put back the ctime of a file written in place, nor
/// the inode of a file moved over the old one. <see cref="Unknown"/> (all zero) where the platform
/// or the store has no such thing (object stores, rows recorded before it was kept).
/// </summary>
public readonly record struct FileIdentity(long Inode, long ChangeTicks)
{
    public static FileIdentity Unknown => default;

    public bool IsKnown => Inode != 0 || ChangeTicks != 0;
}
