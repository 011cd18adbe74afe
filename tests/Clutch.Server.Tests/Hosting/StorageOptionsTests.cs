using Clutch.Hosting;

namespace Clutch.Server.Tests.Hosting;

/// <summary>How <see cref="ClutchOptions.ResolveStorage"/> reads the store options, and the settings it refuses with a reason.</summary>
public sealed class StorageOptionsTests
{
    [Fact]
    public void A_blobs_folder_alone_is_the_package_folder()
    {
        var options = new ClutchOptions { Blobs = "some/where" };
        options.ResolveStorage();

        Assert.Equal(Path.GetFullPath("some/where"), options.Root);
        Assert.True(options.BlobsInFolder);
        Assert.Null(options.Blobs);
    }

    [Theory]
    [InlineData("packages")] // the default's name, given on purpose
    [InlineData("elsewhere")]
    public void A_package_folder_and_a_blobs_folder_that_differ_are_refused(string root)
    {
        var options = new ClutchOptions { Root = root, Blobs = "some/where" };

        var e = Assert.Throws<ArgumentException>(options.ResolveStorage);
        Assert.Contains("name different folders", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_folder_given_both_ways_is_accepted()
    {
        var options = new ClutchOptions { Root = "some/where", Blobs = Path.GetFullPath("some/where") };
        options.ResolveStorage();

        Assert.Equal(Path.GetFullPath("some/where"), options.Root);
    }

    [Theory]
    [InlineData(null, "s3://bucket/prefix", null, false, "needs --catalog")]
    [InlineData(null, null, "http://127.0.0.1:9000", false, "--s3-endpoint is given but the blobs are a folder")]
    [InlineData(null, null, null, true, "--blobs-redirect applies to an S3 blob store only")]
    public void Settings_that_cannot_work_are_refused_saying_why(string? catalog, string? blobs, string? endpoint, bool redirect, string reason)
    {
        var options = new ClutchOptions { Catalog = catalog, Blobs = blobs, S3Endpoint = endpoint, BlobsRedirect = redirect };

        var e = Assert.Throws<ArgumentException>(options.ResolveStorage);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void S3_blobs_with_a_PostgreSQL_catalog_are_accepted()
    {
        var options = new ClutchOptions { Catalog = "postgresql://u@127.0.0.1/db", Blobs = "s3://bucket/prefix" };
        options.ResolveStorage();

        Assert.False(options.BlobsInFolder);
        Assert.True(options.CatalogIsPostgres);
        Assert.Equal("s3://bucket/prefix", options.Blobs);
    }
}
