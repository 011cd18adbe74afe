namespace Clutch.Packaging;

/// <summary>A project name normalized per PEP 503: lower case, runs of <c>-_.</c> collapsed to <c>-</c>.</summary>
public readonly record struct ProjectName : IComparable<ProjectName>
{
    private ProjectName(string value) => Value = value;

    /// <summary>The normalized form, e.g. <c>foo-bar</c> for <c>Foo_Bar</c>.</summary>
    public string Value { get; }

    /// <summary>Normalizes any string (valid or not) the way pip does for lookups.</summary>
    public static ProjectName Normalize(string name) => throw new NotImplementedException();

    /// <summary>True when <paramref name="name"/> is a valid PEP 508 project name.</summary>
    public static bool IsValid(string name) => throw new NotImplementedException();

    /// <summary>Parses a valid project name; false for names that PEP 508 refuses.</summary>
    public static bool TryParse(string name, out ProjectName result) => throw new NotImplementedException();

    /// <summary>Parses a valid project name or throws <see cref="FormatException"/> naming it.</summary>
    public static ProjectName Parse(string name) => throw new NotImplementedException();

    public int CompareTo(ProjectName other) => string.CompareOrdinal(Value, other.Value);

    public override string ToString() => Value;
}
