using Clutch.Web.Slices;

namespace Clutch.Web.Account;

/// <summary>What every account and owner page shares: its headers, and the short message page.</summary>
internal static class AccountPages
{
    /// <summary>
    /// An account page is not read as anything but HTML and sends no address elsewhere. (Issuing
    /// its form token marks it as never to be stored; <see cref="WebPage"/> adds the policy.)
    /// </summary>
    public static void NoStore(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
    }

    /// <summary>An HTML page of one sentence with <paramref name="status"/>.</summary>
    public static IResult Message(HttpContext context, int status, string title, string message)
    {
        NoStore(context);
        return WithStatus(AccountMessage.Create(new MessagePageModel(title, message)), status);
    }

    /// <summary>A rendered page answered with <paramref name="status"/>.</summary>
    public static IResult WithStatus(RazorSlices.RazorSlice slice, int status) => new WebPage(slice, status);
}
