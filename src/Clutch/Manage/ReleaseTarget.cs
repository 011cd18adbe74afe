using Clutch.Packaging;
using Clutch.Reads;
using Clutch.Storage;

namespace Clutch.Manage;

/// <summary>What a yank or delete is about: one file, or every file of one version.</summary>
public sealed record ReleaseTarget
{
    private ReleaseTarget(string? filename, PackageVersion? version)
    {
        Filename = filename;
        Version = version;
    }

    public string? Filename { get; }

    public PackageVersion? Version { get; }

    public static ReleaseTarget File(string filename) => new(filename, null);

    public static ReleaseTarget Release(string version) => new(null, PackageVersion.Parse(version));

    /// <summary>The CLI's <c>VERSION|FILENAME</c>: a distribution filename names a file, anything else a version.</summary>
    public static ReleaseTarget Parse(string text) =>
        DistributionFilename.TryParse(text, null, out _, out _) ? File(text) : Release(text);

    public bool Matches(CatalogFile file) => Filename is not null
        ? string.Equals(file.Filename, Filename, StringComparison.Ordinal)
        : PackageVersion.Parse(file.Version) == Version;

    public override string ToString() => Filename is not null ? $"file '{Filename}'" : $"version '{Version!.Original}'";
}

/// <summary>The files of a project and those of them a target selects.</summary>
public sealed record ReleaseSelection(ProjectName Project, IReadOnlyList<CatalogFile> ProjectFiles, IReadOnlyList<CatalogFile> Selected)
{
    public bool ProjectKnown => ProjectFiles.Count > 0;
}
