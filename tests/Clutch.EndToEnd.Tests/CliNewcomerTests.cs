using Clutch.EndToEnd.Tests.Harness;

namespace Clutch.EndToEnd.Tests;

/// <summary>What a newcomer meets at the command line: mistakes answered in one line, and nothing created by accident.</summary>
public sealed class CliNewcomerTests(ClutchServer server) : IClassFixture<ClutchServer>
{
    private static string OneLine(ProcessResult result)
    {
        var lines = result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Assert.Single(lines, l => l.StartsWith("clutch:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("user", "list")]
    [InlineData("yank", "mypkg", "1.0")]
    [InlineData("token", "create", "ci")]
    public async Task An_admin_command_on_a_missing_folder_refuses_naming_it_and_creates_nothing(params string[] command)
    {
        var missing = Path.Combine(server.ScratchDir, "no-such-index-" + Guid.NewGuid().ToString("N")[..8]);

        var result = await server.RunCliAsync([.. command, "--root", missing]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(missing, OneLine(result));
        Assert.Contains("clutch serve", result.StdErr);
        Assert.False(Directory.Exists(missing), $"{missing} was created\n{result}");
    }

    [Fact]
    public async Task An_admin_command_in_a_folder_that_is_no_index_refuses_and_leaves_no_catalog()
    {
        var folder = Directory.CreateDirectory(Path.Combine(server.ScratchDir, "just-a-folder")).FullName;

        var result = await server.RunCliAsync(["yank", "mypkg", "1.0", "--root", folder]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not a Clutch index", OneLine(result));
        Assert.DoesNotContain("not in the catalog", result.StdErr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
    }

    [Fact]
    public async Task User_list_says_when_there_are_no_users()
    {
        var result = (await server.RunCliAsync(["user", "list", "--root", server.PackagesDir])).AssertSuccess();

        Assert.Contains("No users yet", result.StdErr);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_flag_and_the_variable()
    {
        var port = new Uri(server.BaseUrl).Port;

        var result = await server.RunCliAsync(["serve", Path.Combine(server.ScratchDir, "second"), "--port", port.ToString()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"clutch: cannot listen on 127.0.0.1:{port}: the port is in use; choose another with --port N (or CLUTCH_PORT=N).", OneLine(result));
        Assert.DoesNotContain("   at ", result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Serve_refuses_a_DIR_and_a_root_that_differ()
    {
        var result = await server.RunCliAsync(["serve", Path.Combine(server.ScratchDir, "a"), "--root", Path.Combine(server.ScratchDir, "b"), "--port", "0"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("name different folders", OneLine(result));
    }

    [Fact]
    public async Task Serve_refuses_a_bad_bucket_name_in_one_line_without_dotnet_s_parameter_note()
    {
        var result = await server.RunCliAsync(["serve", "--blobs", "s3://b/packages", "--catalog", Path.Combine(server.ScratchDir, "bucket.db"), "--port", "0"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("clutch: Invalid S3 URL 's3://b/packages': bucket name 'b' must be 3 to 63 characters long.", OneLine(result));
        Assert.DoesNotContain("   at ", result.StdOut + result.StdErr);
    }

    [Fact]
    public async Task Serve_on_S3_without_a_region_or_an_endpoint_says_what_to_set_instead_of_crashing()
    {
        // No region anywhere the AWS SDK looks: no variables, no config file, no instance metadata.
        var noRegion = new Dictionary<string, string?>
        {
            ["AWS_REGION"] = null,
            ["AWS_DEFAULT_REGION"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_CONFIG_FILE"] = Path.Combine(server.ScratchDir, "no-aws-config"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(server.ScratchDir, "no-aws-credentials"),
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };

        var result = await server.RunCliAsync(
            ["serve", "--blobs", "s3://clutch-no-region/packages", "--catalog", Path.Combine(server.ScratchDir, "region.db"), "--port", "0"], environment: noRegion);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("clutch: --blobs s3://clutch-no-region/packages/ needs an AWS region: set AWS_REGION", OneLine(result));
        Assert.DoesNotContain("   at ", result.StdOut + result.StdErr);
    }
}
