using Clutch.Packaging;

namespace Clutch.Storage.Folder;

public sealed partial class FolderIndexer
{
    /// <summary>Brings every <c>.links</c> source in the catalog in line with the files on disk.</summary>
    private async Task ReconcileLinksAsync(List<string> linksFiles, CancellationToken cancellationToken)
    {
        var current = await LoadLinkSourcesAsync(cancellationToken);
        foreach (var path in linksFiles)
        {
            await UpdateLinksFileAsync(path, current, cancellationToken);
        }

        var present = linksFiles.ToHashSet(StringComparer.Ordinal);
        foreach (var source in current.Keys.Where(s => !present.Contains(s)))
        {
            await _catalog.ReplaceDeveloperLinksAsync(source, [], cancellationToken);
            FolderIndexerLog.LinksUpdated(_logger, source, 0);
        }
    }

    /// <summary>Re-reads the given <c>.links</c> files (a missing one removes its links).</summary>
    private async Task UpdateLinksAsync(List<string> linksFiles, CancellationToken cancellationToken)
    {
        var current = await LoadLinkSourcesAsync(cancellationToken);
        foreach (var path in linksFiles)
        {
            await UpdateLinksFileAsync(path, current, cancellationToken);
        }
    }

    private async Task UpdateLinksFileAsync(
        string path, Dictionary<string, HashSet<string>> current, CancellationToken cancellationToken)
    {
        var filename = FileName(path);
        var project = ProjectName.Normalize(filename[..^DeveloperLinks.FileExtension.Length]);
        IReadOnlyList<DeveloperLink> links;
        try
        {
            links = DeveloperLinks.Parse(project, await File.ReadAllTextAsync(FullPath(path), cancellationToken));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            links = [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            FolderIndexerLog.ReadFailed(_logger, path, ex.Message);
            return;
        }

        var before = current.GetValueOrDefault(path);
        if ((before is null && links.Count == 0) || (before is not null && before.SetEquals(links.Select(l => l.Url))))
        {
            return;
        }

        await _catalog.ReplaceDeveloperLinksAsync(path, links, cancellationToken);
        FolderIndexerLog.LinksUpdated(_logger, path, links.Count);
    }

    /// <summary>Links currently recorded per folder source (sources that are <c>.links</c> paths).</summary>
    private async Task<Dictionary<string, HashSet<string>>> LoadLinkSourcesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var link in await _catalog.GetAllDeveloperLinksAsync(cancellationToken))
        {
            if (link.Source is { } source && IsLinksFile(source))
            {
                if (!result.TryGetValue(source, out var urls))
                {
                    urls = new HashSet<string>(StringComparer.Ordinal);
                    result[source] = urls;
                }

                urls.Add(link.Url);
            }
        }

        return result;
    }
}
