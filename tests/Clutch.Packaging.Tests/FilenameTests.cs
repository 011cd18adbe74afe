namespace Clutch.Packaging.Tests;

public sealed class FilenameTests
{
    [Theory]
    // filename, type, project, version, python, abi, platform, build
    [InlineData("foo-1.0-py3-none-any.whl", DistributionType.Wheel, "foo", "1.0", "py3", "none", "any", null)]
    [InlineData("Foo_Bar-2.0.post1-1-py2.py3-none-any.whl", DistributionType.Wheel, "foo-bar", "2.0.post1", "py2.py3", "none", "any", "1")]
    [InlineData("numpy-1.26.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", DistributionType.Wheel, "numpy", "1.26.0", "cp311", "cp311", "manylinux_2_17_x86_64.manylinux2014_x86_64", null)]
    [InlineData("zope.interface-6.0-12abc-cp39-abi3-win_amd64.whl", DistributionType.Wheel, "zope-interface", "6.0", "cp39", "abi3", "win_amd64", "12abc")]
    [InlineData("foo-1.0.tar.gz", DistributionType.Sdist, "foo", "1.0", "source", null, null, null)]
    [InlineData("foo-bar-1.0.zip", DistributionType.Sdist, "foo-bar", "1.0", "source", null, null, null)]
    [InlineData("foo-1.0.tar.bz2", DistributionType.Sdist, "foo", "1.0", "source", null, null, null)]
    [InlineData("foo-1.0.tar.xz", DistributionType.Sdist, "foo", "1.0", "source", null, null, null)]
    [InlineData("foo-1.0.tgz", DistributionType.Sdist, "foo", "1.0", "source", null, null, null)]
    [InlineData("foo-1.0.dev-r1234.tar.gz", DistributionType.Sdist, "foo", "1.0.dev-r1234", "source", null, null, null)]
    [InlineData("foo-bar-1.0beta-svn.tar.gz", DistributionType.Sdist, "foo-bar", "1.0beta-svn", "source", null, null, null)]
    [InlineData("foo-1.0-beta.tar.gz", DistributionType.Sdist, "foo", "1.0b0", "source", null, null, null)]
    [InlineData("foo-latest.tar.gz", DistributionType.Sdist, "foo", "latest", "source", null, null, null)]
    [InlineData("foo-1.0-py2.7.egg", DistributionType.Egg, "foo", "1.0", "2.7", null, null, null)]
    [InlineData("foo_bar-1.0-py2.7-linux-x86_64.egg", DistributionType.Egg, "foo-bar", "1.0", "2.7", null, "linux-x86_64", null)]
    [InlineData("foo-1.0.dev_r1234-py2.7-macosx-10.9-x86_64.egg", DistributionType.Egg, "foo", "1.0.dev_r1234", "2.7", null, "macosx-10.9-x86_64", null)]
    [InlineData("foo-1.0.egg", DistributionType.Egg, "foo", "1.0", null, null, null, null)]
    [InlineData("foo-1.0.win32.exe", DistributionType.BdistWininst, "foo", "1.0", null, null, "win32", null)]
    [InlineData("foo-1.0.win32-py2.7.exe", DistributionType.BdistWininst, "foo", "1.0", "2.7", null, "win32", null)]
    [InlineData("foo-bar-1.0.win-amd64-py3.4.exe", DistributionType.BdistWininst, "foo-bar", "1.0", "3.4", null, "win-amd64", null)]
    [InlineData("foo-1.0.dev1.exe", DistributionType.BdistWininst, "foo", "1.0.dev1", null, null, null, null)]
    [InlineData("foo-1.0.win-amd64-py2.7.msi", DistributionType.BdistMsi, "foo", "1.0", "2.7", null, "win-amd64", null)]
    [InlineData("foo-1.0-1.noarch.rpm", DistributionType.BdistRpm, "foo", "1.0", null, null, "noarch", "1")]
    [InlineData("foo-bar-1.0-1.src.rpm", DistributionType.BdistRpm, "foo-bar", "1.0", null, null, "src", "1")]
    [InlineData("foo-1.0.macosx-10.9.dmg", DistributionType.BdistDmg, "foo", "1.0", null, null, "macosx-10.9", null)]
    [InlineData("foo-1.0-py2.7-macosx10.5.dmg", DistributionType.BdistDmg, "foo", "1.0", "2.7", null, "macosx10.5", null)]
    public void Filenames_of_every_kind_parse(string filename, DistributionType type, string project, string version, string? python, string? abi, string? platform, string? build)
    {
        Assert.True(DistributionFilename.TryParse(filename, null, out var parsed, out var error), error);
        Assert.Null(error);
        Assert.Equal(filename, parsed!.Filename);
        Assert.Equal(type, parsed.Type);
        Assert.Equal(project, parsed.Project.Value);
        Assert.Equal(version, parsed.Version.Normalized);
        Assert.Equal(python, parsed.PythonTag);
        Assert.Equal(abi, parsed.AbiTag);
        Assert.Equal(platform, parsed.PlatformTag);
        Assert.Equal(build, parsed.BuildTag);
        Assert.Equal(parsed, DistributionFilename.Parse(filename));
    }

