namespace Clutch.Packaging.Tests;

public sealed class VersionTests
{
    [Theory]
    [InlineData("1.0", "1.0")]
    [InlineData("1", "1")]
    [InlineData("01.02.003", "1.2.3")]
    [InlineData("v1.0", "1.0")]
    [InlineData("V1.0", "1.0")]
    [InlineData("  1.0\n", "1.0")]
    [InlineData("0!1.0", "1.0")]
    [InlineData("01!1.0", "1!1.0")]
    [InlineData("1.0a", "1.0a0")]
    [InlineData("1.0alpha1", "1.0a1")]
    [InlineData("1.0-ALPHA-1", "1.0a1")]
    [InlineData("1.0beta2", "1.0b2")]
    [InlineData("1.0c3", "1.0rc3")]
    [InlineData("1.0pre3", "1.0rc3")]
    [InlineData("1.0preview3", "1.0rc3")]
    [InlineData("1.0.rc.3", "1.0rc3")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0-r1", "1.0.post1")]
    [InlineData("1.0rev", "1.0.post0")]
    [InlineData("1.0.post", "1.0.post0")]
    [InlineData("1.0_post_02", "1.0.post2")]
    [InlineData("1.0dev", "1.0.dev0")]
    [InlineData("1.0-dev-7", "1.0.dev7")]
    [InlineData("1.0a1.post2.dev3", "1.0a1.post2.dev3")]
    [InlineData("1.0+ABC.007-x_y", "1.0+abc.7.x.y")]
    [InlineData("1.0a.", "1.0a0")]
    [InlineData("2.0-r55", "2.0.post55")]
    [InlineData("1.99999999999999999999999999", "1.99999999999999999999999999")]
    [InlineData("1.0+K", "1.0+k")]
    public void Valid_versions_normalize_like_packaging(string text, string normalized)
    {
        var version = PackageVersion.Parse(text);
        Assert.True(version.IsValid);
        Assert.Equal(normalized, version.Normalized);
        Assert.Equal(normalized, version.ToString());
        Assert.Equal(text, version.Original);
    }

    [Theory]
    [InlineData("1.0.dev-r1234")]
    [InlineData("1.0beta-svn")]
    [InlineData("2004d")]
    [InlineData("latest")]
    [InlineData("")]
    [InlineData("1.")]
    [InlineData("1..0")]
    [InlineData("1.0+")]
    [InlineData("1.0+a.")]
    [InlineData("1.0a1a1")]
    [InlineData("1 .0")]
    [InlineData("\u0661.0")]
    public void Invalid_versions_are_kept_as_legacy_without_throwing(string text)
    {
        var version = PackageVersion.Parse(text);
        Assert.False(version.IsValid);
        Assert.Equal(text, version.Normalized);
        Assert.False(version.IsPrerelease);
        Assert.False(PackageVersion.TryParseStrict(text, out var strict));
        Assert.Null(strict);
    }

    [Theory]
    [InlineData("1.0.dev1", true, true)]
    [InlineData("1.0a1", true, false)]
    [InlineData("1.0rc1.dev1", true, true)]
    [InlineData("1.0.post1.dev1", true, true)]
    [InlineData("1.0.post1", false, false)]
    [InlineData("1.0+dev", false, false)]
    public void Prerelease_and_dev_flags_follow_pip(string text, bool pre, bool dev)
    {
        var version = PackageVersion.Parse(text);
        Assert.Equal(pre, version.IsPrerelease);
        Assert.Equal(dev, version.IsDevRelease);
    }

    /// <summary>Each line sorts strictly after the previous one.</summary>
    public static readonly string[] AscendingVersions =
    [
        "latest",
        "1.0.dev-r999",
        "1.0.dev-r1234",
        "0.9",
        "1.0.dev0",
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0b2-346",
        "1.0c1.dev456",
        "1.0c1",
        "1.0rc2",
        "1.0c3",
        "1.0",
        "1.0+abc",
        "1.0+abc.5",
        "1.0+5",
        "1.0+5.abc",
        "1.0+6",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
        "1.2",
        "1.10",
        "1.18446744073709551616",
        "1.99999999999999999999999999",
        "2",
        "1!0.1",
    ];

    public static TheoryData<string, string> AdjacentPairs()
    {
        var data = new TheoryData<string, string>();
        for (var i = 1; i < AscendingVersions.Length; i++)
        {
            data.Add(AscendingVersions[i - 1], AscendingVersions[i]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AdjacentPairs))]
    public void Versions_order_as_pip_orders_them(string lower, string higher)
    {
        var a = PackageVersion.Parse(lower);
        var b = PackageVersion.Parse(higher);
        Assert.True(a < b, $"{lower} < {higher}");
        Assert.True(b > a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Sorting_a_shuffled_list_restores_the_order()
    {
        var shuffled = AscendingVersions.Select(PackageVersion.Parse).OrderBy(v => v.Original.GetHashCode(StringComparison.Ordinal)).ToList();
        shuffled.Sort();
        Assert.Equal(AscendingVersions, shuffled.Select(v => v.Original));
    }

    [Fact]
    public void Dev_release_sorts_before_its_pre_release()
        => Assert.True(PackageVersion.Parse("1.0.dev1") < PackageVersion.Parse("1.0a1"));

    [Fact]
    public void Implicit_post_release_equals_the_explicit_one()
        => Assert.Equal(PackageVersion.Parse("1.0.post1"), PackageVersion.Parse("1.0-1"));

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1", "1.0.0.0")]
    [InlineData("1.0a", "1.0a0")]
    [InlineData("1.0+01", "1.0+1")]
    [InlineData("1.0+ABC", "1.0+abc")]
    [InlineData("1.0+a-b", "1.0+a.b")]
    [InlineData("0!1.0", "1.0")]
    [InlineData("v1.0c1", "1.0rc1")]
    public void Equal_versions_have_equal_hashes(string a, string b)
    {
        var x = PackageVersion.Parse(a);
        var y = PackageVersion.Parse(b);
        Assert.Equal(x, y);
        Assert.True(x == y);
        Assert.Equal(0, x.CompareTo(y));
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.Single(new HashSet<PackageVersion> { x, y });
    }

    [Fact]
    public void Legacy_versions_sort_below_every_valid_version_and_are_equal_only_to_the_same_text()
    {
        var legacy = PackageVersion.Parse("2004d");
        Assert.True(legacy < PackageVersion.Parse("0.dev0"));
        Assert.True(legacy < PackageVersion.Parse("0!0"));
        Assert.Equal(legacy, PackageVersion.Parse("2004d"));
        Assert.NotEqual(legacy, PackageVersion.Parse("2004D"));
        Assert.NotEqual(0, PackageVersion.Parse("2004D").CompareTo(legacy));
    }

    [Theory]
    [InlineData("1.0.dev-r999", "1.0.dev-r1234")]
    [InlineData("1.0beta-svn", "1.0-svn")]
    [InlineData("2004d", "2004e")]
    [InlineData("0.5-pre", "0.5")]
    [InlineData("1.0-SNAPSHOT", "1.1-SNAPSHOT")]
    public void Legacy_versions_order_by_the_old_setuptools_key(string lower, string higher)
        => Assert.True(PackageVersion.Parse(lower) < PackageVersion.Parse(higher), $"{lower} < {higher}");

    [Fact]
    public void Huge_release_numbers_compare_numerically()
    {
        var a = PackageVersion.Parse("1.99999999999999999999999998");
        var b = PackageVersion.Parse("1.99999999999999999999999999");
        var c = PackageVersion.Parse("1.100000000000000000000000000");
        Assert.True(a < b);
        Assert.True(b < c);
        Assert.Equal("1.100000000000000000000000000", c.Normalized);
    }

    [Fact]
    public void Null_compares_below_any_version()
    {
        var v = PackageVersion.Parse("1.0");
        Assert.Equal(1, v.CompareTo(null));
        Assert.False(v.Equals(null));
        Assert.True((PackageVersion?)null == null);
    }

    [Fact]
    public void Parsing_and_sorting_100k_versions_is_fast()
    {
        var corpus = Differential.Corpus.Versions(100_000, 7);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var parsed = new List<PackageVersion>(corpus.Count);
        foreach (var s in corpus)
        {
            parsed.Add(PackageVersion.Parse(s));
        }

        var parse = watch.ElapsedMilliseconds;
        parsed.Sort();
        watch.Stop();
        // Generous: the shared CI machine is often heavily loaded; this guards against quadratic blow-ups.
        Assert.True(watch.ElapsedMilliseconds < 30_000, $"parse took {parse} ms, parse+sort {watch.ElapsedMilliseconds} ms");
    }
}
