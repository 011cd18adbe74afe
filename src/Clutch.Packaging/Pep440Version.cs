

namespace Clutch.Packaging;

/// <summary>
/// A package version. Valid PEP 440 versions are parsed, normalized and ordered exactly as pip's
/// vendored <c>packaging.version.Version</c>; anything else is kept as a legacy version that sorts
/// below every valid one, deterministically, and never throws.
/// </summary>
/// <remarks>
/// Ordering of valid versions follows packaging's <c>_cmpkey</c>: epoch, release (trailing zeros
/// ignored), pre-release (a &lt; b &lt; rc; a dev-only release sorts before every pre-release),
/// post-release, dev-release, then local segments (absent &lt; present; per segment, text &lt;
/// number, numbers numerically, text by code point, a shorter prefix first).
/// Legacy versions sort below every valid version. Among themselves they are ordered by the key of
/// setuptools' historic <c>LegacyVersion</c> (lower-cased text split into numbers padded to eight
/// digits and <c>*</c>-prefixed words, with <c>pre/preview/rc</c> read as <c>c</c>, <c>dev</c> as
/// <c>@</c>, <c>-</c> as <c>final-</c>), then by ordinal comparison of the original text; so two
/// legacy versions are equal only when their text is identical.
/// </remarks>
public sealed class PackageVersion : IComparable<PackageVersion>, IEquatable<PackageVersion>
{
    private readonly Pep440Parts? _parts;
    private string[]? _legacyKey;
    private int _hash;

    private PackageVersion(string original, Pep440Parts? parts, string normalized)
    {
        Original = original;
        _parts = parts;
        IsValid = parts is not null;
        Normalized = normalized;
        IsDevRelease = parts is { HasDev: true };
        IsPrerelease = parts is not null && (parts.HasDev || parts.PreLabel is not null);
    }

    /// <summary>The text as given.</summary>
    public string Original { get; } = "";

    /// <summary>True for a valid PEP 440 version.</summary>
    public bool IsValid { get; }

    /// <summary>The PEP 440 normalized form (<c>str(Version(x))</c>); the original text for a legacy version.</summary>
    public string Normalized { get; } = "";

    /// <summary>True for pre-releases and dev releases (pip's <c>is_prerelease</c>); legacy versions are not.</summary>
    public bool IsPrerelease { get; }

    /// <summary>True when the version has a <c>.devN</c> segment.</summary>
    public bool IsDevRelease { get; }

    /// <summary>True when a valid version has a <c>+local</c> segment.</summary>
    public bool HasLocal => _parts?.Local is not null;

    /// <summary>True for a valid version with a post-release segment.</summary>
    public bool IsPostRelease => _parts is { HasPost: true };

    /// <summary>Parses any text: valid PEP 440 or legacy. Never throws.</summary>
    public static PackageVersion Parse(string text)
    {
        text ??= "";
        var parts = Pep440Parser.TryParse(text, out var normalized);
        return parts is null ? new PackageVersion(text, null, text) : new PackageVersion(text, parts, normalized);
    }

    /// <summary>Parses a valid PEP 440 version only.</summary>
    public static bool TryParseStrict(string text, out PackageVersion? version)
    {
        version = text is null ? null : Parse(text);
        if (version is { IsValid: true })
        {
            return true;
        }

        version = null;
        return false;
    }

    public int CompareTo(PackageVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        if (ReferenceEquals(this, other))
        {
            return 0;
        }

        var a = _parts;
        var b = other._parts;
        if (a is null || b is null)
        {
            if (a is not null)
            {
                return 1;
            }

            return b is not null ? -1 : CompareLegacy(other);
        }

        var c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0)
        {
            return c;
        }

        var ra = a.ReleaseKey;
        var rb = b.ReleaseKey;
        var n = Math.Min(ra.Length, rb.Length);
        for (var i = 0; i < n; i++)
        {
            c = ra[i].CompareTo(rb[i]);
            if (c != 0)
            {
                return c;
            }
        }

        if (ra.Length != rb.Length)
        {
            return ra.Length < rb.Length ? -1 : 1;
        }

        if (a.PreRank != b.PreRank)
        {
            return a.PreRank < b.PreRank ? -1 : 1;
        }

