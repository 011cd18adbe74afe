using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Clutch.Auth;

/// <summary>
/// HTTP Basic (a password, or <c>__token__</c> and an API token) as an ASP.NET Core authentication
/// scheme, for clients. The checking is <see cref="Authenticator"/>'s, done once per request; the
/// challenge is the same one-line 401 (or 429 while throttled) the upload and management APIs answer.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Authenticator authenticator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await authenticator.AuthenticateAsync(Context);
        return result.Outcome switch
        {
            AuthOutcome.Authenticated => AuthenticateResult.Success(new AuthenticationTicket(CallerPrincipal.Create(result.Caller!, Scheme.Name), Scheme.Name)),
            AuthOutcome.Anonymous => AuthenticateResult.NoResult(),
            AuthOutcome.Throttled => AuthenticateResult.Fail(result.Throttle.Message),
            _ => AuthenticateResult.Fail("Invalid username, password or token."),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties) =>
        await AuthResponses.TryRejectAsync(Context, await authenticator.AuthenticateAsync(Context), "Credentials are required.\n");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Http.PlainText.WriteAsync(Context, StatusCodes.Status403Forbidden, "These credentials may not do this.\n");
}
