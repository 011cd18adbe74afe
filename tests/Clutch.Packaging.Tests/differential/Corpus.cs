using System.Text;

namespace Clutch.Packaging.Tests.Differential;

/// <summary>Deterministic (seeded) generators of tricky version strings, names and filenames.</summary>
public static class Corpus
{
    private static readonly string[] PreLabels = ["a", "A", "alpha", "Alpha", "b", "B", "beta", "BETA", "c", "C", "rc", "RC", "Rc", "pre", "PRE", "preview", "Preview"];
    private static readonly string[] PostLabels = ["post", "POST", "Post", "rev", "REV", "r", "R"];
    private static readonly string[] DevLabels = ["dev", "DEV", "Dev"];
    private static readonly string[] Separators = ["", "", "", ".", "-", "_"];
    private static readonly string[] Spaces = [" ", "\t", "\n", "  ", "\r\n", "\u00a0", "\u2003", "\u001c", "\v", "\f"];
    private static readonly string Mutations = "-_.+!~ @xZv0\u00e9*/,";

    /// <summary>Hand-made cases: every rule of the grammar, its edges and well-known legacy versions.</summary>
    public static readonly string[] TrickyVersions =
    [
        "1", "1.0", "1.0.0", "01.02.03", "0", "0.0", "00", "0!0", "1!1.0", "01!1", "v1.0", "V1.0", " v1.0 ", "\t1.0\n",
        "1.0a", "1.0a.", "1.0a-", "1.0a1", "1.0a01", "1.0-a1", "1.0_a_1", "1.0.alpha.1", "1.0ALPHA1", "1.0b2", "1.0beta2",
        "1.0c1", "1.0rc1", "1.0pre1", "1.0preview1", "1.0-preview-1", "1.0.pre.1",
        "1.0-1", "1.0-01", "1.0.post1", "1.0post", "1.0.post", "1.0-post-1", "1.0_post_1", "1.0rev1", "1.0r1", "1.0-r", "1.0.r.1",
        "1.0.dev", "1.0dev", "1.0.dev0", "1.0-dev-1", "1.0_dev_1", "1.0.DEV1", "1.0a1.dev1", "1.0a1-dev1", "1.0.post1.dev1",
        "1.0a1.post1.dev1", "1.0a.post.dev", "1.0a-1", "1.0a--1", "1.0a.-1", "1.0-1-1", "1.0-1.dev1", "1.0-1a1",
        "1.0+abc", "1.0+ABC", "1.0+abc.5", "1.0+abc-5_6.7", "1.0+007", "1.0+0.0", "1.0+a+b", "1.0+", "1.0+.", "1.0+a.", "1.0+-a",
        "1.0+1.a", "1.0+a.1", "1.0+1", "1.0+01", "1.0+a", "1.0+A", "1.0+ubuntu-1",
        "1.0.dev-r1234", "2.0-r55", "1.0beta-svn", "2004d", "latest", "dev", "1.0-SNAPSHOT", "1.0.0-beta.1", "0.1-pre-alpha",
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1", "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20",
        "99999999999999999999999999999999", "1.99999999999999999999999999", "1.18446744073709551616", "1.9223372036854775808",
        "1.0a99999999999999999999999", "99999999999999999999!1.0", "1.0.post99999999999999999999", "1.0+99999999999999999999",
        "", " ", "v", "1.", ".1", "1..0", "1.0.", "1!", "!1", "1.0a1a1", "1.0.post1.post2", "1.0.dev1.dev2", "1.0 a1", "1 .0",
        "1.0\u00a0", "\u20031.0\u2003", "1.0\u001f", "1.0\u00850", "\u0661.0", "1.0+K", "1.0.po\u017ft1", "1.0prev\u0130ew1",
        "1.0prev\u0131ew1", "1.0+\u0130\u0131", "1.0+\u017f", "1.0.post1+\u212a", "1.0-1+local", "1.0.alpha", "1.0.Preview",
        "1.0c", "1.0rc", "1.0-c-1", "0.9", "1.0.a1", "1.0a1.dev", "1.0-dev", "1.0_1", "1.0.1", "1.0--1", "1.0-_1", "1.0abc",
    ];

    public static List<string> Versions(int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<string>(count + TrickyVersions.Length);
        result.AddRange(TrickyVersions);
        while (result.Count < count + TrickyVersions.Length)
        {
            var v = RandomVersion(random);
            if (random.NextDouble() < 0.15)
            {
                v = Mutate(random, v);
            }

            result.Add(v);
        }

        return result;
    }

