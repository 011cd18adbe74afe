namespace Clutch.Web;

/// <summary>What the layout shows around every page: the title, and the search box's text.</summary>
public sealed record LayoutModel(string Title, string? Query = null);
