using Clutch.Cli;
using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Migrate;

/// <summary>Where a migration stands, for a progress display.</summary>
public readonly record struct MigrationProgress(int FilesDone, int FilesTotal, long BytesDone, long BytesTotal, string Current);

/// <summary>What a migration did; <see cref="Failures"/> lists every file it could not copy exactly.</summary>
public sealed record MigrationReport(
    int Copied, int AlreadyThere, long BytesCopied, int Users, int Tokens, int Roles, int Tombstones, int DeveloperLinks, IReadOnlyList<string> Failures);

/// <summary>
/// Copies one index (catalog and blobs) into other stores: every file's bytes (checked against the
/// catalog's sha256 as they stream through), its PEP 658 metadata, then its catalog row, so the
/// target never lists a file whose bytes are not there; then developer links, users, tokens, roles
/// and tombstones. It only reads the source. A file the target already lists with the same sha256
/// is skipped, so a migration that was interrupted resumes where it stopped.
/// </summary>
public sealed class Migrator(StorageSession source, StorageSession target)
{
    private const int RowBatch = 200;

    /// <summary>Files copied at once: an object store answers each request in a network round trip, so copies overlap.</summary>
    private const int Concurrency = 8;

    public async Task<MigrationReport> RunAsync(IProgress<MigrationProgress>? progress, CancellationToken cancellationToken)
    {
        // A file row does not carry its project's display name (the project row does): set it, so the
        // target lists "Beta_Pkg" as the source did, not only the normalized "beta-pkg".
        var displayNames = (await source.Catalog.ListProjectsAsync(cancellationToken)).ToDictionary(p => p.Name, p => p.DisplayName);
        var files = (await source.Catalog.GetAllFilesAsync(cancellationToken))
            .Select(f => f.ProjectDisplayName is null && displayNames.TryGetValue(f.Project, out var display) ? f with { ProjectDisplayName = display } : f)
            .ToList();
        var there = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in await target.Catalog.GetAllFilesAsync(cancellationToken))
        {
            there[f.Filename] = f.Sha256;
        }

        var toCopy = files.Where(f => !(there.TryGetValue(f.Filename, out var sha) && string.Equals(sha, f.Sha256, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        var failures = new List<string>();
        var bytesTotal = toCopy.Sum(f => f.Size);
        long bytesDone = 0;
        var done = 0;
        var gate = new Lock();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken };
        progress?.Report(new MigrationProgress(0, toCopy.Count, 0, bytesTotal, ""));
        foreach (var chunk in toCopy.Chunk(RowBatch))
        {
            // The chunk's files are copied (several at once), then its rows written: a row never comes before its bytes.
            var copied = new List<CatalogFile>(chunk.Length);
            await Parallel.ForEachAsync(chunk, parallel, async (file, token) =>
            {
                var problem = there.ContainsKey(file.Filename)
                    ? $"{file.Filename}: the target already lists other bytes under this filename"
                    : await CopyFileAsync(file, token) is { } why ? $"{file.Path}: {why}" : null;
                lock (gate)
                {
                    if (problem is null)
                    {
                        copied.Add(file);
                    }
                    else
                    {
                        failures.Add(problem);
                    }

                    bytesDone += file.Size;
                    done++;
                    progress?.Report(new MigrationProgress(done, toCopy.Count, bytesDone, bytesTotal, file.Path));
                }
            });
            if (copied.Count > 0)
            {
                await target.Catalog.UpsertFilesAsync(copied, cancellationToken);
            }
        }

        failures.Sort(StringComparer.Ordinal);
        progress?.Report(new MigrationProgress(done, toCopy.Count, bytesDone, bytesTotal, ""));
        var links = await CopyDeveloperLinksAsync(cancellationToken);
        var (users, tokens, roles) = await CopyAccountsAsync(cancellationToken);
        var tombstones = await source.DeletedFiles.ListAsync(cancellationToken);
        if (tombstones.Count > 0)
        {
            await target.DeletedFiles.AddAsync(tombstones, cancellationToken);
        }

        return new MigrationReport(toCopy.Count - failures.Count, files.Count - toCopy.Count, bytesDone, users, tokens, roles, tombstones.Count, links, failures);
    }

    /// <summary>Copies a file's bytes and metadata; null when done, else what went wrong.</summary>
    private async Task<string?> CopyFileAsync(CatalogFile file, CancellationToken cancellationToken)
    {
        if (file.MetadataSha256 is { } metadataSha256)
        {
            var key = BlobKeys.Metadata(file.Sha256);
            byte[] metadata;
            try
            {
                await using var read = await source.Blobs.OpenReadAsync(key, cancellationToken);
                using var buffer = new MemoryStream();
                await read.CopyToAsync(buffer, cancellationToken);
                metadata = buffer.ToArray();
            }
            catch (FileNotFoundException)
            {
                return "its metadata file is missing from the source";
            }

            if (!string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(metadata)), metadataSha256, StringComparison.OrdinalIgnoreCase))
            {
                return "its metadata file in the source does not match the catalog's sha256";
            }

            using var content = new MemoryStream(metadata, writable: false);
            if (await target.Blobs.PutAsync(key, content, metadataSha256, cancellationToken) == BlobPutResult.Conflict)
            {
                return "the target holds other metadata bytes under " + key;
            }
        }

