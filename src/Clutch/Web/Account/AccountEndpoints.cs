using Clutch.Auth;
using Clutch.Packaging;
using Clutch.Storage.Accounts;
using Clutch.Web.Slices;

namespace Clutch.Web.Account;

/// <summary>
/// Sign-in, sign-out and the token pages under <c>/account/</c>. Sign-in takes a user's password
/// (never a token), throttled like every password login; it starts a browser session (a cookie).
/// Every form is checked for its antiforgery token.
/// </summary>
public static class AccountEndpoints
{
    private const int MaxDescriptionLength = 100;

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        var account = routes.MapGroup("/account");
        account.MapGet("/login", (HttpContext context, string? returnUrl) => LoginPage(context, LocalPath(returnUrl), null, null));
        account.MapPost("/login", LoginAsync).AddEndpointFilter(FormTokens.RequireAsync);
        account.MapPost("/logout", (Delegate)LogoutAsync).AddEndpointFilter(FormTokens.RequireAsync);

        var signedIn = account.MapGroup("").RequireAuthorization(ClutchSchemes.SignedInPolicy);
        signedIn.MapGet("/tokens", TokensPageAsync);
        signedIn.MapPost("/tokens", CreateTokenAsync).AddEndpointFilter(FormTokens.RequireAsync);
        signedIn.MapPost("/tokens/{id}/revoke", RevokeTokenAsync).AddEndpointFilter(FormTokens.RequireAsync);
        return routes;
    }

    private static IResult LoginPage(HttpContext context, string returnUrl, string? userName, string? error, int status = StatusCodes.Status200OK)
    {
        AccountPages.NoStore(context);
        return AccountPages.WithStatus(AccountLogin.Create(new LoginPageModel(FormTokens.Issue(context), returnUrl, userName, error)), status);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, Authenticator authenticator)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = LocalPath(form["returnUrl"].ToString());
        if (user.Length == 0 || password.Length == 0)
        {
            return LoginPage(context, returnUrl, user, "Enter your user name and password.");
        }

        var result = await authenticator.CheckPasswordAsync(user, password, context.Connection.RemoteIpAddress, context.RequestAborted);
        switch (result.Outcome)
        {
            case AuthOutcome.Authenticated:
                await BrowserSessions.SignInAsync(context, result.Caller!, authenticator);
                return SeeOther(returnUrl);
            case AuthOutcome.Throttled:
                context.Response.Headers.RetryAfter = result.Throttle.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return LoginPage(context, returnUrl, user, result.Throttle.Message, StatusCodes.Status429TooManyRequests);
            default:
                return LoginPage(context, returnUrl, user, "Wrong user name or password.");
        }
    }

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        await BrowserSessions.SignOutAsync(context);
        return SeeOther("/");
    }

    private static async Task<IResult> TokensPageAsync(HttpContext context, IAccountStore accounts, TimeProvider time)
    {
        var caller = CallerPrincipal.From(context.User)!;
        return await RenderTokensAsync(context, accounts, time, new TokensPageModel(FormTokens.Issue(context), caller.UserName, [], null, null));
    }

    private static async Task<IResult> RenderTokensAsync(
        HttpContext context, IAccountStore accounts, TimeProvider time, TokensPageModel model, int status = StatusCodes.Status200OK)
    {
        AccountPages.NoStore(context);
        var now = time.GetUtcNow();
        var tokens = (await accounts.ListTokensAsync(model.UserName, context.RequestAborted))
            .OrderByDescending(t => t.Created)
            .Select(t => new TokenRow(t.Id, t.Name, t.Project?.Value, t.Created, t.Expires, t.IsExpired(now)))
            .ToList();
        return AccountPages.WithStatus(AccountTokens.Create(model with { Tokens = tokens }), status);
    }

    private static async Task<IResult> CreateTokenAsync(HttpContext context, IAccountStore accounts, ProjectPermissions permissions, TimeProvider time)
    {
        var caller = CallerPrincipal.From(context.User)!;
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var description = form["description"].ToString().Trim();
        var projectText = form["project"].ToString().Trim();
        var expiresText = form["expires_days"].ToString().Trim();
        var model = new TokensPageModel(FormTokens.Issue(context), caller.UserName, [], null, null, description, projectText);

        string? error = null;
        ProjectName? project = null;
        if (description.Length > MaxDescriptionLength)
        {
            error = $"The description is longer than {MaxDescriptionLength} characters.";
        }
        else if (!int.TryParse(expiresText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days)
            || days < 1 || days > TokensPageModel.MaxExpiresDays)
        {
            error = $"Expires in: enter a number of days from 1 to {TokensPageModel.MaxExpiresDays}.";
        }
        else if (projectText.Length > 0 && !ProjectName.IsValid(projectText))
        {
            error = $"'{projectText}' is not a project name.";
        }
        else if (projectText.Length > 0 && !await permissions.CanUploadAsync(caller, (project = ProjectName.Normalize(projectText)).Value, context.RequestAborted))
        {
            error = $"Project '{project}' belongs to others: you may not make a token for it.";
        }
        else
        {
            var now = time.GetUtcNow();
            var (secret, id) = TokenSecrets.Generate();
            await accounts.AddTokenAsync(
                new ApiToken(id, caller.UserName, description.Length == 0 ? null : description, TokenSecrets.Hash(secret), project, now.AddDays(days), now),
                context.RequestAborted);
            return await RenderTokensAsync(context, accounts, time, model with { NewSecret = secret, Description = null, Project = null });
        }

        var shownDays = int.TryParse(expiresText, out var d) ? d : TokensPageModel.DefaultExpiresDays;
        return await RenderTokensAsync(context, accounts, time, model with { Error = error, ExpiresDays = shownDays }, StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> RevokeTokenAsync(HttpContext context, string id, IAccountStore accounts)
    {
        var caller = CallerPrincipal.From(context.User)!;
        var tokens = await accounts.ListTokensAsync(caller.UserName, context.RequestAborted);
        if (!tokens.Any(t => t.Id == id))
        {
            return WebEndpoints.NotFound($"You have no token '{id}'.");
        }

        await accounts.RevokeTokenAsync(id, context.RequestAborted);
        return SeeOther("/account/tokens");
    }

    /// <summary>
    /// Where to go after signing in: a path on this site only (never another host, so the sign-in
    /// page cannot be used to send someone elsewhere); "/" otherwise.
    /// </summary>
    internal static string LocalPath(string? returnUrl) =>
        returnUrl is ['/', ..] && (returnUrl.Length == 1 || returnUrl[1] is not ('/' or '\\')) && !returnUrl.Any(char.IsControl) ? returnUrl : "/";

    /// <summary>303: after a POST, the browser GETs the new address.</summary>
    internal static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
