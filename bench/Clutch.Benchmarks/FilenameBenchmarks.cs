using BenchmarkDotNet.Attributes;
using Clutch.Packaging;

namespace Clutch.Benchmarks;

/// <summary>Distribution filenames: 1,000 wheels, sdists and eggs parsed.</summary>
[MemoryDiagnoser]
public class FilenameBenchmarks
{
    private string[] _names = [];

    [GlobalSetup]
    public void Setup() => _names = Corpus.Filenames(1_000);

    [Benchmark(Description = "parse 1k filenames")]
    public int Parse()
    {
        var n = 0;
        foreach (var name in _names)
        {
            if (DistributionFilename.TryParse(name, null, out var parsed, out _))
            {
                n += parsed!.Project.Value.Length;
            }
        }

        return n;
    }
}
