using Clutch.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Clutch.Auth;

/// <summary>Registers authentication and, with <c>--private</c>, guards every read.</summary>
public static class AuthRegistration
{
    public static IServiceCollection AddClutchAuth(this IServiceCollection services, ClutchOptions options)
    {
        services.AddSingleton(new HtpasswdUsers(options.Htpasswd));
        services.AddSingleton(sp => new FailureThrottle(
            options.AuthFailureLimit, options.AuthFailureAddressLimit, TimeSpan.FromSeconds(options.AuthFailureWindowSeconds), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton(sp => new Authenticator(
            sp.GetRequiredService<Storage.Accounts.IAccountStore>(), sp.GetRequiredService<HtpasswdUsers>(),
            sp.GetRequiredService<FailureThrottle>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<ProjectPermissions>();

        // Before anything adds data protection: its own hosted service reads the key ring at start
        // and would make a key on an empty ring, on every node at once.
        services.AddHostedService<WebKeyRingStartup>();

        // One set of schemes for clients and browsers: a request with an Authorization header is a
        // client (Basic: password or token); any other is a browser, whose session is a cookie.
        services.AddAuthentication(ClutchSchemes.Default)
            .AddPolicyScheme(ClutchSchemes.Default, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? ClutchSchemes.Basic : ClutchSchemes.Session)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(ClutchSchemes.Basic, null)
            .AddCookie(ClutchSchemes.Session, o =>
            {
                o.Cookie.Name = "clutch_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                // Secure whenever the page came over HTTPS (always, behind a TLS front end that says so).
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.SlidingExpiration = true;
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = PathString.Empty;
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnValidatePrincipal = BrowserSessions.ValidateAsync;
                o.Events.OnRedirectToAccessDenied = BrowserSessions.ForbiddenAsync;
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(ClutchSchemes.SignedInPolicy, p => p.AddAuthenticationSchemes(ClutchSchemes.Session).RequireAuthenticatedUser());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "clutch_antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__antiforgery";
        });
        services.AddDataProtection().SetApplicationName("clutch");
        services.AddOptions<KeyManagementOptions>().Configure<Storage.Accounts.IAccountStore>((o, accounts) => o.XmlRepository = new CatalogKeyRing(accounts));
        return services;
    }

    /// <summary>
    /// With <see cref="ClutchOptions.Private"/>, every request but health checks, uploads and the
    /// management API (which authenticate themselves, with their own answers), the sign-in page and
    /// the stylesheet needs valid credentials: a browser session, or Basic credentials. A browser
    /// without a session asking for a page is sent to sign in; a client gets the 401 pip expects.
    /// </summary>
    public static IApplicationBuilder UsePrivateReads(this IApplicationBuilder app, ClutchOptions options)
    {
        if (!options.Private)
        {
            return app;
        }

        return app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/health") || path.StartsWithSegments("/api") || path.StartsWithSegments("/static")
                || path.StartsWithSegments("/account/login") || HttpMethods.IsPost(context.Request.Method))
            {
                await next(context);
                return;
            }

            if (context.Request.Headers.Authorization.Count == 0)
            {
                var session = await context.AuthenticateAsync(ClutchSchemes.Session);
                if (session.Succeeded)
                {
                    context.User = session.Principal;
                    await next(context);
                    return;
                }

                if (IsPage(path))
                {
                    var returnUrl = path.Value + context.Request.QueryString.Value;
                    context.Response.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
                    return;
                }
            }

            var authenticator = context.RequestServices.GetRequiredService<Authenticator>();
            var result = await authenticator.AuthenticateAsync(context);
            if (!await AuthResponses.TryRejectAsync(context, result, "This index is private: credentials are required.\n"))
            {
                await next(context);
            }
        });
    }

    /// <summary>The pages for people (as opposed to the client APIs: simple, links, files, JSON, uploads).</summary>
    private static bool IsPage(PathString path) =>
        path == "/" || path.StartsWithSegments("/project") || path.StartsWithSegments("/projects") || path.StartsWithSegments("/search")
        || path.StartsWithSegments("/help") || path.StartsWithSegments("/account");
}
