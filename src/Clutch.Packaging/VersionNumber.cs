namespace Clutch.Packaging;

/// <summary>
/// A non-negative integer of any size from a version: a <c>long</c> up to 18 digits (the common
/// case, compared without allocation), else its digit string without leading zeros.
/// </summary>
internal readonly struct VersionNumber : IComparable<VersionNumber>, IEquatable<VersionNumber>
{
    private const int MaxSmallDigits = 18;

    private readonly long _small;
    private readonly string? _big;

    private VersionNumber(long small, string? big)
    {
        _small = small;
        _big = big;
    }

    public static VersionNumber Zero => default;

    public bool IsZero => _big is null && _small == 0;

    public static VersionNumber Parse(ReadOnlySpan<char> digits)
    {
        var i = 0;
        while (i < digits.Length - 1 && digits[i] == '0')
        {
            i++;
        }

        digits = digits[i..];
        if (digits.Length > MaxSmallDigits)
        {
            return new VersionNumber(0, digits.ToString());
        }

        long value = 0;
        foreach (var c in digits)
        {
            value = (value * 10) + (c - '0');
        }

        return new VersionNumber(value, null);
    }

    public int CompareTo(VersionNumber other)
    {
        if (_big is null && other._big is null)
        {
            return _small.CompareTo(other._small);
        }

        // A big number has more than 18 significant digits, so it exceeds every small one.
        if (_big is null)
        {
            return -1;
        }

        if (other._big is null)
        {
            return 1;
        }

        if (_big.Length != other._big.Length)
        {
            return _big.Length < other._big.Length ? -1 : 1;
        }

        return Math.Sign(string.CompareOrdinal(_big, other._big));
    }

    public bool Equals(VersionNumber other) => _small == other._small && string.Equals(_big, other._big, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is VersionNumber other && Equals(other);

    public override int GetHashCode() => _big is null ? _small.GetHashCode() : string.GetHashCode(_big, StringComparison.Ordinal);

    public override string ToString() => _big ?? _small.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
