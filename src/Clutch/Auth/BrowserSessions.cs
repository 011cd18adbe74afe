using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Clutch.Auth;

/// <summary>
/// Browser sessions: a cookie (encrypted with the shared key ring) naming the user and the
/// credential stamp they signed in with. A session ends at sign-out, after 12 hours without a
/// request, or as soon as the user's password or admin flag changes or the user is removed.
/// </summary>
public static class BrowserSessions
{
    /// <summary>Starts a session for <paramref name="caller"/> (a password sign-in, never a token).</summary>
    public static async Task SignInAsync(HttpContext context, Caller caller, Authenticator authenticator)
    {
        var stamp = await authenticator.CredentialStampAsync(caller.UserName, context.RequestAborted);
        var principal = CallerPrincipal.Create(caller with { TokenId = null, TokenProject = null, TokenIndex = null }, ClutchSchemes.Session, stamp);
        await context.SignInAsync(ClutchSchemes.Session, principal, new AuthenticationProperties { IsPersistent = false });
    }

    public static Task SignOutAsync(HttpContext context) => context.SignOutAsync(ClutchSchemes.Session);

    /// <summary>Rejects a session whose user is gone or whose password or admin flag changed since sign-in.</summary>
    internal static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var authenticator = context.HttpContext.RequestServices.GetRequiredService<Authenticator>();
        var name = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirst(CallerPrincipal.StampClaim)?.Value;
        if (name is null || stamp is null || await authenticator.CredentialStampAsync(name, context.HttpContext.RequestAborted) != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ClutchSchemes.Session);
        }
    }

    /// <summary>A signed-in user without the right: 403 with one line, not a redirect.</summary>
    internal static Task ForbiddenAsync(RedirectContext<CookieAuthenticationOptions> context) =>
        Http.PlainText.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "You may not do this.\n");
}
