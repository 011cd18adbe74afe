using BenchmarkDotNet.Attributes;
using Clutch.Packaging;

namespace Clutch.Benchmarks;

/// <summary>Hashing throughput: what bounds cold import and upload speed (sha256 + md5 + blake2b-256).</summary>
[MemoryDiagnoser]
public class DigestBenchmarks
{
    private byte[] _data = [];

    [Params(64 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(3).NextBytes(_data);
    }

    [Benchmark]
    public async Task<FileDigests> AllThreeDigests() => await DigestCalculator.ComputeAsync(new MemoryStream(_data, writable: false), CancellationToken.None);

    [Benchmark(Baseline = true)]
    public byte[] Sha256Alone() => System.Security.Cryptography.SHA256.HashData(_data);
}
