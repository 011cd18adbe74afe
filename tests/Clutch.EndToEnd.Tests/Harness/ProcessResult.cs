namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>What a finished child process left behind.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed, bool TimedOut)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Everything a failing assertion needs to explain itself.</summary>
    public override string ToString() =>
        $"$ {Command}\nexit {(TimedOut ? "TIMEOUT" : ExitCode.ToString())} after {Elapsed.TotalSeconds:F1}s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";

    public ProcessResult AssertSuccess()
    {
        Assert.True(Succeeded, ToString());
        return this;
    }

    public ProcessResult AssertFailure()
    {
        Assert.False(TimedOut, ToString());
        Assert.True(ExitCode != 0, "expected a failure:\n" + this);
        return this;
    }
}
