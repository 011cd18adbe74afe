namespace Clutch.Auth;

/// <summary>
/// Users from an Apache htpasswd file (<c>--htpasswd</c>, bcrypt entries), so pypiserver setups move
/// over as they are. The file is re-read when its modification time changes.
/// </summary>
public sealed class HtpasswdUsers
{
    private readonly string? _path;
    private readonly Lock _lock = new();
    private Dictionary<string, string> _entries = new(StringComparer.Ordinal);
    private DateTime _loadedMtime;

    public HtpasswdUsers(string? path)
    {
        _path = string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
        if (_path is not null && !File.Exists(_path))
        {
            throw new FileNotFoundException($"htpasswd file '{_path}' does not exist.", _path);
        }
    }

    /// <summary>The stored hash of <paramref name="user"/>, or null.</summary>
    public string? FindHash(string user)
    {
        if (_path is null)
        {
            return null;
        }

        lock (_lock)
        {
            var mtime = File.GetLastWriteTimeUtc(_path);
            if (mtime != _loadedMtime)
            {
                _entries = Parse(File.Exists(_path) ? File.ReadAllLines(_path) : []);
                _loadedMtime = mtime;
            }

            return _entries.GetValueOrDefault(user);
        }
    }

    internal static Dictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':');
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            var hash = line[(colon + 1)..];
            // Only bcrypt is accepted: htpasswd's MD5-crypt, SHA1 and crypt(3) entries are too weak to honour.
            if (hash.StartsWith("$2y$", StringComparison.Ordinal) || hash.StartsWith("$2b$", StringComparison.Ordinal)
                || hash.StartsWith("$2a$", StringComparison.Ordinal))
            {
                entries[line[..colon]] = hash;
            }
        }

        return entries;
    }
}
