using Clutch.Storage;

namespace Clutch.Server.Tests.Storage;

public sealed class FileStateTableTests
{
    [Fact]
    public void Every_row_is_found_by_its_path_and_nothing_else_is()
    {
        using var table = new FileStateTable(capacity: 16);
        var paths = Enumerable.Range(0, 5000).Select(i => $"project-{i % 250:D3}/project_{i % 250:D3}-1.{i}-py3-none-any.whl").ToList();
        paths.Add("ünïcode/ünïcode-1.0.tar.gz");
        paths.Add("flat-1.0.zip");
        paths.Add("deep/" + new string('x', 600) + "-1.0.tar.gz"); // past the stack buffer for lookups
        for (var i = 0; i < paths.Count; i++)
        {
            table.Add(paths[i], size: 1000 + i, sourceMtimeTicks: 7 * i);
        }

        Assert.Equal(paths.Count, table.Count);
        for (var i = 0; i < paths.Count; i++)
        {
            var row = table.IndexOf(paths[i]);
            Assert.Equal(i, row);
            Assert.Equal(paths[i], table.PathAt(row));
            Assert.Equal(1000 + i, table.SizeAt(row));
            Assert.Equal(7L * i, table.SourceMtimeTicksAt(row));
        }

        Assert.Equal(-1, table.IndexOf("project-000"));
        Assert.Equal(-1, table.IndexOf("project-000/"));
        Assert.Equal(-1, table.IndexOf("Flat-1.0.zip"));
        Assert.Equal(-1, table.IndexOf("unicode/unicode-1.0.tar.gz"));
        Assert.Equal(-1, table.IndexOf(paths[^1] + "x"));
        Assert.Equal(-1, table.IndexOf(""));
    }

    [Fact]
    public void An_empty_table_finds_nothing()
    {
        using var table = new FileStateTable();
        Assert.Equal(0, table.Count);
        Assert.Equal(-1, table.IndexOf("a/a-1.0.tar.gz"));
    }

    [Fact]
    public void Rows_cannot_be_added_after_the_first_lookup_or_read_out_of_range()
    {
        using var table = new FileStateTable();
        table.Add("a/a-1.0.tar.gz", 1, 1);
        Assert.Equal(0, table.IndexOf("a/a-1.0.tar.gz"));
        Assert.Throws<InvalidOperationException>(() => table.Add("b/b-1.0.tar.gz", 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SizeAt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.PathAt(-1));
        table.Dispose();
        Assert.Throws<ObjectDisposedException>(() => table.IndexOf("a/a-1.0.tar.gz"));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.SizeAt(0));
        table.Dispose(); // twice is harmless
    }
}
