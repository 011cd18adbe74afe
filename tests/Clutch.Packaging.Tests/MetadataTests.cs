using System.Text;

namespace Clutch.Packaging.Tests;

public sealed class MetadataTests
{
    [Fact]
    public void Headers_are_read_in_order_with_multi_use_fields_kept()
    {
        var metadata = CoreMetadata.Parse("""
            Metadata-Version: 2.1
            Name: Foo-Bar
            Version: 1.0
            Summary: A thing
            Requires-Dist: requests>=2
            Classifier: A
            Requires-Dist: idna; extra == "x"
            Classifier: B
            Requires-Python: >=3.8

            """);
        Assert.Equal("2.1", metadata.MetadataVersion);
        Assert.Equal("Foo-Bar", metadata.Name);
        Assert.Equal("1.0", metadata.Version);
        Assert.Equal("A thing", metadata.Summary);
        Assert.Equal(">=3.8", metadata.RequiresPython);
        Assert.Equal(["requests>=2", "idna; extra == \"x\""], metadata.RequiresDist);
        Assert.Equal(["A", "B"], metadata.GetAll("classifier"));
        Assert.Equal("Foo-Bar", metadata.Get("NAME"));
        Assert.Null(metadata.Get("Home-page"));
        Assert.Empty(metadata.GetAll("Provides-Extra"));
        Assert.Equal(9, metadata.Fields.Count);
        Assert.Null(metadata.Description);
    }

    [Theory]
    [InlineData("1.0", "")]
    [InlineData("1.1", "Download-URL: https://example.invalid/\n")]
    [InlineData("1.2", "Requires-Python: >=2.7\nProvides-Dist: foo\n")]
    [InlineData("2.1", "Provides-Extra: socks\nDescription-Content-Type: text/x-rst\n")]
    [InlineData("2.2", "Dynamic: Requires-Dist\n")]
    [InlineData("2.3", "Provides-Extra: a-b\n")]
    [InlineData("2.4", "License-Expression: MIT OR Apache-2.0\nLicense-File: LICENSE\nLicense-File: NOTICE\n")]
    public void Every_metadata_version_reads_its_name_and_version(string metadataVersion, string extra)
    {
        var metadata = CoreMetadata.Parse($"Metadata-Version: {metadataVersion}\nName: foo\nVersion: 1.0\n{extra}");
        Assert.Equal(metadataVersion, metadata.MetadataVersion);
        Assert.Equal("foo", metadata.Name);
        Assert.Equal("1.0", metadata.Version);
        if (metadataVersion == "2.4")
        {
            Assert.Equal(["LICENSE", "NOTICE"], metadata.GetAll("License-File"));
        }
    }

    [Theory]
    [InlineData("Summary: one\n  two\n\tthree\n", "one two three")]
    [InlineData("Summary: one   \n", "one")]
    [InlineData("Summary:one\n", "one")]
    [InlineData("Summary:\n  folded\n", "folded")]
    [InlineData("Summary: a\r\n b\r\n", "a b")]
    [InlineData("Summary: a\r b\r", "a b")]
    public void Continuation_lines_are_unfolded(string text, string summary)
        => Assert.Equal(summary, CoreMetadata.Parse(text).Summary);

    [Fact]
    public void Description_header_with_setuptools_eight_space_indent_keeps_its_lines()
    {
        var metadata = CoreMetadata.Parse("Metadata-Version: 1.1\nName: foo\nDescription: Title\n        =====\n        \n            indented\n        end\nPlatform: UNKNOWN\n");
        Assert.Equal("Title\n=====\n\n    indented\nend", metadata.Description);
        Assert.Equal("UNKNOWN", metadata.Get("Platform"));
    }

    [Fact]
    public void Description_header_with_the_pipe_convention_keeps_its_lines()
    {
        var metadata = CoreMetadata.Parse("Name: foo\nDescription: Title\n       |=====\n       |\n       |  indented\n");
        Assert.Equal("Title\n=====\n\n  indented", metadata.Description);
    }

    [Fact]
    public void Body_after_the_blank_line_is_the_description()
    {
        var metadata = CoreMetadata.Parse("Metadata-Version: 2.4\nName: foo\nDescription-Content-Type: text/markdown\n\n# Foo\n\nName: not a header\n");
        Assert.Equal("# Foo\n\nName: not a header\n", metadata.Description);
        Assert.Equal("text/markdown", metadata.DescriptionContentType);
        Assert.Single(metadata.GetAll("Name"));
    }

    [Fact]
    public void Body_wins_over_a_description_header()
    {
        var metadata = CoreMetadata.Parse("Name: foo\nDescription: short\n\nlong body\n");
        Assert.Equal("long body\n", metadata.Description);
        Assert.Equal("short", metadata.Get("Description"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\n")]
    [InlineData("no colon here\nName: x\n")]
    [InlineData("   leading continuation\nName: x\n")]
    [InlineData(":\n")]
    [InlineData("Name: x\nbroken line\nVersion: 1\n")]
    public void Malformed_text_is_read_leniently_without_throwing(string text)
    {
        var metadata = CoreMetadata.Parse(text);
        Assert.NotNull(metadata.Fields);
    }

    [Fact]
    public void A_line_that_is_not_a_header_starts_the_body_like_python_email()
    {
        var metadata = CoreMetadata.Parse("Name: x\nbroken line\nVersion: 1\n");
        Assert.Equal("x", metadata.Name);
        Assert.Null(metadata.Version);
        Assert.Equal("broken line\nVersion: 1\n", metadata.Description);
    }

    [Fact]
    public void Utf8_bytes_with_a_bom_and_invalid_sequences_are_read()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("Name: caf\u00e9\nSummary: bad ")).Concat(new byte[] { 0xFF, 0x0A }).ToArray();
        var metadata = CoreMetadata.Parse(bytes);
        Assert.Equal("caf\u00e9", metadata.Name);
        Assert.Equal("bad \uFFFD", metadata.Summary);
    }

    [Fact]
    public void Egg_requires_txt_becomes_requires_dist()
    {
        var egg = EggRequires.Parse("""
            requests>=2
            six

            # a comment
            [security]
            pyOpenSSL>=0.14

            [:python_version < "3"]
            futures

            [Socks:sys_platform == "win32"]
            win-inet-pton
            """);
        Assert.Equal(
        [
            "requests>=2",
            "six",
            "pyOpenSSL>=0.14; extra == \"security\"",
            "futures; python_version < \"3\"",
            "win-inet-pton; (sys_platform == \"win32\") and extra == \"socks\"",
        ], egg.RequiresDist);
        Assert.Equal(["security", "socks"], egg.ProvidesExtra);
    }

    [Fact]
    public void Egg_requires_merge_into_metadata_without_duplicates()
    {
        var metadata = CoreMetadata.Parse("Metadata-Version: 1.0\nName: foo\nVersion: 1.0\nRequires-Dist: six\n")
            .WithEggRequires("six\n[x]\nbar\n");
        Assert.Equal(["six", "bar; extra == \"x\""], metadata.RequiresDist);
        Assert.Equal(["x"], metadata.ProvidesExtra);
    }

    [Fact]
    public void Written_metadata_reads_back_the_same()
    {
        var original = CoreMetadata.Parse("Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: a\nRequires-Dist: b\n\nBody\ntext\n");
        var again = CoreMetadata.Parse(original.ToText());
        Assert.Equal(original.Fields, again.Fields);
        Assert.Equal(original.Description, again.Description);
    }
}
