using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Clutch.Auth;
using Clutch.Hosting;
using Clutch.Packaging;
using Clutch.Storage.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Clutch.Server.Tests.Harness;

/// <summary>Users, tokens and twine-shaped multipart uploads against an <see cref="InProcessServer"/>.</summary>
public static class UploadHarness
{
    public const string Password = "correct horse battery";

    /// <summary>Adds a user (with a cheap PBKDF2 hash: tests need speed, not strength).</summary>
    public static async Task AddUserAsync(this InProcessServer server, string name, bool admin = false, string password = Password)
    {
        var accounts = server.Services.GetRequiredService<IAccountStore>();
        await accounts.AddUserAsync(new UserAccount(name, PasswordHasher.Hash(password, 1000), admin, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    public static async Task<string> CreateTokenAsync(this InProcessServer server, string user, string? project = null, DateTimeOffset? expires = null, string? index = null)
    {
        var (secret, id) = TokenSecrets.Generate();
        var accounts = server.Services.GetRequiredService<IAccountStore>();
        await accounts.AddTokenAsync(new ApiToken(
            id, user, "test", TokenSecrets.Hash(secret), project is null ? null : ProjectName.Normalize(project), expires, DateTimeOffset.UtcNow)
        { Index = index }, CancellationToken.None);
        return secret;
    }

    public static AuthenticationHeaderValue Basic(string user, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + secret)));

    /// <summary>The form twine sends for <paramref name="bytes"/>; <paramref name="edit"/> changes or removes fields (null value removes).</summary>
    public static MultipartFormDataContent Form(
        byte[] bytes, string filename, string name, string version, string filetype = "bdist_wheel",
        IReadOnlyDictionary<string, string?>? edit = null)
    {
        var fields = new Dictionary<string, string?>
        {
            [":action"] = "file_upload",
            ["protocol_version"] = "1",
            ["name"] = name,
            ["version"] = version,
            ["filetype"] = filetype,
            ["pyversion"] = filetype == "sdist" ? "source" : "py3",
            ["metadata_version"] = "2.1",
            ["summary"] = "A test package",
            ["sha256_digest"] = Convert.ToHexStringLower(SHA256.HashData(bytes)),
#pragma warning disable CA5351 // twine sends md5 for legacy indexes; the test sends what twine sends.
            ["md5_digest"] = Convert.ToHexStringLower(MD5.HashData(bytes)),
#pragma warning restore CA5351
            ["blake2_256_digest"] = Blake2b256(bytes),
        };
        foreach (var (key, value) in edit ?? new Dictionary<string, string?>())
        {
            fields[key] = value;
        }

        var content = new MultipartFormDataContent();
        foreach (var (key, value) in fields)
        {
            if (value is not null)
            {
                content.Add(new StringContent(value), key);
            }
        }

        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Add(file, "content", filename);
        return content;
    }

    /// <summary>blake2b-256 as twine sends it (the calculator's blake2b is checked against known vectors in DigestTests).</summary>
    public static string Blake2b256(byte[] bytes) => Clutch.Packaging.DigestCalculator.Compute(bytes).Blake2b256;

    /// <summary>Builds a wheel in memory; <paramref name="payload"/> makes otherwise equal wheels differ.</summary>
    public static byte[] WheelBytes(string name, string version, string payload = "", string? metadataName = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clutch-wheel-" + Guid.NewGuid().ToString("N"));
        try
        {
            var distName = name.Replace('-', '_');
            var path = TestDistributions.Wheel(dir, metadataName ?? name, version, filename: $"{distName}-{version}-py3-none-any.whl");
            if (payload.Length > 0)
            {
                using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update);
                using var s = zip.CreateEntry("payload.txt").Open();
                s.Write(Encoding.UTF8.GetBytes(payload));
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static byte[] SdistBytes(string name, string version)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clutch-sdist-" + Guid.NewGuid().ToString("N"));
        try
        {
            return File.ReadAllBytes(TestDistributions.Sdist(dir, name, version));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static async Task<HttpResponseMessage> UploadAsync(
        this InProcessServer server, HttpContent content, string? user = "alice", string secret = Password, string path = "/legacy/")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (user is not null)
        {
            request.Headers.Authorization = Basic(user, secret);
        }

        return await server.Client.SendAsync(request);
    }

    /// <summary>Uploads a fresh wheel of <paramref name="name"/> <paramref name="version"/>.</summary>
    public static Task<HttpResponseMessage> UploadWheelAsync(
        this InProcessServer server, string name, string version, string? user = "alice", string secret = Password, string payload = "")
    {
        var distName = name.Replace('-', '_');
        return server.UploadAsync(Form(WheelBytes(name, version, payload), $"{distName}-{version}-py3-none-any.whl", name, version), user, secret);
    }

    /// <summary>
    /// The package folder's files once they equal <paramref name="expected"/>, or as they are after
    /// <paramref name="within"/>: a delete removes the catalog row before the file, so the folder can
    /// trail the page by a moment.
    /// </summary>
    public static async Task<string[]> PublicFilesSettledAsync(this InProcessServer server, string[] expected, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var files = server.PublicFiles();
        while (!files.SequenceEqual(expected) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(25);
            files = server.PublicFiles();
        }

        return files;
    }

    /// <summary>Every file under the folder except the private area (what a reader of the folder would see).</summary>
    public static string[] PublicFiles(this InProcessServer server)
    {
        var options = server.Services.GetRequiredService<ClutchOptions>();
        var files = options.BlobsInFolder
            ? Directory.EnumerateFiles(server.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(server.Root, f).Replace('\\', '/'))
            : TestStores.ListBlobs(options);
        return files.Where(f => !f.StartsWith(".clutch/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Uploads streamed to the node's temp folder and not yet accepted or removed.</summary>
    public static string[] TempFiles(this InProcessServer server)
    {
        var tmp = Path.Combine(server.Services.GetRequiredService<ClutchOptions>().StateDirectory, "tmp");
        return Directory.Exists(tmp) ? Directory.GetFiles(tmp) : [];
    }
}
