using System.Formats.Tar;
using System.Text;
using static Clutch.Packaging.Tests.ArchiveBuilder;

namespace Clutch.Packaging.Tests;

/// <summary>
/// Archives pip cannot install or that two tools read differently: one archive per case, refused
/// with a one-line reason naming the file. The same cases are refused whether the inspector reads
/// the members itself or is given the forward pass made while the bytes streamed in.
/// </summary>
public sealed class HostileArchiveTests
{
    private const string Wheel = "foo_bar-1.0-py3-none-any.whl";
    private const string Egg = "foo_bar-1.0-py3.9.egg";
    private const string Sdist = "foo_bar-1.0.tar.gz";
    private const string ZipSdist = "foo_bar-1.0.zip";
    private const string Meta = "foo_bar-1.0.dist-info/METADATA";

    private static readonly string Deep = string.Join('/', Enumerable.Repeat("d", 2000)) + "/x.py";
    private static readonly string Long = "foo_bar/" + string.Join('/', Enumerable.Repeat(new string('p', 100), 11)) + ".py";
    private static readonly string LongName = "foo_bar/" + new string('n', 300) + ".py";
    private static readonly byte[] Latin1Metadata = Encoding.Latin1.GetBytes(Metadata("foo_bar", "1.0", "Author: Jos\u00e9\n"));

    private static byte[] WheelWith(string metadata, params (string Name, string Content)[] more) =>
        Zip([(Meta, metadata), ("foo_bar/__init__.py", "x = 1\n"), .. more]).ToArray();

    private static byte[] WheelWithMetadataBytes(byte[] metadata) =>
        Zip(new ZipMember(Meta, metadata), new ZipMember("foo_bar/__init__.py", "x = 1\n"u8.ToArray())).ToArray();

    private static byte[] SdistWith(string pkgInfo, params TarMember[] more) =>
        TarGz([new TarMember("foo_bar-1.0/PKG-INFO", pkgInfo), .. more]).ToArray();

