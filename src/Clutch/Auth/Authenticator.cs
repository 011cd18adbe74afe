using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Clutch.Storage.Accounts;

namespace Clutch.Auth;

public enum AuthOutcome
{
    /// <summary>No credentials were sent.</summary>
    Anonymous,
    Authenticated,

    /// <summary>Credentials were sent and are wrong (or malformed, expired, revoked).</summary>
    Invalid,

    /// <summary>Too many failures from this client: answer 429 without checking.</summary>
    Throttled,
}

/// <summary>The outcome of a request's credentials; <see cref="Throttle"/> says how long a throttled login waits, and why.</summary>
public readonly record struct AuthResult(AuthOutcome Outcome, Caller? Caller = null, ThrottleVerdict Throttle = default);

/// <summary>
/// HTTP Basic authentication: a user's name and password, or <c>__token__</c> and an API token.
/// The result is kept on the request, so middleware and endpoints check credentials once.
/// </summary>
public sealed class Authenticator(IAccountStore accounts, HtpasswdUsers htpasswd, FailureThrottle throttle, TimeProvider time)
{
    public const string TokenUser = "__token__";

    // PBKDF2 at 600,000 iterations costs ~0.3 s of CPU per check, and pip and twine send the same
    // credentials on every request; so a successful verification is remembered briefly, keyed by an
    // HMAC of the credentials under a per-process random key (the password itself is never kept).
    // Any account change, here or on another node (the store reports both), forgets every
    // remembered verification, so a changed password or a removed user stops working at once; the
    // lifetime bounds it should a change report be lost. Tokens are looked up on every request.
    private static readonly TimeSpan VerifiedLifetime = TimeSpan.FromSeconds(60);
    private const int MaxVerified = 10_000;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)> _verified = Forgotten(accounts);

    private static ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)> Forgotten(IAccountStore accounts)
    {
        var verified = new ConcurrentDictionary<string, (Caller Caller, DateTimeOffset Expires)>(StringComparer.Ordinal);
        accounts.AccountsChanged += (_, _) => verified.Clear();
        return verified;
    }

    /// <summary>Authenticates the request once; later calls return the same result.</summary>
    public async Task<AuthResult> AuthenticateAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(Caller.ItemKey, out var cached) && cached is AuthResult done)
        {
            return done;
        }

        var result = await AuthenticateCoreAsync(context);
        context.Items[Caller.ItemKey] = result;
        return result;
    }

    private async Task<AuthResult> AuthenticateCoreAsync(HttpContext context)
    {
        if (!TryReadBasic(context.Request.Headers.Authorization, out var user, out var secret))
        {
            return context.Request.Headers.Authorization.Count == 0 ? new AuthResult(AuthOutcome.Anonymous) : new AuthResult(AuthOutcome.Invalid);
        }

        // A token login is checked before (and never counted by) the throttle: a token is not guessable,
        // and someone else's wrong passwords from the same address must not stop CI. A token works with
        // __token__ (as on PyPI) and with its own user's name (user:token in a pip URL).
        if (user == TokenUser)
        {
            var tokenCaller = await VerifyTokenAsync(secret, null, context.RequestAborted);
            return tokenCaller is null ? new AuthResult(AuthOutcome.Invalid) : new AuthResult(AuthOutcome.Authenticated, tokenCaller);
        }

        if (secret.StartsWith(TokenSecrets.Prefix, StringComparison.Ordinal) && await VerifyTokenAsync(secret, user, context.RequestAborted) is { } userToken)
        {
            return new AuthResult(AuthOutcome.Authenticated, userToken);
        }

        return await CheckPasswordAsync(user, secret, context.Connection.RemoteIpAddress, context.RequestAborted);
    }

    /// <summary>
    /// A password login from <paramref name="client"/>, throttled and counted like every other:
    /// Basic credentials and the browser's sign-in form both come through here.
    /// </summary>
    public async Task<AuthResult> CheckPasswordAsync(string user, string password, System.Net.IPAddress? client, CancellationToken cancellationToken)
    {
        if (throttle.IsThrottled(client, user, out var verdict))
        {
            return new AuthResult(AuthOutcome.Throttled, Throttle: verdict);
        }

        var caller = await VerifyPasswordAsync(user, password, cancellationToken);
        if (caller is null)
        {
            throttle.RecordFailure(client, user);
            return new AuthResult(AuthOutcome.Invalid);
        }

        throttle.RecordSuccess(client, user);
        return new AuthResult(AuthOutcome.Authenticated, caller);
    }

    /// <summary>
    /// A short fingerprint of the password hash and admin flag <paramref name="user"/> has now (null
    /// for an unknown user): a browser session carries the one it was issued with, so a changed
    /// password, a removed user or a changed admin flag ends every session at its next request.
    /// </summary>
    public async Task<string?> CredentialStampAsync(string user, CancellationToken cancellationToken)
    {
        var account = await accounts.FindUserAsync(user, cancellationToken);
        var material = account is not null ? account.PasswordHash + (account.IsAdmin ? "\nadmin" : "") : htpasswd.FindHash(user);
        return material is null ? null : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..16];
    }

    private async Task<Caller?> VerifyTokenAsync(string secret, string? user, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(TokenSecrets.Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var hash = TokenSecrets.Hash(secret);
        var token = await accounts.FindTokenByHashAsync(hash, cancellationToken);
        // The lookup is by hash; comparing again in constant time keeps the check independent of how
        // the store matched.
        if (token is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(token.Hash), Encoding.ASCII.GetBytes(hash))
            || token.IsExpired(time.GetUtcNow()) || (user is not null && user != token.UserName))
        {
            return null;
        }

        var owner = await accounts.FindUserAsync(token.UserName, cancellationToken);
        return owner is null ? null : new Caller(owner.Name, owner.IsAdmin, token.Id, token.Project, token.Index);
    }

    private async Task<Caller?> VerifyPasswordAsync(string user, string password, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(user + "\0" + password)));
        var now = time.GetUtcNow();
        if (_verified.TryGetValue(key, out var hit) && hit.Expires > now)
        {
            return hit.Caller;
        }

        Caller? caller = null;
        var account = await accounts.FindUserAsync(user, cancellationToken);
        if (account is not null)
        {
            caller = PasswordHasher.Verify(password, account.PasswordHash) ? new Caller(account.Name, account.IsAdmin) : null;
        }
        else if (htpasswd.FindHash(user) is { } hash)
        {
            caller = PasswordHasher.Verify(password, hash) ? new Caller(user, IsAdmin: false) : null;
        }
        else
        {
            // Unknown user: spend the same effort as a real check, so timing does not reveal which names exist.
            PasswordHasher.Verify(password, DummyHash.Value);
        }

        if (caller is not null)
        {
            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear();
            }

            _verified[key] = (caller, now + VerifiedLifetime);
        }

        return caller;
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash("not a password"));

    /// <summary>Reads <c>Authorization: Basic base64(user:secret)</c>.</summary>
    internal static bool TryReadBasic(string? header, out string user, out string secret)
    {
        user = secret = "";
        if (header is null || !AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        user = decoded[..colon];
        secret = decoded[(colon + 1)..];
        return true;
    }
}
