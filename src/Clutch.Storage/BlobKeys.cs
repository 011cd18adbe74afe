namespace Clutch.Storage;

/// <summary>Where things live in a blob store, shared by every provider.</summary>
public static class BlobKeys
{
    /// <summary>The store's private area; never served, never indexed.</summary>
    public const string PrivatePrefix = ".clutch/";

    /// <summary>Extracted core metadata blobs (PEP 658), keyed by the distribution's sha256.</summary>
    public const string MetadataPrefix = ".clutch/metadata/";

    /// <summary>The key of the core metadata extracted from the file with <paramref name="fileSha256"/>.</summary>
    public static string Metadata(string fileSha256) => MetadataPrefix + fileSha256 + ".metadata";
}
