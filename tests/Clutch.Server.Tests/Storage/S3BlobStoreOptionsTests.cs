using Clutch.Storage.S3;

namespace Clutch.Server.Tests.Storage;

public sealed class S3BlobStoreOptionsTests
{
    [Theory]
    [InlineData("s3://packages", "packages", "")]
    [InlineData("s3://packages/", "packages", "")]
    [InlineData("S3://packages/clutch", "packages", "clutch/")]
    [InlineData("s3://my.packages-01/a/b/", "my.packages-01", "a/b/")]
    public void An_s3_url_gives_the_bucket_and_a_prefix_ending_in_a_slash(string url, string bucket, string prefix)
    {
        Assert.Equal((bucket, prefix), S3BlobStoreOptions.ParseUrl(url));
    }

    [Theory]
    [InlineData("packages", "expected s3://bucket")]
    [InlineData("https://packages.s3.amazonaws.com/x", "expected s3://bucket")]
    [InlineData("s3://", "bucket name '' must be 3 to 63 characters long")]
    [InlineData("s3://ab/x", "bucket name 'ab' must be 3 to 63 characters long")]
    [InlineData("s3://Packages", "may hold only lowercase letters")]
    [InlineData("s3://my_packages", "may hold only lowercase letters")]
    [InlineData("s3://-packages", "must start and end with a letter or digit")]
    [InlineData("s3://my..packages", "may not contain '..'")]
    [InlineData("s3://packages//x", "has an empty, '.' or '..' segment")]
    [InlineData("s3://packages/a/../b", "has an empty, '.' or '..' segment")]
    [InlineData("s3://packages/x?versionId=1", "no query, fragment")]
    [InlineData("s3://packages/a b", "no query, fragment, backslash or whitespace")]
    public void A_bad_s3_url_is_refused_saying_what_is_wrong(string url, string problem)
    {
        var e = Assert.Throws<ArgumentException>(() => S3BlobStoreOptions.ParseUrl(url));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{url}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endpoint_means_path_style_and_aws_itself_means_virtual_hosts()
    {
        var onMinio = S3BlobStoreOptions.Parse("s3://packages/clutch", "http://127.0.0.1:9000");
        Assert.Equal(new Uri("http://127.0.0.1:9000"), onMinio.ServiceUrl);
        Assert.True(onMinio.PathStyle);
        Assert.Equal("s3://packages/clutch/", onMinio.Url);

        var onAws = S3BlobStoreOptions.Parse("s3://packages");
        Assert.Null(onAws.ServiceUrl);
        Assert.False(onAws.PathStyle);
        Assert.False(onAws.RedirectDownloads);
        Assert.Equal(TimeSpan.FromMinutes(5), onAws.RedirectLifetime);
    }

    [Theory]
    [InlineData("127.0.0.1:9000")]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("minio")]
    public void A_bad_endpoint_is_refused(string endpoint)
    {
        var e = Assert.Throws<ArgumentException>(() => S3BlobStoreOptions.Parse("s3://packages", endpoint));

        Assert.Contains($"Invalid S3 endpoint '{endpoint}'", e.Message, StringComparison.Ordinal);
    }
}
