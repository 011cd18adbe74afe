using System.Formats.Tar;
using System.Text;
using static Clutch.Packaging.Tests.ArchiveBuilder;

namespace Clutch.Packaging.Tests;

public sealed class ArchiveTests
{
    private const string WheelName = "foo_bar-1.0-py3-none-any.whl";
    private const int Symlink = 0xA1FF;

    private static async Task<InspectionResult?> Inspect(Stream stream, string filename, ArchiveLimits? limits = null)
        => await ArchiveInspector.InspectAsync(stream, DistributionFilename.Parse(filename), limits ?? ArchiveLimits.Default, CancellationToken.None);

    private static async Task<string> Refused(Stream stream, string filename, ArchiveLimits? limits = null)
    {
        var error = await Assert.ThrowsAsync<InvalidArchiveException>(() => Inspect(stream, filename, limits));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains($"'{filename}'", error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    [Fact]
    public async Task Wheel_metadata_is_returned_byte_for_byte()
    {
        var metadata = Metadata("Foo.Bar", "1.0", "Requires-Dist: six\n") + "caf\u00e9\r\n";
        using var wheel = Zip(("foo_bar/__init__.py", ""), ("foo_bar-1.0.dist-info/METADATA", metadata), ("foo_bar-1.0.dist-info/RECORD", ""));
        var result = await Inspect(wheel, WheelName);
        Assert.NotNull(result);
        Assert.Equal(Encoding.UTF8.GetBytes(metadata), result.MetadataBytes);
        Assert.Equal("foo_bar-1.0.dist-info/METADATA", result.MetadataPath);
        Assert.Equal("Foo.Bar", result.Metadata.Name);
        Assert.Equal(["six"], result.Metadata.RequiresDist);
    }

    [Fact]
    public async Task Wheel_dist_info_may_spell_the_name_and_version_differently()
    {
        using var wheel = Zip(("Foo.Bar-1.0.0.dist-info/METADATA", Metadata("foo-bar", "1.0.0")));
        Assert.NotNull(await Inspect(wheel, WheelName));
    }

    [Fact]
    public async Task Wheel_read_from_a_forward_only_stream_is_inspected()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0")));
        Assert.NotNull(await Inspect(new ForwardOnlyStream(wheel), WheelName));
    }

    [Fact]
    public async Task Wheel_without_metadata_is_refused()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/RECORD", ""));
        Assert.Contains("METADATA is missing", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wheel_without_dist_info_is_refused()
    {
        using var wheel = Zip(("foo_bar/__init__.py", ""));
        Assert.Contains("no top-level .dist-info", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wheel_with_two_dist_info_directories_is_refused()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0")), ("other-1.0.dist-info/METADATA", Metadata("other", "1.0")));
        Assert.Contains("more than one", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wheel_with_duplicate_metadata_is_refused()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0")), ("foo_bar-1.0.dist-info/METADATA", Metadata("evil", "6.6")));
        Assert.Contains("more than once", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("other-1.0.dist-info/METADATA", "foo_bar", "1.0", "does not match")]
    [InlineData("foo_bar-2.0.dist-info/METADATA", "foo_bar", "2.0", "does not match")]
    [InlineData("foo_bar-1.0.dist-info/METADATA", "other", "1.0", "says Name 'other'")]
    [InlineData("foo_bar-1.0.dist-info/METADATA", "foo_bar", "1.1", "says Version '1.1'")]
    public async Task Lying_wheel_is_refused(string path, string name, string version, string reason)
    {
        using var wheel = Zip((path, Metadata(name, version)));
        Assert.Contains(reason, await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../evil.py", "escapes the archive")]
    [InlineData("foo_bar/../../evil.py", "escapes the archive")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("C:/evil.py", "absolute path")]
    [InlineData("foo_bar\\evil.py", "backslash")]
    public async Task Hostile_zip_member_paths_are_refused(string member, string reason)
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0")), (member, "x"));
        Assert.Contains(reason, await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_symlink_member_is_refused()
    {
        using var wheel = Zip(
            new ZipMember("foo_bar-1.0.dist-info/METADATA", Encoding.UTF8.GetBytes(Metadata("foo_bar", "1.0"))),
            new ZipMember("foo_bar/link", Encoding.UTF8.GetBytes("/etc/passwd"), Symlink));
        Assert.Contains("symbolic link", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_a_zip_is_refused()
    {
        using var junk = new MemoryStream(Encoding.UTF8.GetBytes("this is not a zip file at all"));
        Assert.Contains("not a readable zip archive", await Refused(junk, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_member_declaring_three_gigabytes_is_refused_without_inflating_it()
    {
        using var small = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0")), ("foo_bar/big.bin", "tiny"));
        var bytes = small.ToArray();
        PatchZipUncompressedSize(bytes, "foo_bar/big.bin", 3_000_000_000);
        Assert.Contains("declares 3000000000 bytes", await Refused(new MemoryStream(bytes), WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_bomb_is_refused_by_its_compression_ratio()
    {
        using var wheel = Zip(
            new ZipMember("foo_bar-1.0.dist-info/METADATA", Encoding.UTF8.GetBytes(Metadata("foo_bar", "1.0"))),
            new ZipMember("foo_bar/zeros.bin", [], ZeroBytes: 32L << 20));
        Assert.Contains("zip bomb", await Refused(wheel, WheelName), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_is_never_inflated_past_its_declared_size()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0") + new string('x', 200_000)));
        var bytes = wheel.ToArray();
        PatchZipUncompressedSize(bytes, "foo_bar-1.0.dist-info/METADATA", 100);
        try
        {
            var result = await Inspect(new MemoryStream(bytes), WheelName, new ArchiveLimits { MaxMetadataBytes = 10_000 });
            Assert.True(result!.MetadataBytes.Length <= 100);
        }
        catch (InvalidArchiveException)
        {
            // Refusing the lie outright is as good as stopping at the declared size.
        }
    }

    [Fact]
    public async Task Oversized_metadata_is_refused()
    {
        using var wheel = Zip(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0") + new string('x', 5000)));
        Assert.Contains("more than the limit of 1000", await Refused(wheel, WheelName, new ArchiveLimits { MaxMetadataBytes = 1000 }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_members_are_refused()
    {
        var members = Enumerable.Range(0, 20).Select(i => ($"foo_bar/m{i}.py", "")).Append(("foo_bar-1.0.dist-info/METADATA", Metadata("foo_bar", "1.0"))).ToArray();
        using var wheel = Zip(members);
        Assert.Contains("more than the limit of 10", await Refused(wheel, WheelName, new ArchiveLimits { MaxMembers = 10 }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdist_pkg_info_is_read_from_its_single_top_directory()
    {
        var pkgInfo = Metadata("foo-bar", "1.0");
        using var sdist = TarGz(
            new TarMember("foo_bar-1.0", Type: TarEntryType.Directory),
            new TarMember("foo_bar-1.0/PKG-INFO", pkgInfo),
            new TarMember("foo_bar-1.0/src/foo_bar.egg-info/PKG-INFO", Metadata("wrong", "9")),
            new TarMember("foo_bar-1.0/setup.py", "print()"));
        var result = await Inspect(sdist, "foo_bar-1.0.tar.gz");
        Assert.Equal(Encoding.UTF8.GetBytes(pkgInfo), result!.MetadataBytes);
        Assert.Equal("foo_bar-1.0/PKG-INFO", result.MetadataPath);
    }

    [Fact]
    public async Task Tgz_and_zip_sdists_are_inspected()
    {
        using var tgz = TarGz(new TarMember("foo-1.0/PKG-INFO", Metadata("foo", "1.0")));
        Assert.NotNull(await Inspect(tgz, "foo-1.0.tgz"));
        using var zip = Zip(("foo-1.0/PKG-INFO", Metadata("foo", "1.0")), ("foo-1.0/setup.py", ""));
        Assert.NotNull(await Inspect(zip, "foo-1.0.zip"));
    }

    [Fact]
    public async Task Sdist_with_a_legacy_version_matches_its_filename()
    {
        using var sdist = TarGz(new TarMember("foo-1.0.dev-r1234/PKG-INFO", Metadata("foo", "1.0.dev-r1234")));
        Assert.NotNull(await Inspect(sdist, "foo-1.0.dev-r1234.tar.gz"));
    }

    [Theory]
    [InlineData("foo-1.0/PKG-INFO", "other", "1.0", "says Name 'other'")]
    [InlineData("foo-1.0/PKG-INFO", "foo", "2.0", "says Version '2.0'")]
    [InlineData("foo-1.0/src/foo.egg-info/PKG-INFO", "foo", "1.0", "foo-1.0/PKG-INFO is missing")]
    public async Task Lying_or_incomplete_sdist_is_refused(string path, string name, string version, string reason)
    {
        using var sdist = TarGz(new TarMember(path, Metadata(name, version)));
        Assert.Contains(reason, await Refused(sdist, "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdist_with_two_top_directories_is_refused()
    {
        using var sdist = TarGz(new TarMember("foo-1.0/PKG-INFO", Metadata("foo", "1.0")), new TarMember("other/x", "x"));
        Assert.Contains("exactly one top-level directory", await Refused(sdist, "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo-1.0/link", TarEntryType.SymbolicLink, "symbolic link")]
    [InlineData("foo-1.0/hard", TarEntryType.HardLink, "hard link")]
    [InlineData("foo-1.0/dev", TarEntryType.CharacterDevice, "not a regular file")]
    [InlineData("foo-1.0/fifo", TarEntryType.Fifo, "not a regular file")]
    [InlineData("foo-1.0/../../etc/cron.d/x", TarEntryType.RegularFile, "escapes the archive")]
    [InlineData("/etc/passwd", TarEntryType.RegularFile, "absolute path")]
    public async Task Hostile_tar_members_are_refused(string name, TarEntryType type, string reason)
    {
        using var sdist = TarGz(new TarMember("foo-1.0/PKG-INFO", Metadata("foo", "1.0")), new TarMember(name, "x", type));
        Assert.Contains(reason, await Refused(sdist, "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tar_member_declaring_three_gigabytes_is_refused_before_its_data()
    {
        using var sdist = TarGz(new TarMember("foo-1.0/PKG-INFO", Metadata("foo", "1.0")), new TarMember("foo-1.0/big.bin", "tiny"));
        var tar = Ungzip(sdist);
        PatchTarSize(tar, "foo-1.0/big.bin", 3_000_000_000);
        Assert.Contains("declares 3000000000 bytes", await Refused(Gzip(tar), "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gzip_bomb_is_stopped_while_it_inflates()
    {
        using var sdist = TarGz(new TarMember("foo-1.0/PKG-INFO", Metadata("foo", "1.0")), new TarMember("foo-1.0/zeros.bin", ZeroBytes: 32L << 20));
        Assert.Contains("gzip bomb", await Refused(sdist, "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_a_gzip_is_refused()
    {
        using var junk = new MemoryStream(Encoding.UTF8.GetBytes("plain text, not gzip"));
        Assert.Contains("not a readable gzip tar archive", await Refused(junk, "foo-1.0.tar.gz"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo-1.0.tar.bz2", "bz2 sdists cannot be inspected")]
    [InlineData("foo-1.0.tar.xz", "xz sdists cannot be inspected")]
    public async Task Bz2_and_xz_sdists_are_refused_clearly(string filename, string reason)
        => Assert.Contains(reason, await Refused(new MemoryStream([1, 2, 3]), filename), StringComparison.Ordinal);

    [Fact]
    public async Task Egg_metadata_merges_requires_txt()
    {
        using var egg = Zip(
            ("EGG-INFO/PKG-INFO", "Metadata-Version: 1.0\nName: foo\nVersion: 1.0\nSummary: s\n"),
            ("EGG-INFO/requires.txt", "six\n\n[test]\npytest\n"),
            ("foo/__init__.py", ""));
        var result = await Inspect(egg, "foo-1.0-py2.7.egg");
        Assert.Equal(["six", "pytest; extra == \"test\""], result!.Metadata.RequiresDist);
        Assert.Equal("EGG-INFO/PKG-INFO", result.MetadataPath);
        Assert.Equal(result.Metadata.RequiresDist, CoreMetadata.Parse(result.MetadataBytes).RequiresDist);
    }

    [Fact]
    public async Task Egg_without_requires_txt_returns_pkg_info_bytes()
    {
        const string pkgInfo = "Metadata-Version: 1.0\nName: foo\nVersion: 1.0\n";
        using var egg = Zip(("EGG-INFO/PKG-INFO", pkgInfo));
        Assert.Equal(Encoding.UTF8.GetBytes(pkgInfo), (await Inspect(egg, "foo-1.0-py2.7.egg"))!.MetadataBytes);
    }

    [Theory]
    [InlineData("foo-1.0.win32.exe")]
    [InlineData("foo-1.0.win32.msi")]
    [InlineData("foo-1.0-1.noarch.rpm")]
    [InlineData("foo-1.0.macosx-10.9.dmg")]
    public async Task Legacy_bdists_are_not_inspected(string filename)
        => Assert.Null(await Inspect(new MemoryStream([0]), filename));
}
