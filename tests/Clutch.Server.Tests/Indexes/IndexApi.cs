using System.Text;
using System.Text.Json;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Indexes;

/// <summary>Calls of the index management API and index uploads against an <see cref="InProcessServer"/>.</summary>
internal static class IndexApi
{
    public static async Task<HttpResponseMessage> SendAsync(this InProcessServer server, HttpMethod method, string path, string? json = null, string? user = "admin")
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Authorization = UploadHarness.Basic(user, UploadHarness.Password);
        }

        return await server.Client.SendAsync(request);
    }

    /// <summary>Creates an index as the admin and checks it was created.</summary>
    public static async Task CreateIndexAsync(this InProcessServer server, string json)
    {
        using var response = await server.SendAsync(HttpMethod.Post, "/api/indexes", json);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Uploads a fresh wheel into <paramref name="index"/> as alice.</summary>
    public static Task<HttpResponseMessage> UploadWheelToAsync(this InProcessServer server, string index, string name, string version, string payload = "", string user = "alice", string secret = UploadHarness.Password)
    {
        var bytes = UploadHarness.WheelBytes(name, version, payload);
        return server.UploadAsync(UploadHarness.Form(bytes, $"{name.Replace('-', '_')}-{version}-py3-none-any.whl", name, version), user, secret, path: index.Length == 0 ? "/legacy/" : $"/{index}/legacy/");
    }

    public static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).GetProperty("detail").GetString()!;

    /// <summary>The body as JSON (parsed as a document: this test project serializes nothing by reflection).</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>The filenames a simple HTML page links.</summary>
    public static IReadOnlyList<string> Filenames(string html) =>
        [.. System.Text.RegularExpressions.Regex.Matches(html, "<a [^>]*>([^<]+)</a>").Select(m => m.Groups[1].Value)];
}