    private static readonly Dictionary<string, (string Filename, Func<byte[]> Build, string Reason)> Cases = new()
    {
        ["wheel member with a wrong CRC-32"] = (Wheel, () => PatchZipCrc(WheelWith(Metadata("foo_bar", "1.0")), "foo_bar/__init__.py"), "'foo_bar/__init__.py' fails its CRC-32 check"),
        ["wheel METADATA with a wrong CRC-32"] = (Wheel, () => PatchZipCrc(WheelWith(Metadata("foo_bar", "1.0")), Meta), "METADATA' fails its CRC-32 check"),
        ["wheel whose central directory CRC-32 disagrees with the local header"] = (Wheel,
            () => PatchZipCrc(WheelWith(Metadata("foo_bar", "1.0")), "foo_bar/__init__.py", local: false), "'foo_bar/__init__.py'"),
        ["egg member with a wrong CRC-32"] = (Egg,
            () => PatchZipCrc(Zip(("EGG-INFO/PKG-INFO", Metadata("foo_bar", "1.0")), ("foo_bar/__init__.py", "x = 1\n")).ToArray(), "foo_bar/__init__.py"),
            "fails its CRC-32 check"),
        ["zip sdist member with a wrong CRC-32"] = (ZipSdist,
            () => PatchZipCrc(Zip(("foo_bar-1.0/PKG-INFO", Metadata("foo_bar", "1.0")), ("foo_bar-1.0/setup.py", "print()\n")).ToArray(), "foo_bar-1.0/setup.py"),
            "fails its CRC-32 check"),
        ["wheel with data descriptors and a wrong CRC-32"] = (Wheel,
            () => PatchZipCrc(ZipWithDataDescriptors((Meta, Metadata("foo_bar", "1.0")), ("foo_bar/__init__.py", "x = 1\n")).ToArray(), "foo_bar/__init__.py", local: false),
            "fails its CRC-32 check"),
        ["wheel METADATA that is not UTF-8"] = (Wheel, () => WheelWithMetadataBytes(Latin1Metadata), "METADATA is not valid UTF-8"),
        ["egg PKG-INFO that is not UTF-8"] = (Egg, () => Zip(new ZipMember("EGG-INFO/PKG-INFO", Latin1Metadata)).ToArray(), "EGG-INFO/PKG-INFO is not valid UTF-8"),
        ["sdist PKG-INFO that is not UTF-8"] = (Sdist, () => TarGz(new TarMember("foo_bar-1.0/PKG-INFO", Bytes: Latin1Metadata)).ToArray(), "PKG-INFO is not valid UTF-8"),
        ["wheel member 2000 directories deep"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0"), (Deep, "")), "levels deep, more than the limit of 64"),
        ["sdist member 2000 directories deep"] = (Sdist, () => SdistWith(Metadata("foo_bar", "1.0"), new TarMember("foo_bar-1.0/" + Deep, "")), "levels deep"),
        ["wheel member path over 1024 bytes"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0"), (Long, "")), "path longer than 1024 bytes"),
        ["wheel member name over 255 bytes"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0"), (LongName, "")), "name longer than 255 bytes"),
        ["wheel with a member twice"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0"), ("foo_bar/x.py", "a"), ("foo_bar/x.py", "b")), "'foo_bar/x.py' appears more than once"),
        ["wheel with a member twice after path cleaning"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0"), ("foo_bar/x.py", "a"), ("foo_bar/./x.py", "b")), "appears more than once"),
        ["sdist with a member twice"] = (Sdist,
            () => SdistWith(Metadata("foo_bar", "1.0"), new TarMember("foo_bar-1.0/setup.py", "a"), new TarMember("foo_bar-1.0/setup.py", "b")),
            "'foo_bar-1.0/setup.py' appears more than once"),
        ["wheel METADATA giving Name twice"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0", "Name: evil\n")), "gives Name twice with different values"),
        ["wheel METADATA giving Version twice"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0", "Version: 6.6\n")), "gives Version twice"),
        ["wheel METADATA giving Requires-Python twice"] = (Wheel,
            () => WheelWith(Metadata("foo_bar", "1.0", "Requires-Python: >=3.8\nRequires-Python: >=3.12\n")), "gives Requires-Python twice"),
        ["wheel METADATA giving Summary twice"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0", "Summary: other\n")), "gives Summary twice"),
        ["wheel METADATA giving Metadata-Version twice"] = (Wheel, () => WheelWith(Metadata("foo_bar", "1.0", "Metadata-Version: 1.0\n")), "gives Metadata-Version twice"),
        ["sdist PKG-INFO giving Name twice"] = (Sdist, () => SdistWith(Metadata("foo_bar", "1.0", "name: evil\n")), "gives Name twice"),
        ["wheel METADATA of Metadata-Version 3.0"] = (Wheel,
            () => WheelWith(Metadata("foo_bar", "1.0").Replace("Metadata-Version: 2.1", "Metadata-Version: 3.0", StringComparison.Ordinal)), "major version 3 is unknown"),
        ["sdist PKG-INFO of Metadata-Version 0.9"] = (Sdist,
            () => SdistWith(Metadata("foo_bar", "1.0").Replace("Metadata-Version: 2.1", "Metadata-Version: 0.9", StringComparison.Ordinal)), "major version 0 is unknown"),
        ["wheel METADATA of Metadata-Version two"] = (Wheel,
            () => WheelWith(Metadata("foo_bar", "1.0").Replace("Metadata-Version: 2.1", "Metadata-Version: two", StringComparison.Ordinal)), "not a MAJOR.MINOR version"),
        ["wheel METADATA without Metadata-Version"] = (Wheel,
            () => WheelWith(Metadata("foo_bar", "1.0").Replace("Metadata-Version: 2.1\n", "", StringComparison.Ordinal)), "has no Metadata-Version"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Hostile_archive_is_refused_with_its_reason(string name)
    {
        var (filename, build, reason) = Cases[name];
        var message = await RefusedAsync(filename, build(), streamed: false);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Hostile_archive_is_refused_when_checked_as_it_streams(string name)
    {
        var (filename, build, reason) = Cases[name];
        var message = await RefusedAsync(filename, build(), streamed: true);
        Assert.Contains(reason, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1.2")]
    [InlineData("2.4")]
    [InlineData("2.5")]
    [InlineData("2.10")]
    public async Task Known_major_metadata_versions_are_accepted_newer_minors_included(string version)
    {
        var wheel = WheelWith(Metadata("foo_bar", "1.0").Replace("Metadata-Version: 2.1", "Metadata-Version: " + version, StringComparison.Ordinal));
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: true));
    }

    [Fact]
    public async Task A_field_repeated_with_the_same_value_and_multi_use_fields_are_accepted()
    {
        var wheel = WheelWith(Metadata("foo_bar", "1.0", "Name: foo_bar\nClassifier: A\nClassifier: B\nRequires-Dist: six\nRequires-Dist: attrs\n"));
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: false));
    }

    [Fact]
    public async Task A_wheel_written_with_data_descriptors_is_checked_and_accepted()
    {
        var wheel = ZipWithDataDescriptors((Meta, Metadata("foo_bar", "1.0")), ("foo_bar/__init__.py", "x = 1\n")).ToArray();
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: true));
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: false));
    }

    [Fact]
    public async Task Members_with_non_ascii_names_and_directories_are_matched_to_their_local_headers()
    {
        var wheel = WheelWith(Metadata("foo_bar", "1.0"), ("foo_bar/caf\u00e9/", ""), ("foo_bar/caf\u00e9/\u00fcber.py", "x"));
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: true));
    }

    [Fact]
    public async Task A_large_wheel_pushed_in_small_chunks_is_checked_whole()
    {
        var random = new Random(7);
        var members = Enumerable.Range(0, 40).Select(i =>
        {
            var bytes = new byte[50_000];
            random.NextBytes(bytes);
            return new ZipMember($"foo_bar/m{i}.bin", bytes);
        }).Append(new ZipMember(Meta, Encoding.UTF8.GetBytes(Metadata("foo_bar", "1.0")))).ToArray();
        var wheel = Zip(members).ToArray();
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: true, chunk: 1000));
        var message = await RefusedAsync(Wheel, PatchZipCrc(wheel, "foo_bar/m39.bin"), streamed: true, chunk: 1000);
        Assert.Contains("'foo_bar/m39.bin' fails its CRC-32 check", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_compressible_wheel_pushed_a_few_bytes_at_a_time_is_checked_whole()
    {
        // Headers and deflate data split at every few bytes; each member inflates far past a push.
        var members = Enumerable.Range(0, 3)
            .Select(i => new ZipMember($"foo_bar/m{i}.txt", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat($"line {i} of a text file\n", 20_000)))))
            .Append(new ZipMember(Meta, Encoding.UTF8.GetBytes(Metadata("foo_bar", "1.0")))).ToArray();
        var wheel = Zip(members).ToArray();
        Assert.NotNull(await InspectAsync(Wheel, wheel, streamed: true, chunk: 7));
        var message = await RefusedAsync(Wheel, PatchZipCrc(wheel, "foo_bar/m1.txt"), streamed: true, chunk: 7);
        Assert.Contains("'foo_bar/m1.txt' fails its CRC-32 check", message, StringComparison.Ordinal);
    }

    private static async Task<string> RefusedAsync(string filename, byte[] bytes, bool streamed, int chunk = 64 * 1024)
    {
        var error = await Assert.ThrowsAsync<InvalidArchiveException>(() => InspectAsync(filename, bytes, streamed, chunk));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith($"'{filename}': ", error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    /// <summary>
    /// Inspects <paramref name="bytes"/>; <paramref name="streamed"/>: as an upload does, pushing the
    /// bytes to a <see cref="ZipStreamVerifier"/> in chunks first and handing its scan over.
    /// </summary>
    private static async Task<InspectionResult?> InspectAsync(string filename, byte[] bytes, bool streamed, int chunk = 64 * 1024)
    {
        var name = DistributionFilename.Parse(filename);
        ZipLocalScan? scan = null;
        var verifier = streamed ? ZipStreamVerifier.Start(filename, ArchiveLimits.Default) : null;
        if (verifier is not null)
        {
            await using (verifier)
            {
                for (var offset = 0; offset < bytes.Length; offset += chunk)
                {
                    await verifier.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)), CancellationToken.None);
                }

                scan = await verifier.CompleteAsync();
            }
        }

        using var stream = new MemoryStream(bytes, writable: false);
        return await ArchiveInspector.InspectAsync(stream, name, ArchiveLimits.Default, scan, CancellationToken.None);
    }
}