    public static string RandomVersion(Random random)
    {
        var sb = new StringBuilder();
        if (random.NextDouble() < 0.04)
        {
            sb.Append(Pick(random, Spaces));
        }

        if (random.NextDouble() < 0.05)
        {
            sb.Append(random.NextDouble() < 0.5 ? 'v' : 'V');
        }

        if (random.NextDouble() < 0.08)
        {
            sb.Append(Number(random)).Append('!');
        }

        var parts = random.Next(1, 5);
        for (var i = 0; i < parts; i++)
        {
            if (i > 0)
            {
                sb.Append('.');
            }

            sb.Append(Number(random));
        }

        if (random.NextDouble() < 0.3)
        {
            sb.Append(Pick(random, Separators)).Append(Pick(random, PreLabels)).Append(Pick(random, Separators));
            if (random.NextDouble() < 0.8)
            {
                sb.Append(Number(random));
            }
        }

        var post = random.NextDouble();
        if (post < 0.08)
        {
            sb.Append('-').Append(Number(random));
        }
        else if (post < 0.25)
        {
            sb.Append(Pick(random, Separators)).Append(Pick(random, PostLabels)).Append(Pick(random, Separators));
            if (random.NextDouble() < 0.8)
            {
                sb.Append(Number(random));
            }
        }

        if (random.NextDouble() < 0.25)
        {
            sb.Append(Pick(random, Separators)).Append(Pick(random, DevLabels)).Append(Pick(random, Separators));
            if (random.NextDouble() < 0.8)
            {
                sb.Append(Number(random));
            }
        }

        if (random.NextDouble() < 0.15)
        {
            sb.Append('+');
            var segments = random.Next(1, 4);
            for (var i = 0; i < segments; i++)
            {
                if (i > 0)
                {
                    sb.Append(Pick(random, [".", "-", "_"]));
                }

                sb.Append(random.NextDouble() < 0.5 ? Number(random) : Word(random));
            }
        }

        if (random.NextDouble() < 0.04)
        {
            sb.Append(Pick(random, Spaces));
        }

        return sb.ToString();
    }

    public static string Mutate(Random random, string s)
    {
        var i = s.Length == 0 ? 0 : random.Next(s.Length);
        switch (random.Next(5))
        {
            case 0:
                return s.Insert(i, Mutations[random.Next(Mutations.Length)].ToString());
            case 1:
                return s.Length == 0 ? s : s.Remove(i, 1);
            case 2:
                return s.Length == 0 ? s : s.Remove(i, 1).Insert(i, Mutations[random.Next(Mutations.Length)].ToString());
            case 3:
                return s[..i];
            default:
                return s.Insert(i, Pick(random, Separators) + Pick(random, Separators));
        }
    }

    private static string Number(Random random)
    {
        var r = random.NextDouble();
        if (r < 0.7)
        {
            return random.Next(0, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (r < 0.85)
        {
            return random.Next(0, 30).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (r < 0.95)
        {
            return "0" + random.Next(0, 12).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var sb = new StringBuilder();
        var digits = random.Next(15, 30);
        for (var i = 0; i < digits; i++)
        {
            sb.Append((char)('0' + random.Next(10)));
        }

        return sb.ToString();
    }

    private static string Word(Random random)
    {
        const string letters = "abcxyzABCXYZ0";
        var sb = new StringBuilder();
        var n = random.Next(1, 4);
        for (var i = 0; i < n; i++)
        {
            sb.Append(letters[random.Next(letters.Length)]);
        }

        return sb.ToString();
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static List<string> Names(int count, int seed)
    {
        var random = new Random(seed);
        string[] pieces = ["foo", "Bar", "BAZ", "-", "_", ".", "--", "._-", "1", "0", "a", "Z", " ", "\u00c9t\u00e9", "\u0130", "\u03a3", "__", "zope", "Interface"];
        var result = new List<string> { "", "-", "Foo", "foo.bar", "Foo__Bar", "foo-_-bar", "FOO.BAR_baz-qux", "-foo-", "..a..", "Django", "zope.interface", "typing_extensions" };
        while (result.Count < count)
        {
            var sb = new StringBuilder();
            var n = random.Next(1, 6);
            for (var i = 0; i < n; i++)
            {
                sb.Append(Pick(random, pieces));
            }

            result.Add(sb.ToString());
        }

        return result;
    }

    public static List<string> WheelFilenames(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["foo", "Foo_Bar", "foo.bar", "foo__bar", "foo-bar", "", "\u00e9t\u00e9", "f\u0661o", "typing_extensions", "a b", "zope.interface", "_foo", "foo_"];
        string[] builds = ["1", "123", "1abc", "abc", "0_x", "", "\u0661"];
        string[] tags = ["py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", "CP39-Abi3-Win_AMD64", "py3--any", "py3-none", "py3-none-any-extra"];
        var result = new List<string> { "foo-1.0-py3-none-any.whl", "foo-1.0-1-py3-none-any.whl", "foo-1.0.WHL", "foo-1.0-py3-none-any.whl.zip" };
        while (result.Count < count)
        {
            var sb = new StringBuilder();
            sb.Append(Pick(random, names)).Append('-').Append(random.NextDouble() < 0.8 ? RandomVersion(random).Trim() : Mutate(random, "1.0"));
            if (random.NextDouble() < 0.3)
            {
                sb.Append('-').Append(Pick(random, builds));
            }

            sb.Append('-').Append(Pick(random, tags)).Append(".whl");
            result.Add(sb.ToString());
        }

        return result;
    }

    public static List<string> SdistFilenames(int count, int seed)
    {
        var random = new Random(seed);
        string[] names = ["foo", "Foo_Bar", "foo.bar", "foo-bar", "foo-bar-baz", "", "foo-1", "zope.interface", "foo bar", "-"];
        string[] extensions = [".tar.gz", ".zip", ".tar.gz", ".zip", ".tgz", ".tar.bz2"];
        var result = new List<string> { "foo-1.0.tar.gz", "foo.tar.gz", "foo-.tar.gz", "-1.0.tar.gz", "foo-1.0.dev-r1234.tar.gz", "foo-bar-1.0-1.tar.gz", "foo-1.0-beta.zip" };
        while (result.Count < count)
        {
            var version = random.NextDouble() < 0.85 ? RandomVersion(random).Trim() : Pick(random, TrickyVersions);
            result.Add(Pick(random, names) + "-" + version + Pick(random, extensions));
        }

        return result;
    }
}
