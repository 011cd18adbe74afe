using System.Security.Cryptography;
using System.Text;

namespace Clutch.Auth;

/// <summary>
/// API token secrets: <c>clutch_</c> + 32 random bytes (base64url). Only their SHA-256 is stored: a
/// token has full entropy, so a fast hash is right (a slow one protects guessable passwords).
/// </summary>
public static class TokenSecrets
{
    public const string Prefix = "clutch_";

    /// <summary>A new secret and its public id (for list and revoke).</summary>
    public static (string Secret, string Id) Generate()
    {
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        return (secret, id);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
