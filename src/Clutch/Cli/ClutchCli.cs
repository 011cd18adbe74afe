namespace Clutch.Cli;

/// <summary>The `clutch` command line.</summary>
public static class ClutchCli
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length >= 0 ? 0 : 1);
}
