namespace Clutch.Packaging;

/// <summary>The kinds of distribution file an index serves.</summary>
public enum DistributionType
{
    Wheel,
    Sdist,
    Egg,
    BdistWininst,
    BdistMsi,
    BdistRpm,
    BdistDmg,
}

/// <summary>Names of <see cref="DistributionType"/> as the index APIs spell them.</summary>
public static class DistributionTypeNames
{
    /// <summary>Warehouse's <c>packagetype</c>: bdist_wheel, sdist, bdist_egg, bdist_wininst, bdist_msi, bdist_rpm, bdist_dmg.</summary>
    public static string ToPackageType(this DistributionType type) => type switch
    {
        DistributionType.Wheel => "bdist_wheel",
        DistributionType.Sdist => "sdist",
        DistributionType.Egg => "bdist_egg",
        DistributionType.BdistWininst => "bdist_wininst",
        DistributionType.BdistMsi => "bdist_msi",
        DistributionType.BdistRpm => "bdist_rpm",
        _ => "bdist_dmg",
    };
}

/// <summary>A parsed distribution filename: wheel, sdist, egg or legacy bdist.</summary>
public sealed record DistributionFilename
{
    /// <summary>The filename as given (no directory part).</summary>
    public required string Filename { get; init; }

    /// <summary>The project name as spelled in the filename.</summary>
    public required string RawName { get; init; }

    public required ProjectName Project { get; init; }

    public required PackageVersion Version { get; init; }

    public required DistributionType Type { get; init; }

    /// <summary>Wheel build tag, when present.</summary>
    public string? BuildTag { get; init; }

    /// <summary>Python tag: <c>py3</c> for wheels, <c>2.7</c> for eggs; <c>source</c> for sdists.</summary>
    public string? PythonTag { get; init; }

    public string? AbiTag { get; init; }

    public string? PlatformTag { get; init; }

    /// <summary>Warehouse's <c>packagetype</c>: bdist_wheel, sdist, bdist_egg, bdist_wininst, bdist_msi, bdist_rpm, bdist_dmg.</summary>
    public string PackageType => Type.ToPackageType();

    /// <summary>
    /// Parses a filename. <paramref name="knownProject"/>, when given (a per-project subfolder),
    /// resolves the name/version split of ambiguous sdist names such as <c>foo-bar-1.0.tar.gz</c>.
    /// </summary>
    public static bool TryParse(string filename, ProjectName? knownProject, out DistributionFilename? result, out string? error)
    {
        result = null;
        error = null;
        if (string.IsNullOrEmpty(filename))
        {
            error = "empty filename";
            return false;
        }

        try
        {
            error = DistributionFilenameParser.Parse(filename, knownProject is { Value: not null } known ? known : null, out result);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A parser bug must not take the caller down; report it like any malformed name.
            error = $"'{filename}': cannot be parsed ({ex.Message})";
            result = null;
        }

        return error is null;
    }

    /// <summary>Parses a filename or throws <see cref="FormatException"/> with a one-line reason.</summary>
    public static DistributionFilename Parse(string filename, ProjectName? knownProject = null)
        => TryParse(filename, knownProject, out var result, out var error) ? result! : throw new FormatException(error);
}
