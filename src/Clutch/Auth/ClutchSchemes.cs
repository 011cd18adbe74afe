namespace Clutch.Auth;

/// <summary>The names of the authentication schemes and authorization policies.</summary>
public static class ClutchSchemes
{
    /// <summary>Picks <see cref="Basic"/> for a request with an Authorization header, else <see cref="Session"/>.</summary>
    public const string Default = "Clutch";

    /// <summary>HTTP Basic: clients (pip, twine, CI) with a password or an API token.</summary>
    public const string Basic = "Basic";

    /// <summary>The browser's session cookie, set by the sign-in form.</summary>
    public const string Session = "Session";

    /// <summary>A signed-in browser; without a session, a redirect to the sign-in page.</summary>
    public const string SignedInPolicy = "SignedIn";
}
