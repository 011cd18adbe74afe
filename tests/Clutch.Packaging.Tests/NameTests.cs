namespace Clutch.Packaging.Tests;

public sealed class NameTests
{
    [Theory]
    [InlineData("Foo", "foo")]
    [InlineData("foo_bar", "foo-bar")]
    [InlineData("Foo.Bar", "foo-bar")]
    [InlineData("foo--bar", "foo-bar")]
    [InlineData("foo-_.bar", "foo-bar")]
    [InlineData("FOO___BAR...baz", "foo-bar-baz")]
    [InlineData("-foo-", "-foo-")]
    [InlineData("zope.interface", "zope-interface")]
    [InlineData("already-normal", "already-normal")]
    [InlineData("", "")]
    public void Names_normalize_per_pep_503(string name, string normalized)
    {
        Assert.Equal(normalized, ProjectName.Normalize(name).Value);
        Assert.Equal(normalized, ProjectName.Normalize(name).ToString());
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("A1", true)]
    [InlineData("foo.bar_baz-qux", true)]
    [InlineData("Foo__Bar", true)]
    [InlineData("-foo", false)]
    [InlineData("foo-", false)]
    [InlineData("foo bar", false)]
    [InlineData("f\u00f6\u00f6", false)]
    [InlineData("", false)]
    [InlineData("_", false)]
    [InlineData("foo\n", false)]
    [InlineData("..%2f..%2fetc%2fpasswd", false)]
    [InlineData("a/b", false)]
    public void Validity_follows_pep_508(string name, bool valid)
    {
        Assert.Equal(valid, ProjectName.IsValid(name));
        Assert.Equal(valid, ProjectName.TryParse(name, out _));
        if (valid)
        {
            Assert.Equal(ProjectName.Normalize(name), ProjectName.Parse(name));
        }
        else
        {
            var error = Assert.Throws<FormatException>(() => ProjectName.Parse(name));
            Assert.Contains($"'{name}'", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every string of up to 4 characters from an alphabet of edge cases is valid exactly when PEP 508's
    /// <c>^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$</c> (case-insensitive, ASCII) matches it whole.
    /// </summary>
    [Fact]
    public void Validity_is_exactly_the_pep_508_name_pattern()
    {
        var pattern = new System.Text.RegularExpressions.Regex(@"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])\z");
        const string alphabet = "aZ0._-/%\u00e9 \n";
        var names = new List<string> { "" };
        for (var length = 1; length <= 4; length++)
        {
            names.AddRange(names.Where(n => n.Length == length - 1).SelectMany(n => alphabet.Select(c => n + c)).ToList());
        }

        foreach (var name in names)
        {
            Assert.True(pattern.IsMatch(name) == ProjectName.IsValid(name), $"'{name}'");
        }
    }

    [Fact]
    public void Names_that_normalize_alike_are_equal()
    {
        Assert.Equal(ProjectName.Normalize("Foo_Bar"), ProjectName.Normalize("foo.bar"));
        Assert.Equal(ProjectName.Normalize("Foo_Bar").GetHashCode(), ProjectName.Normalize("foo.bar").GetHashCode());
        Assert.True(ProjectName.Normalize("FOO").Matches("f-o.o") is false);
        Assert.True(ProjectName.Normalize("foo-bar").Matches("Foo__Bar"));
    }

    [Fact]
    public void Default_name_is_safe_to_print_and_compare()
    {
        var empty = default(ProjectName);
        Assert.Null(empty.Value);
        Assert.Equal("", empty.ToString());
        Assert.True(empty.CompareTo(ProjectName.Normalize("a")) < 0);
        Assert.Equal(0, empty.CompareTo(default));
        Assert.False(empty.Matches("a"));
    }

    [Fact]
    public void Names_sort_ordinally()
    {
        var names = new[] { "b", "a-b", "a" }.Select(ProjectName.Normalize).Order().Select(n => n.Value);
        Assert.Equal(["a", "a-b", "b"], names);
    }

    [Theory]
    [InlineData("foo", true)]
    [InlineData("foo-bar-2", true)]
    [InlineData("0", true)]
    [InlineData("", false)]
    [InlineData("Foo", false)]
    [InlineData("foo_bar", false)]
    [InlineData("foo.bar", false)]
    [InlineData("foo--bar", false)]
    [InlineData("-foo", false)]
    [InlineData("foo-", false)]
    [InlineData("caf\u00e9", false)]
    public void Canonical_names_are_those_normalizing_leaves_alone(string name, bool canonical)
    {
        Assert.Equal(canonical, ProjectName.IsCanonical(name));
        if (canonical)
        {
            Assert.Equal(name, ProjectName.Normalize(name).Value);
        }
    }
}
