using System.CommandLine;

namespace Clutch.Cli;

/// <summary>The <c>clutch</c> command line: one subcommand per file in this folder.</summary>
public static class ClutchCli
{
    public static Task<int> RunAsync(string[] args) => Create().Parse(args).InvokeAsync();

    /// <summary>Every command, argument and option of <c>clutch</c>.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Clutch: a private Python package index for pip, easy_install, poetry, uv and twine.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(UserCommand.Create());
        root.Subcommands.Add(TokenCommand.Create());
        root.Subcommands.Add(PermCommand.Create());
        foreach (var command in ManageCommands.Create())
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(GcCommand.Create());
        root.Subcommands.Add(IndexCommand.Create());
        root.Subcommands.Add(IndexCommand.Promote());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(MigrateCommand.Create());
        return root;
    }
}
