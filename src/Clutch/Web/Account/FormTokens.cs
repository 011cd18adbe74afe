using Microsoft.AspNetCore.Antiforgery;

namespace Clutch.Web.Account;

/// <summary>Antiforgery for every form: a token in each page's forms, checked on every POST.</summary>
public static class FormTokens
{
    /// <summary>The one line a POST without a valid antiforgery token is refused with (400).</summary>
    public const string Refusal = "This form is out of date or did not come from this site: reload the page and submit it again.\n";

    /// <summary>Issues the form token (and the antiforgery cookie it pairs with) for a page about to be rendered.</summary>
    public static FormToken Issue(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new FormToken(tokens.FormFieldName, tokens.RequestToken!);
    }

    /// <summary>An endpoint filter that answers 400 (one line) to a request without a valid token.</summary>
    public static async ValueTask<object?> RequireAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return TypedResults.Text(Refusal, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            // A body that is not a form this server can read (too large, too many fields, cut short).
            return TypedResults.Text($"The form could not be read: {e.Message}\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(invocation);
    }
}
