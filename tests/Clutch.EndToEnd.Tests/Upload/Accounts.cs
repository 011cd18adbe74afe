using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests.Upload;

/// <summary>Users and tokens made with the real <c>clutch</c> CLI against a server's folder.</summary>
public static class Accounts
{
    public static Task<ProcessResult> ClutchAsync(ClutchServer server, string? stdin, params string[] arguments) =>
        server.RunCliAsync([.. arguments, .. server.StoreArguments], stdin);

    public static Task AddUserAsync(ClutchServer server, string user, string password) => server.AddUserAsync(user, password);

    /// <summary>Creates a token; the CLI prints only the secret on stdout.</summary>
    public static async Task<string> CreateTokenAsync(ClutchServer server, string user, string? project = null)
    {
        string[] args = project is null ? ["token", "create", user] : ["token", "create", user, "--project", project];
        var result = (await ClutchAsync(server, null, args)).AssertSuccess();
        var token = result.StdOut.Trim();
        Assert.StartsWith("clutch_", token);
        return token;
    }
}
