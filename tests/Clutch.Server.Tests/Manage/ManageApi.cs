using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Clutch.Server.Tests.Harness;

namespace Clutch.Server.Tests.Manage;

/// <summary>Calls to the management API as a test writes them.</summary>
internal static class ManageApi
{
    public static async Task<HttpResponseMessage> SendAsync(
        this InProcessServer server, HttpMethod method, string path, string? reason = null, string? user = "alice", string secret = UploadHarness.Password)
    {
        using var request = new HttpRequestMessage(method, path);
        if (reason is not null)
        {
            request.Content = new StringContent(new JsonObject { ["reason"] = reason }.ToJsonString(), Encoding.UTF8, "application/json");
        }

        if (user is not null)
        {
            request.Headers.Authorization = UploadHarness.Basic(user, secret);
        }

        return await server.Client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> YankAsync(this InProcessServer server, string project, string filename, string? reason = null, string? user = "alice") =>
        server.SendAsync(HttpMethod.Post, $"/api/projects/{project}/files/{filename}/yank", reason, user);

    public static Task<HttpResponseMessage> DeleteFileAsync(this InProcessServer server, string project, string filename, string? user = "alice") =>
        server.SendAsync(HttpMethod.Delete, $"/api/projects/{project}/files/{filename}", null, user);

    /// <summary>The PEP 691 JSON entry of <paramref name="filename"/> on its project page, or null when not listed.</summary>
    public static async Task<JsonElement?> SimpleJsonEntryAsync(this InProcessServer server, string project, string filename)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/simple/{project}/");
        request.Headers.Accept.ParseAdd("application/vnd.pypi.simple.v1+json");
        using var response = await server.Client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        foreach (var file in page.RootElement.GetProperty("files").EnumerateArray())
        {
            if (file.GetProperty("filename").GetString() == filename)
            {
                return file.Clone();
            }
        }

        return null;
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }
}
