namespace Clutch.Packaging;

/// <summary>
/// A package version. Valid PEP 440 versions are parsed, normalized and ordered exactly as pip's
/// vendored <c>packaging.version.Version</c>; anything else is kept as a legacy version that sorts
/// below every valid one, deterministically, and never throws.
/// </summary>
public sealed class PackageVersion : IComparable<PackageVersion>, IEquatable<PackageVersion>
{
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

    /// <summary>Parses any text: valid PEP 440 or legacy. Never throws.</summary>
    public static PackageVersion Parse(string text) => throw new NotImplementedException();

    /// <summary>Parses a valid PEP 440 version only.</summary>
    public static bool TryParseStrict(string text, out PackageVersion? version) => throw new NotImplementedException();

    public int CompareTo(PackageVersion? other) => throw new NotImplementedException();

    public bool Equals(PackageVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => Equals(obj as PackageVersion);

    public override int GetHashCode() => throw new NotImplementedException();

    public override string ToString() => Normalized;

    public static bool operator <(PackageVersion a, PackageVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(PackageVersion a, PackageVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(PackageVersion a, PackageVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(PackageVersion a, PackageVersion b) => a.CompareTo(b) >= 0;
    public static bool operator ==(PackageVersion? a, PackageVersion? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PackageVersion? a, PackageVersion? b) => !(a == b);
}
