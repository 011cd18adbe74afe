using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Clutch.Packaging.Tests.Differential;

/// <summary>
/// Compares this library with pip's vendored packaging (pip 24.2, packaging 24.1) on large
/// seeded corpora. Every disagreement fails the test, except the justified ones listed here:
/// <list type="bullet">
/// <item>packaging accepts an empty project name in wheel and sdist filenames
/// (<c>-1.0.tar.gz</c>); we refuse a file that names no project.</item>
/// <item>sdists whose text after the last dash is not PEP 440 are refused by packaging; we keep
/// them (legacy versions, or a split further left, e.g. <c>foo-1.0-beta</c>), by design. These
/// are counted, not failed; a file packaging parses must parse identically.</item>
/// <item>sdist extensions packaging does not know (<c>.tgz</c>, <c>.tar.bz2</c>) are ours alone.</item>
/// </list>
/// </summary>
public sealed class DifferentialTests(Oracle oracle, ITestOutputHelper output) : IClassFixture<Oracle>
{
    private const int Seed = 20261124;

    private bool Skipped()
    {
        if (oracle.SkipReason is null)
        {
            return false;
        }

        output.WriteLine("SKIPPED: " + oracle.SkipReason);
        Console.WriteLine("Differential tests skipped: " + oracle.SkipReason);
        return true;
    }

    [Fact]
    public void Versions_agree_with_pip_on_validity_normalization_and_flags()
    {
        if (Skipped())
        {
            return;
        }

        var corpus = Corpus.Versions(12_000, Seed);
        var answers = oracle.Ask("version", corpus).AsArray();
        var problems = new List<string>();
        var valid = 0;
        for (var i = 0; i < corpus.Count; i++)
        {
            var expected = answers[i]!;
            var ours = PackageVersion.Parse(corpus[i]);
            var expectedValid = expected["valid"]!.GetValue<bool>();
            valid += expectedValid ? 1 : 0;
            if (ours.IsValid != expectedValid)
            {
                problems.Add($"{Show(corpus[i])}: valid {ours.IsValid}, pip {expectedValid}");
                continue;
            }

            if (!expectedValid)
            {
                if (ours.Normalized != corpus[i])
                {
                    problems.Add($"{Show(corpus[i])}: a legacy version must keep its text, got {Show(ours.Normalized)}");
                }

                continue;
            }

            var norm = expected["norm"]!.GetValue<string>();
            var pre = expected["pre"]!.GetValue<bool>();
            var dev = expected["dev"]!.GetValue<bool>();
            if (ours.Normalized != norm || ours.IsPrerelease != pre || ours.IsDevRelease != dev)
            {
                problems.Add($"{Show(corpus[i])}: ours {Show(ours.Normalized)} pre={ours.IsPrerelease} dev={ours.IsDevRelease}, pip {Show(norm)} pre={pre} dev={dev}");
            }
        }

        output.WriteLine($"{corpus.Count} version strings ({valid} valid PEP 440), {problems.Count} disagreements");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
        Assert.True(valid > 5000 && corpus.Count - valid > 1000, $"the corpus should mix valid ({valid}) and invalid versions");
    }