    [Theory]
    [InlineData("foo-1.0.tar.gz", "sdist")]
    [InlineData("foo-1.0-py3-none-any.whl", "bdist_wheel")]
    [InlineData("foo-1.0-py2.7.egg", "bdist_egg")]
    [InlineData("foo-1.0.win32.exe", "bdist_wininst")]
    [InlineData("foo-1.0.win32.msi", "bdist_msi")]
    [InlineData("foo-1.0-1.noarch.rpm", "bdist_rpm")]
    [InlineData("foo-1.0.macosx-10.9.dmg", "bdist_dmg")]
    public void Package_type_is_warehouses(string filename, string packageType)
        => Assert.Equal(packageType, DistributionFilename.Parse(filename).PackageType);

    [Theory]
    [InlineData("foo-bar-1.0-1.tar.gz", "foo-bar", "foo-bar", "1.0.post1")]
    [InlineData("foo-bar-1.0-1.tar.gz", null, "foo-bar-1-0", "1")]
    [InlineData("Foo.Bar-2.0.zip", "foo-bar", "foo-bar", "2.0")]
    [InlineData("foo-bar-2-1.0.tar.gz", "foo-bar-2", "foo-bar-2", "1.0")]
    [InlineData("other-1.0.tar.gz", "foo", "other", "1.0")]
    [InlineData("foo-bar-1.0-py2.7.egg", "foo-bar", "foo-bar", "1.0")]
    public void A_known_project_resolves_ambiguous_splits(string filename, string? known, string project, string version)
    {
        var parsed = DistributionFilename.Parse(filename, known is null ? null : ProjectName.Normalize(known));
        Assert.Equal(project, parsed.Project.Value);
        Assert.Equal(version, parsed.Version.Normalized);
    }

    [Theory]
    [InlineData("foo-1.0.txt", "unknown distribution extension")]
    [InlineData("foo", "unknown distribution extension")]
    [InlineData("foo-1.0.WHL", "unknown distribution extension")]
    [InlineData("foo-1.0-py3-none.whl", "5 or 6 dash-separated parts")]
    [InlineData("foo-1.0-1-2-py3-none-any.whl", "5 or 6 dash-separated parts")]
    [InlineData("foo__bar-1.0-py3-none-any.whl", "invalid project name")]
    [InlineData("foo bar-1.0-py3-none-any.whl", "invalid project name")]
    [InlineData("-1.0-py3-none-any.whl", "project name is empty")]
    [InlineData("foo-1.0.dev-r1-py3-none-any.whl", "invalid build tag 'r1'")]
    [InlineData("foo-latest-py3-none-any.whl", "invalid version 'latest'")]
    [InlineData("foo-1.0-abc-py3-none-any.whl", "invalid build tag 'abc'")]
    [InlineData("foo.tar.gz", "no '-' between project name and version")]
    [InlineData("-1.0.tar.gz", "project name is empty")]
    [InlineData("foo-.tar.gz", "the version is empty")]
    [InlineData("foo.egg", "the version is missing")]
    [InlineData("foo-1.0-cp27.egg", "expected a python version")]
    [InlineData("dir/foo-1.0.tar.gz", "directory part")]
    [InlineData("..\\foo-1.0.tar.gz", "directory part")]
    [InlineData("foo.rpm", "name-version-release.arch.rpm")]
    [InlineData("", "empty filename")]
    public void Malformed_filenames_are_refused_with_a_one_line_reason(string filename, string reason)
    {
        Assert.False(DistributionFilename.TryParse(filename, null, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
        if (filename.Length > 0)
        {
            Assert.Contains($"'{filename}'", error, StringComparison.Ordinal);
        }

        Assert.Throws<FormatException>(() => DistributionFilename.Parse(filename));
    }

    [Fact]
    public void Try_parse_never_throws_on_random_input()
    {
        var random = new Random(42);
        const string alphabet = "ab-_.01 +!~/\\\0\u00e9\u0661whlegzipartxz";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 30)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var name = new string(chars) + new[] { ".whl", ".tar.gz", ".egg", ".exe", ".rpm", ".dmg", ".zip", "" }[random.Next(8)];
            var ok = DistributionFilename.TryParse(name, random.Next(3) == 0 ? ProjectName.Normalize("ab") : null, out var parsed, out var error);
            Assert.True(ok ? parsed is not null && error is null : parsed is null && error is not null, name);
        }

        Assert.False(DistributionFilename.TryParse(null!, null, out _, out _));
    }
}
