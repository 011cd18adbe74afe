using System.Security.Claims;
using Clutch.Packaging;

namespace Clutch.Auth;

/// <summary>
/// A <see cref="Caller"/> as the claims of an ASP.NET Core principal and back: the Basic scheme and
/// the browser session both produce one, and every permission check reads the caller from it.
/// </summary>
public static class CallerPrincipal
{
    private const string AdminClaim = "clutch:admin";
    private const string TokenClaim = "clutch:token";
    private const string TokenProjectClaim = "clutch:token-project";
    private const string TokenIndexClaim = "clutch:token-index";

    /// <summary>The claim a browser session keeps its <see cref="Authenticator.CredentialStampAsync"/> in.</summary>
    public const string StampClaim = "clutch:stamp";

    public static ClaimsPrincipal Create(Caller caller, string scheme, string? stamp = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, caller.UserName) };
        if (caller.IsAdmin)
        {
            claims.Add(new Claim(AdminClaim, "true"));
        }

        if (caller.TokenId is { } token)
        {
            claims.Add(new Claim(TokenClaim, token));
        }

        if (caller.TokenProject is { } project)
        {
            claims.Add(new Claim(TokenProjectClaim, project.Value));
        }

        if (caller.TokenIndex is { } index)
        {
            claims.Add(new Claim(TokenIndexClaim, index));
        }

        if (stamp is not null)
        {
            claims.Add(new Claim(StampClaim, stamp));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller a signed-in principal stands for; null when not signed in.</summary>
    public static Caller? From(ClaimsPrincipal? principal)
    {
        if (principal?.Identity is not { IsAuthenticated: true, Name: { } name })
        {
            return null;
        }

        var project = principal.FindFirstValue(TokenProjectClaim);
        return new Caller(
            name,
            principal.HasClaim(AdminClaim, "true"),
            principal.FindFirstValue(TokenClaim),
            project is null ? null : ProjectName.Normalize(project),
            principal.FindFirstValue(TokenIndexClaim));
    }
}
