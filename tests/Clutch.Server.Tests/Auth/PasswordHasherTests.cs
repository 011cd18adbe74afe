using Clutch.Auth;

namespace Clutch.Server.Tests.Auth;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_is_pbkdf2_sha256_at_600000_iterations_with_a_random_salt()
    {
        var a = PasswordHasher.Hash("secret password");
        var b = PasswordHasher.Hash("secret password");

        Assert.StartsWith("pbkdf2-sha256$600000$", a);
        Assert.NotEqual(a, b);
        Assert.True(PasswordHasher.Verify("secret password", a));
        Assert.False(PasswordHasher.Verify("secret passwore", a));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha256$x$y$z")]
    [InlineData("$2y$garbage")]
    public void Unknown_or_broken_hash_never_verifies(string stored) => Assert.False(PasswordHasher.Verify("anything", stored));

    [Fact]
    public void Tokens_are_prefixed_random_and_stored_as_sha256()
    {
        var (secret, id) = TokenSecrets.Generate();

        Assert.StartsWith("clutch_", secret);
        Assert.True(secret.Length >= "clutch_".Length + 43);
        Assert.Equal(64, TokenSecrets.Hash(secret).Length);
        Assert.NotEqual(id, TokenSecrets.Generate().Id);
    }
}
