using Clutch.Packaging;

namespace Clutch.Web.Search;

/// <summary>
/// Search by name and summary. Ranking: the exact name first, then names that start with the
/// query, then names that contain it, then summaries that contain it; alphabetical within each.
/// Names are compared in their normalized form (<c>Foo_Bar</c> finds <c>foo-bar</c>), summaries
/// case-insensitively. A linear scan: 5,000 projects take well under a millisecond.
/// </summary>
public static class ProjectSearch
{
    /// <summary>Longest query looked at (a longer one is cut): nothing longer matches a name, and it bounds the work.</summary>
    public const int MaxQueryLength = 200;

    public static IReadOnlyList<IndexedProject> Find(ProjectIndexSnapshot snapshot, string query)
    {
        query = query.Trim();
        if (query.Length > MaxQueryLength)
        {
            query = query[..MaxQueryLength];
        }

        if (query.Length == 0)
        {
            return [];
        }

        var name = ProjectName.Normalize(query).Value;
        var tiers = new List<IndexedProject>[4];
        for (var i = 0; i < tiers.Length; i++)
        {
            tiers[i] = [];
        }

        foreach (var project in snapshot.Projects)
        {
            var n = project.Name.Value;
            var tier = name.Length == 0 ? -1
                : n.Equals(name, StringComparison.Ordinal) ? 0
                : n.StartsWith(name, StringComparison.Ordinal) ? 1
                : n.Contains(name, StringComparison.Ordinal) ? 2
                : -1;
            if (tier < 0 && project.Summary is { } summary && summary.Contains(query, StringComparison.OrdinalIgnoreCase))
            {
                tier = 3;
            }

            if (tier >= 0)
            {
                tiers[tier].Add(project);
            }
        }

        // The snapshot is in name order, so each tier already is.
        return [.. tiers[0], .. tiers[1], .. tiers[2], .. tiers[3]];
    }
}
