using System.Security.Cryptography;
using System.Text;

namespace Clutch.Packaging.Tests;

public sealed class DigestTests
{
    [Theory]
    // Reference values from Python's hashlib (sha256, md5, blake2b(digest_size=32)).
    [InlineData("",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "d41d8cd98f00b204e9800998ecf8427e",
        "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")]
    [InlineData("abc",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "900150983cd24fb0d6963f7d28e17f72",
        "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")]
    public async Task Digests_match_hashlib(string text, string sha256, string md5, string blake2b)
    {
        var digests = await DigestCalculator.ComputeAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);
        Assert.Equal(new FileDigests(sha256, md5, blake2b, text.Length), digests);
    }

    [Fact]
    public async Task Appending_in_pieces_equals_hashing_the_stream()
    {
        var data = new byte[3_500_000];
        new Random(1).NextBytes(data);
        using var calculator = new DigestCalculator();
        var offset = 0;
        var random = new Random(2);
        while (offset < data.Length)
        {
            var n = Math.Min(random.Next(1, 2_000_000), data.Length - offset);
            calculator.Append(data, offset, n);
            offset += n;
        }

        var pieces = calculator.Finish();
        var whole = await DigestCalculator.ComputeAsync(new MemoryStream(data), CancellationToken.None);
        Assert.Equal(whole, pieces);
        Assert.Equal(whole, DigestCalculator.Compute(data)); // the one-shot form the folder indexer uses
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), whole.Sha256);
        Assert.Equal(data.Length, whole.Size);
    }

    [Fact]
    public async Task Only_the_digests_asked_for_are_computed_and_the_buffer_overload_agrees()
    {
        var data = new byte[1_300_000];
        new Random(3).NextBytes(data);
        var all = await DigestCalculator.ComputeAsync(new MemoryStream(data), CancellationToken.None);
        Assert.Matches("^[0-9a-f]{32}$", all.Md5);
        Assert.Matches("^[0-9a-f]{64}$", all.Blake2b256);

        var shaOnly = await DigestCalculator.ComputeAsync(new MemoryStream(data), CancellationToken.None, DigestKinds.Sha256);
        Assert.Equal(new FileDigests(all.Sha256, "", "", data.Length), shaOnly);

        using var md5 = new DigestCalculator(DigestKinds.Sha256 | DigestKinds.Md5);
        md5.Append(data, 0, 700_000); // large enough for md5 on the second core
        md5.Append(data, 700_000, data.Length - 700_000);
        Assert.Equal(all with { Blake2b256 = "" }, md5.Finish());

        using var blake = new DigestCalculator(DigestKinds.Sha256 | DigestKinds.Blake2b256);
        blake.Append(data, 0, 10);
        blake.Append(data, 10, data.Length - 10);
        Assert.Equal(all with { Md5 = "" }, blake.Finish());
    }
}
