using BenchmarkDotNet.Attributes;
using Clutch.Packaging;

namespace Clutch.Benchmarks;

/// <summary>PEP 440: parsing 10,000 version strings, and sorting 10,000 parsed versions.</summary>
[MemoryDiagnoser]
public class VersionBenchmarks
{
    private string[] _texts = [];
    private PackageVersion[] _parsed = [];
    private PackageVersion[] _scratch = [];

    [GlobalSetup]
    public void Setup()
    {
        _texts = Corpus.Versions(10_000);
        _parsed = Array.ConvertAll(_texts, PackageVersion.Parse);
        _scratch = new PackageVersion[_parsed.Length];
    }

    [Benchmark(Description = "parse 10k versions")]
    public int Parse()
    {
        var n = 0;
        foreach (var t in _texts)
        {
            n += PackageVersion.Parse(t).Normalized.Length;
        }

        return n;
    }

    [Benchmark(Description = "sort 10k versions")]
    public PackageVersion Sort()
    {
        _parsed.CopyTo(_scratch, 0);
        Array.Sort(_scratch);
        return _scratch[^1];
    }
}
