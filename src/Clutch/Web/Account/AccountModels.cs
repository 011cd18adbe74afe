using Clutch.Manage;

namespace Clutch.Web.Account;

/// <summary>The hidden field every form carries: the antiforgery token paired with the browser's antiforgery cookie.</summary>
public sealed record FormToken(string Name, string Value);

/// <summary>The sign-in page; <see cref="Error"/> after a refused attempt.</summary>
public sealed record LoginPageModel(FormToken Form, string ReturnUrl, string? UserName, string? Error);

/// <summary>One of the signed-in user's tokens, as listed.</summary>
public sealed record TokenRow(string Id, string? Description, string? Project, DateTimeOffset Created, DateTimeOffset? Expires, bool Expired);

/// <summary>
/// <c>/account/tokens</c>: the user's tokens, the form that makes one, and (once, right after it was
/// made) a new token's secret.
/// </summary>
public sealed record TokensPageModel(
    FormToken Form, string UserName, IReadOnlyList<TokenRow> Tokens, string? NewSecret, string? Error,
    string? Description = null, string? Project = null, int ExpiresDays = TokensPageModel.DefaultExpiresDays)
{
    public const int DefaultExpiresDays = 90;
    public const int MaxExpiresDays = 366;
}

/// <summary>The confirmation page of an owner's yank, unyank or delete of one version.</summary>
public sealed record ReleaseActionModel(
    FormToken Form, string Project, string DisplayName, string Version, ManageAction Action, IReadOnlyList<string> Files, string? Error)
{
    public string Verb => Action switch { ManageAction.Yank => "Yank", ManageAction.Unyank => "Unyank", _ => "Delete" };

    public string Path => $"/project/{Project}/{Uri.EscapeDataString(Version)}/{Verb.ToLowerInvariant()}";
}

/// <summary>A page that only says something: a refusal, a missing page, a wait.</summary>
public sealed record MessagePageModel(string Title, string Message);
