using System.Runtime.CompilerServices;
using Clutch.Packaging;

namespace Clutch.Web;

/// <summary>
/// Rendered descriptions, kept as long as the metadata they came from (which the
/// <see cref="Json.ReleaseMetadataCache"/> keeps per project detail): a README is rendered once per change, not per request.
/// </summary>
public sealed class ReadmeCache
{
    private readonly ConditionalWeakTable<CoreMetadata, Box> _rendered = [];

    public Readme? Get(CoreMetadata metadata) =>
        _rendered.GetValue(metadata, static m => new Box(ReadmeRenderer.Render(m.Description, m.DescriptionContentType))).Value;

    private sealed record Box(Readme? Value);
}
