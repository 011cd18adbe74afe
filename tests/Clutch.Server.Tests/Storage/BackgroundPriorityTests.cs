using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage;

public sealed class BackgroundPriorityTests
{
    [Fact]
    public void Only_the_calling_thread_is_lowered()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.False(BackgroundPriority.LowerCurrentThread());
            return;
        }

        var before = NiceOfThisThread();
        int lowered = 0, other = 0;
        var walker = new Thread(() =>
        {
            Assert.True(BackgroundPriority.LowerCurrentThread());
            lowered = NiceOfThisThread();
        });
        walker.Start();
        walker.Join();
        var sibling = new Thread(() => other = NiceOfThisThread());
        sibling.Start();
        sibling.Join();

        Assert.Equal(BackgroundPriority.Nice, lowered);
        Assert.Equal(before, NiceOfThisThread());
        Assert.Equal(before, other);
    }

    /// <summary>Field 19 of /proc/thread-self/stat (after the parenthesised command name).</summary>
    private static int NiceOfThisThread()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
