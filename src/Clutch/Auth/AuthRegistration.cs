using Clutch.Hosting;

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
        return services;
    }

    /// <summary>
    /// With <see cref="ClutchOptions.Private"/>, every request but health checks, uploads and the
    /// management API (which authenticate themselves, with their own answers) needs valid credentials.
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
            if (path.StartsWithSegments("/health") || path.StartsWithSegments("/api") || HttpMethods.IsPost(context.Request.Method))
            {
                await next(context);
                return;
            }

            var authenticator = context.RequestServices.GetRequiredService<Authenticator>();
            var result = await authenticator.AuthenticateAsync(context);
            if (!await AuthResponses.TryRejectAsync(context, result, "This index is private: credentials are required.\n"))
            {
                await next(context);
            }
        });
    }
}
