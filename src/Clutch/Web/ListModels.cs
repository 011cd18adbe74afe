using Clutch.Web.Search;

namespace Clutch.Web;

/// <summary>Where a paged list is: page numbers from 1, and the links to the pages beside it.</summary>
public sealed record Pager(int Page, int Pages, int Total, string? PreviousUrl, string? NextUrl)
{
    /// <summary>Projects per page on <c>/search/</c> and <c>/projects/</c>.</summary>
    public const int PageSize = 50;

    /// <summary>The page <paramref name="requested"/> of <paramref name="total"/> items; <paramref name="url"/> makes a page's link.</summary>
    public static Pager For(int requested, int total, Func<int, string> url)
    {
        var pages = Math.Max(1, (total + PageSize - 1) / PageSize);
        var page = Math.Clamp(requested, 1, pages);
        return new Pager(page, pages, total, page > 1 ? url(page - 1) : null, page < pages ? url(page + 1) : null);
    }

    /// <summary>The items of this page.</summary>
    public IReadOnlyList<T> Slice<T>(IReadOnlyList<T> items) => items.Skip((Page - 1) * PageSize).Take(PageSize).ToList();

    /// <summary>The number of this page's first item (for <c>&lt;ol start&gt;</c>).</summary>
    public int First => ((Page - 1) * PageSize) + 1;

    /// <summary>The page number from a <c>page</c> query value; 1 for anything that is not a positive number.</summary>
    public static int Parse(string? value) => int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 1;
}

/// <summary>One page of a project list.</summary>
public sealed record ProjectListModel(IReadOnlyList<IndexedProject> Items, Pager Pager);

/// <summary><c>/search/?q=</c>: the query (null when none was given) and its results.</summary>
public sealed record SearchPageModel(string? Query, ProjectListModel? Results);

/// <summary>The home page: this server's address, counts, and the latest uploads.</summary>
public sealed record HomePageModel(string BaseUrl, int ProjectCount, long FileCount, IReadOnlyList<IndexedProject> LatestUploads);

/// <summary>The help page: client configuration for this server's address.</summary>
public sealed record HelpPageModel(string BaseUrl);
