namespace Clutch.Upload;

/// <summary>
/// What a twine upload carried: the form fields (a field may repeat, e.g. <c>classifiers</c>) and
/// the <c>content</c> file, already streamed to a temp file with its digests.
/// </summary>
public sealed class UploadForm : IDisposable
{
    private readonly Dictionary<string, List<string>> _fields = new(StringComparer.Ordinal);

    /// <summary>The client's name for the file (validated before use).</summary>
    public string? Filename { get; set; }

    /// <summary>The temp file holding the content; deleted on dispose unless moved away.</summary>
    public string? TempPath { get; set; }

    public Packaging.FileDigests? Digests { get; set; }

    /// <summary>For a zip (wheel, egg, zip sdist): what the check of its members found as it streamed in.</summary>
    public Packaging.ZipLocalScan? ZipScan { get; set; }

    public string? this[string name] => _fields.TryGetValue(name, out var values) ? values[0] : null;

    public void Add(string name, string value)
    {
        if (!_fields.TryGetValue(name, out var values))
        {
            _fields[name] = values = [];
        }

        values.Add(value);
    }

    /// <summary>A field's value trimmed, or null when absent or blank.</summary>
    public string? Get(string name) => this[name] is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    public string Require(string name) => Get(name) ?? throw UploadRejectedException.BadRequest($"Missing form field '{name}'.");

    public void Dispose()
    {
        if (TempPath is not null && File.Exists(TempPath))
        {
            File.Delete(TempPath);
        }
    }
}
