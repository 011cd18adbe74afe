using Clutch.Packaging;
using Clutch.Pages;
using Clutch.Reads;
using Clutch.Storage;

namespace Clutch.Json;

/// <summary>
/// Core metadata of a release for the JSON API: the extracted wheel metadata when there is one,
/// otherwise read out of the sdist or egg itself (bounded inspection). Unreadable → null, not an error.
/// </summary>
public sealed class ReleaseMetadataReader(IBlobStore blobs, ILogger<ReleaseMetadataReader> logger)
{
    public async Task<CoreMetadata?> ReadAsync(Release release, CancellationToken cancellationToken)
    {
        foreach (var f in release.Files)
        {
            if (f.MetadataSha256 is null)
            {
                continue;
            }

            try
            {
                await using var s = await blobs.OpenReadAsync(BlobKeys.Metadata(f.Sha256), cancellationToken);
                using var buffer = new MemoryStream();
                await s.CopyToAsync(buffer, cancellationToken);
                return CoreMetadata.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            }
            catch (FileNotFoundException)
            {
                // Fall through to inspecting an archive.
            }
        }

        foreach (var f in release.Files)
        {
            if (!DistributionFilename.TryParse(f.Filename, f.Project, out var name, out _))
            {
                continue;
            }

            try
            {
                await using var s = await blobs.OpenReadAsync(f.Path, cancellationToken);
                var result = await ArchiveInspector.InspectAsync(s, name!, ArchiveLimits.Default, cancellationToken);
                if (result is not null)
                {
                    return result.Metadata;
                }
            }
            catch (Exception e) when (e is InvalidArchiveException or IOException)
            {
                logger.LogWarning("Cannot read metadata of {File}: {Reason}", f.Filename, e.Message);
            }
        }

        return null;
    }
}
