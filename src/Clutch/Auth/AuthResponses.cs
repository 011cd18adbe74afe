using Clutch.Http;
using Clutch.Pages;

namespace Clutch.Auth;

/// <summary>The answers to requests without the right credentials: one line of plain text each.</summary>
public static class AuthResponses
{
    /// <summary>The challenge pip needs before it retries with credentials from the URL, keyring or .netrc.</summary>
    public const string Challenge = "Basic realm=\"clutch\"";

    /// <summary>Writes 401, 429 for <paramref name="result"/>; returns false (writes nothing) when authenticated.</summary>
    public static async Task<bool> TryRejectAsync(HttpContext context, AuthResult result, string anonymousMessage)
    {
        switch (result.Outcome)
        {
            case AuthOutcome.Authenticated:
                return false;
            case AuthOutcome.Throttled:
                context.Response.Headers.RetryAfter = result.Throttle.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                PlainText.SetReasonPhrase(context, result.Throttle.Message);
                await PlainText.WriteAsync(context, StatusCodes.Status429TooManyRequests, result.Throttle.Message + "\n");
                return true;
            case AuthOutcome.Invalid:
                context.Response.Headers.WWWAuthenticate = Challenge;
                await PlainText.WriteAsync(context, StatusCodes.Status401Unauthorized, "Invalid username, password or token.\n");
                return true;
            default:
                context.Response.Headers.WWWAuthenticate = Challenge;
                await PlainText.WriteAsync(context, StatusCodes.Status401Unauthorized, anonymousMessage);
                return true;
        }
    }

    /// <summary>
    /// The management APIs' answer for <paramref name="result"/> as problem details: 401 with the
    /// challenge, 429 with Retry-After; null when authenticated.
    /// </summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Problem(HttpContext context, AuthResult result, string anonymousMessage)
    {
        switch (result.Outcome)
        {
            case AuthOutcome.Authenticated:
                return null;
            case AuthOutcome.Throttled:
                context.Response.Headers.RetryAfter = result.Throttle.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(result.Throttle.Message, statusCode: StatusCodes.Status429TooManyRequests);
            default:
                context.Response.Headers.WWWAuthenticate = Challenge;
                return TypedResults.Problem(result.Outcome == AuthOutcome.Invalid ? "Invalid username, password or token." : anonymousMessage, statusCode: StatusCodes.Status401Unauthorized);
        }
    }
}