        HashingReadStream hashing;
        try
        {
            hashing = new HashingReadStream(await source.Blobs.OpenReadAsync(file.Path, cancellationToken));
        }
        catch (FileNotFoundException)
        {
            return "missing from the source blob store";
        }

        await using (hashing)
        {
            var result = await target.Blobs.PutAsync(file.Path, hashing, file.Sha256, cancellationToken);
            switch (result)
            {
                case BlobPutResult.Conflict:
                    return "the target holds other bytes under this key";
                case BlobPutResult.SameBytes:
                    return null; // copied before an interruption; the target store checked its sha256
                default:
                    var read = hashing.Sha256();
                    if (!string.Equals(read, file.Sha256, StringComparison.OrdinalIgnoreCase))
                    {
                        await target.Blobs.DeleteAsync(file.Path, CancellationToken.None);
                        return $"the source bytes have sha256 {read}, the catalog says {file.Sha256}: not copied";
                    }

                    return null;
            }
        }
    }

    private async Task<int> CopyDeveloperLinksAsync(CancellationToken cancellationToken)
    {
        var links = await source.Catalog.GetAllDeveloperLinksAsync(cancellationToken);
        foreach (var group in links.GroupBy(l => l.Source ?? "api", StringComparer.Ordinal))
        {
            await target.Catalog.ReplaceDeveloperLinksAsync(group.Key, group.ToList(), cancellationToken);
        }

        return links.Count;
    }

    private async Task<(int Users, int Tokens, int Roles)> CopyAccountsAsync(CancellationToken cancellationToken)
    {
        var users = await source.Accounts.ListUsersAsync(cancellationToken);
        foreach (var user in users)
        {
            if (!await target.Accounts.AddUserAsync(user, cancellationToken))
            {
                await target.Accounts.SetPasswordHashAsync(user.Name, user.PasswordHash, cancellationToken);
            }
        }

        var tokens = await source.Accounts.ListTokensAsync(null, cancellationToken);
        foreach (var token in tokens)
        {
            if (await target.Accounts.FindTokenByHashAsync(token.Hash, cancellationToken) is null)
            {
                await target.Accounts.AddTokenAsync(token, cancellationToken);
            }
        }

        var roles = await source.Accounts.ListRolesAsync(null, cancellationToken);
        foreach (var role in roles)
        {
            await target.Accounts.GrantAsync(role.Project, role.UserName, role.Role, cancellationToken);
        }

        return (users.Count, tokens.Count, roles.Count);
    }
}