    [Fact]
    public void Versions_sort_exactly_as_pip_sorts_them()
    {
        if (Skipped())
        {
            return;
        }

        var valid = Corpus.Versions(12_000, Seed + 1).Where(s => PackageVersion.Parse(s).IsValid).ToList();
        var expected = oracle.Ask("sort", valid)["order"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var parsed = valid.Select(PackageVersion.Parse).ToArray();
        var ours = Enumerable.Range(0, valid.Count).ToArray();

        // Stable like Python's sorted: ties keep input order.
        Array.Sort(ours, (a, b) =>
        {
            var c = parsed[a].CompareTo(parsed[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var firstDifference = -1;
        for (var i = 0; i < ours.Length; i++)
        {
            if (ours[i] != expected[i])
            {
                firstDifference = i;
                break;
            }
        }

        Assert.True(firstDifference < 0, firstDifference < 0 ? "" :
            $"sorted lists differ at {firstDifference}: ours {Show(valid[ours[firstDifference]])}, pip {Show(valid[expected[firstDifference]])}");

        var random = new Random(Seed);
        var pairs = new List<(int, int)>();
        for (var i = 0; i < 30_000; i++)
        {
            var a = random.Next(valid.Count);
            // Half the pairs are neighbours in sorted order, where the hard cases are.
            var b = i % 2 == 0 ? random.Next(valid.Count) : expected[Math.Min(Array.IndexOf(expected, a) + 1, valid.Count - 1)];
            pairs.Add((a, b));
        }

        var answers = oracle.Ask("cmp", valid, pairs)["r"]!.AsArray();
        var problems = new List<string>();
        for (var i = 0; i < pairs.Count; i++)
        {
            var (a, b) = pairs[i];
            var theirs = answers[i]!.GetValue<int>();
            var c = Math.Sign(parsed[a].CompareTo(parsed[b]));
            if (c != theirs)
            {
                problems.Add($"{Show(valid[a])} vs {Show(valid[b])}: ours {c}, pip {theirs}");
            }

            if (c == 0 && parsed[a].GetHashCode() != parsed[b].GetHashCode())
            {
                problems.Add($"{Show(valid[a])} == {Show(valid[b])} but their hashes differ");
            }
        }

        output.WriteLine($"{valid.Count} valid versions sorted identically; {pairs.Count} pairs compared, {problems.Count} disagreements");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
    }

    [Fact]
    public void Names_normalize_and_validate_exactly_as_pip_canonicalize_name()
    {
        if (Skipped())
        {
            return;
        }

        var names = Corpus.Names(5_000, Seed);
        var answers = oracle.Ask("name", names).AsArray();
        var problems = new List<string>();
        var justified = 0;
        for (var i = 0; i < names.Count; i++)
        {
            var ours = ProjectName.Normalize(names[i]).Value;
            var theirs = answers[i]![0]!.GetValue<string>();
            if (ours != theirs)
            {
                problems.Add($"{Show(names[i])}: ours {Show(ours)}, pip {Show(theirs)}");
            }

            var valid = ProjectName.IsValid(names[i]);
            var theirValid = answers[i]![1]!.GetValue<bool>();
            if (valid != theirValid)
            {
                // Python's case-insensitive [A-Z] also admits U+0130, U+0131, U+017F and U+212A, and
                // its '$' matches before a final newline; PEP 508 means ASCII names on one line.
                if (!valid && theirValid && (names[i].EndsWith('\n') || names[i].Any(c => c is '\u0130' or '\u0131' or '\u017f' or '\u212a')))
                {
                    justified++;
                }
                else
                {
                    problems.Add($"{Show(names[i])}: valid {valid}, pip {theirValid}");
                }
            }
        }

        output.WriteLine($"{names.Count} names (normalization and validity), {problems.Count} disagreements, {justified} justified (stricter validity)");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
    }

    [Fact]
    public void Wheel_filenames_parse_as_pip_parses_them()
    {
        if (Skipped())
        {
            return;
        }

        var files = Corpus.WheelFilenames(5_000, Seed);
        var answers = oracle.Ask("wheel", files).AsArray();
        var problems = new List<string>();
        int accepted = 0, justified = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var theirs = answers[i]!;
            var ok = DistributionFilename.TryParse(files[i], null, out var ours, out var error) && ours!.Type == DistributionType.Wheel;
            var theirOk = theirs["ok"]!.GetValue<bool>();
            if (theirOk && !ok && theirs["name"]!.GetValue<string>().Length == 0 && error!.Contains("project name is empty", StringComparison.Ordinal))
            {
                justified++;
                continue;
            }

            if (ok != theirOk)
            {
                problems.Add($"{Show(files[i])}: ours {(ok ? "ok" : error)}, pip {(theirOk ? "ok" : theirs["err"])}");
                continue;
            }

            if (!ok)
            {
                continue;
            }

            accepted++;
            var tags = ExpandTags(ours!);
            var theirTags = theirs["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            var build = Build(ours!.BuildTag);
            var theirBuild = theirs["build"] is JsonArray b ? $"{b[0]}|{b[1]}" : null;
            if (ours.Project.Value != theirs["name"]!.GetValue<string>()
                || ours.Version.Normalized != theirs["version"]!.GetValue<string>()
                || build != theirBuild
                || !tags.SequenceEqual(theirTags))
            {
                problems.Add($"{Show(files[i])}: ours {ours.Project} {ours.Version} {build} [{string.Join(' ', tags)}], pip {theirs.ToJsonString()}");
            }
        }

        output.WriteLine($"{files.Count} wheel filenames ({accepted} accepted by both), {problems.Count} disagreements, {justified} justified (empty name)");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
    }

    [Fact]
    public void Sdist_filenames_parse_as_pip_parses_them()
    {
        if (Skipped())
        {
            return;
        }

        var files = Corpus.SdistFilenames(5_000, Seed);
        var answers = oracle.Ask("sdist", files).AsArray();
        var problems = new List<string>();
        int accepted = 0, justified = 0, oursAlone = 0;
        for (var i = 0; i < files.Count; i++)
        {
            var theirs = answers[i]!;
            var ok = DistributionFilename.TryParse(files[i], null, out var ours, out var error);
            var theirOk = theirs["ok"]!.GetValue<bool>();
            if (theirOk)
            {
                if (!ok && theirs["name"]!.GetValue<string>().Length == 0 && error!.Contains("project name is empty", StringComparison.Ordinal))
                {
                    justified++;
                }
                else if (!ok || ours!.Project.Value != theirs["name"]!.GetValue<string>() || ours.Version.Normalized != theirs["version"]!.GetValue<string>())
                {
                    problems.Add($"{Show(files[i])}: ours {(ok ? $"{ours!.Project} {ours.Version}" : error)}, pip {theirs.ToJsonString()}");
                }
                else
                {
                    accepted++;
                }
            }
            else if (ok)
            {
                // Ours alone: another extension, a legacy version, or a split left of the last dash.
                var stem = ours!.Filename[..^Extension(ours.Filename).Length];
                var lastDashSplit = stem.LastIndexOf('-') == ours.RawName.Length;
                var knownExtension = files[i].EndsWith(".tar.gz", StringComparison.Ordinal) || files[i].EndsWith(".zip", StringComparison.Ordinal);
                if (knownExtension && lastDashSplit && ours.Version.IsValid)
                {
                    problems.Add($"{Show(files[i])}: pip refuses ({theirs["err"]}), ours {ours.Project} {ours.Version}");
                }
                else
                {
                    oursAlone++;
                }
            }
        }

        output.WriteLine($"{files.Count} sdist filenames ({accepted} parsed identically), {problems.Count} disagreements, {justified} justified (empty name), {oursAlone} accepted by us alone by design");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
    }

    [Fact]
    public void Legacy_versions_use_the_sort_key_of_setuptools_LegacyVersion()
    {
        // ASCII only: Python 2's str regexes read digits as ASCII, Python 3's as Unicode.
        var legacy = Corpus.Versions(12_000, Seed + 2)
            .Where(s => !PackageVersion.Parse(s).IsValid && s.All(char.IsAscii))
            .Concat(["1.0.dev-r1234", "2004d", "latest", "1.0beta-svn", "0.5-pre", "1.0-SNAPSHOT", "1.0.0-beta.1", "1_0", "1.0.0.0rc-1", "123456789.1"])
            .Distinct()
            .ToList();
        var request = System.Text.Json.JsonSerializer.Serialize(legacy);
        var answer = Oracle.RunOnce("2.7.18", "legacy_oracle.py", request);
        if (answer is null)
        {
            output.WriteLine("SKIPPED: pyenv's Python 2.7.18 (pip 19, which still has LegacyVersion) was not found");
            return;
        }

        var keys = JsonNode.Parse(answer)!.AsArray();
        var problems = new List<string>();
        for (var i = 0; i < legacy.Count; i++)
        {
            var theirs = keys[i]!.AsArray().Select(k => k!.GetValue<string>()).ToArray();
            var ours = LegacyVersionKey.Compute(legacy[i]);
            if (!ours.SequenceEqual(theirs))
            {
                problems.Add($"{Show(legacy[i])}: ours ({string.Join(", ", ours)}), pip 19 ({string.Join(", ", theirs)})");
            }
        }

        output.WriteLine($"{legacy.Count} legacy versions, {problems.Count} sort-key disagreements with pip 19's LegacyVersion");
        Assert.True(legacy.Count > 500, "the corpus should hold many legacy versions");
        Assert.True(problems.Count == 0, string.Join('\n', problems.Take(50)));
    }

    private static string Extension(string file)
        => new[] { ".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz" }.First(e => file.EndsWith(e, StringComparison.Ordinal));

    private static List<string> ExpandTags(DistributionFilename wheel)
    {
        var tags = new List<string>();
        foreach (var py in wheel.PythonTag!.Split('.'))
        {
            foreach (var abi in wheel.AbiTag!.Split('.'))
            {
                foreach (var plat in wheel.PlatformTag!.Split('.'))
                {
                    tags.Add($"{py}-{abi}-{plat}".ToLowerInvariant());
                }
            }
        }

        return [.. tags.Distinct().Order(StringComparer.Ordinal)];
    }

    private static string? Build(string? build)
    {
        if (build is null)
        {
            return null;
        }

        var n = 0;
        var value = BigInteger.Zero;
        while (n < build.Length && char.IsDigit(build[n]))
        {
            value = (value * 10) + CharUnicodeInfo.GetDecimalDigitValue(build[n]);
            n++;
        }

        return $"{value}|{build[n..]}";
    }

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);
}
