using Clutch.Packaging;
using Clutch.Storage;

namespace Clutch.Benchmarks;

/// <summary>Deterministic inputs shared by the benchmarks (fixed seed: same strings every run).</summary>
internal static class Corpus
{
    private static readonly string[] Suffixes = ["", "", "", ".post1", "rc1", "b2", "a1", ".dev3", ".dev1234", "-1", ".post2.dev1", "+local.7"];

    /// <summary>PEP 440 versions in many spellings, plus a few legacy (non-PEP 440) ones.</summary>
    public static string[] Versions(int count)
    {
        var random = new Random(440);
        var versions = new string[count];
        for (var i = 0; i < count; i++)
        {
            versions[i] = (i % 97) switch
            {
                0 => $"1.0.dev-r{random.Next(100000)}",
                1 => $"{random.Next(3)}!{random.Next(10)}.{random.Next(10)}",
                _ => $"{random.Next(20)}.{random.Next(30)}.{random.Next(100)}{Suffixes[random.Next(Suffixes.Length)]}",
            };
        }

        return versions;
    }

    /// <summary>Wheel, sdist and egg filenames.</summary>
    public static string[] Filenames(int count)
    {
        var versions = Versions(count);
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            var project = $"bench_project_{i % 500}";
            var v = versions[i].Replace("-", ".", StringComparison.Ordinal).Replace("!", "", StringComparison.Ordinal).Replace("+", ".", StringComparison.Ordinal);
            names[i] = (i % 3) switch
            {
                0 => $"{project}-{v}-py3-none-any.whl",
                1 => $"{project}-{v}.tar.gz",
                _ => $"{project}-{v}-py3.11.egg",
            };
        }

        return names;
    }

    /// <summary>A project's catalog rows: wheel + sdist per version, like a real project page.</summary>
    public static CatalogFile[] ProjectFiles(string project, int count)
    {
        var name = ProjectName.Normalize(project);
        var dist = project.Replace('-', '_');
        var files = new CatalogFile[count];
        var time = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < count; i++)
        {
            var version = $"{i / 20}.{i / 2 % 10}.{i % 7}";
            var wheel = i % 2 == 0;
            var filename = wheel ? $"{dist}-{version}-py3-none-any.whl" : $"{dist}-{version}.tar.gz";
            files[i] = new CatalogFile
            {
                Path = $"{project}/{filename}",
                Filename = filename,
                Project = name,
                Version = version,
                Type = wheel ? DistributionType.Wheel : DistributionType.Sdist,
                RequiresPython = i % 3 == 0 ? ">=3.8" : null,
                Sha256 = Convert.ToHexStringLower(BitConverter.GetBytes((long)i * 7919)).PadRight(64, 'a'),
                Md5 = new string('b', 32),
                Blake2b256 = new string('c', 64),
                Size = 4096 + i,
                UploadTime = time.AddMinutes(i),
                MetadataSha256 = wheel ? new string('d', 64) : null,
            };
        }

        return files;
    }

    public static ProjectSummary[] Projects(int count)
    {
        var time = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var projects = new ProjectSummary[count];
        for (var i = 0; i < count; i++)
        {
            var display = $"Bench_Project-{i:D5}";
            projects[i] = new ProjectSummary(ProjectName.Normalize(display), display, time);
        }

        return projects;
    }
}