        if (a.PreRank == 0)
        {
            c = ReferenceEquals(a.PreLabel, b.PreLabel) ? 0 : string.CompareOrdinal(a.PreLabel, b.PreLabel);
            if (c != 0)
            {
                return c < 0 ? -1 : 1;
            }

            c = a.PreNumber.CompareTo(b.PreNumber);
            if (c != 0)
            {
                return c;
            }
        }

        // No post sorts before any post.
        if (a.HasPost != b.HasPost)
        {
            return a.HasPost ? 1 : -1;
        }

        if (a.HasPost)
        {
            c = ReferenceEquals(a.PostLabel, b.PostLabel) ? 0 : string.CompareOrdinal(a.PostLabel, b.PostLabel);
            if (c != 0)
            {
                return c < 0 ? -1 : 1;
            }

            c = a.PostNumber.CompareTo(b.PostNumber);
            if (c != 0)
            {
                return c;
            }
        }

        // No dev sorts after any dev.
        if (a.HasDev != b.HasDev)
        {
            return a.HasDev ? -1 : 1;
        }

        if (a.HasDev)
        {
            c = a.DevNumber.CompareTo(b.DevNumber);
            if (c != 0)
            {
                return c;
            }
        }

        return CompareLocal(a.Local, b.Local);
    }

    private static int CompareLocal(LocalSegment[]? a, LocalSegment[]? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i];
            var y = b[i];
            int c;
            if (x.Text is null && y.Text is null)
            {
                c = x.Number.CompareTo(y.Number);
            }
            else if (x.Text is not null && y.Text is not null)
            {
                c = string.CompareOrdinal(x.Text, y.Text);
            }
            else
            {
                // A text segment sorts before a numeric one.
                c = x.Text is null ? 1 : -1;
            }

            if (c != 0)
            {
                return c < 0 ? -1 : 1;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private int CompareLegacy(PackageVersion other)
    {
        var ka = _legacyKey ??= LegacyVersionKey.Compute(Original);
        var kb = other._legacyKey ??= LegacyVersionKey.Compute(other.Original);
        var n = Math.Min(ka.Length, kb.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(ka[i], kb[i]);
            if (c != 0)
            {
                return c < 0 ? -1 : 1;
            }
        }

        if (ka.Length != kb.Length)
        {
            return ka.Length < kb.Length ? -1 : 1;
        }

        var t = string.CompareOrdinal(Original, other.Original);
        return t < 0 ? -1 : (t > 0 ? 1 : 0);
    }

    public bool Equals(PackageVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => Equals(obj as PackageVersion);

    public override int GetHashCode()
    {
        if (_hash != 0)
        {
            return _hash;
        }

        var p = _parts;
        int h;
        if (p is null)
        {
            h = HashCode.Combine(0x1e9ac7, string.GetHashCode(Original, StringComparison.Ordinal));
        }
        else
        {
            var hc = new HashCode();
            hc.Add(p.Epoch);
            foreach (var r in p.ReleaseKey)
            {
                hc.Add(r);
            }

            hc.Add(p.ReleaseKey.Length);
            hc.Add(p.PreRank);
            hc.Add(p.PreLabel is null ? 0 : string.GetHashCode(p.PreLabel, StringComparison.Ordinal));
            hc.Add(p.PreRank == 0 ? p.PreNumber : VersionNumber.Zero);
            hc.Add(p.HasPost);
            hc.Add(p.PostNumber);
            hc.Add(p.HasPost ? string.GetHashCode(p.PostLabel, StringComparison.Ordinal) : 0);
            hc.Add(p.HasDev);
            hc.Add(p.DevNumber);
            if (p.Local is not null)
            {
                foreach (var seg in p.Local)
                {
                    hc.Add(seg.Text is null ? seg.Number.GetHashCode() : string.GetHashCode(seg.Text, StringComparison.Ordinal));
                }

                hc.Add(p.Local.Length + 1);
            }

            h = hc.ToHashCode();
        }

        _hash = h == 0 ? 1 : h;
        return _hash;
    }

    public override string ToString() => Normalized;

    public static bool operator <(PackageVersion a, PackageVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(PackageVersion a, PackageVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(PackageVersion a, PackageVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(PackageVersion a, PackageVersion b) => a.CompareTo(b) >= 0;
    public static bool operator ==(PackageVersion? a, PackageVersion? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PackageVersion? a, PackageVersion? b) => !(a == b);
}
