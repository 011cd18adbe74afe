using System.CommandLine;
using Clutch.Cli;

namespace Clutch.Server.Tests.Cli;

public sealed class HelpTextTests
{
    private static IEnumerable<Command> AllCommands(Command command) => [command, .. command.Subcommands.SelectMany(AllCommands)];

    [Fact]
    public void Every_command_argument_and_option_has_a_description()
    {
        var undescribed = AllCommands(ClutchCli.Create())
            .SelectMany(c => c.Arguments.Cast<Symbol>().Concat(c.Options).Append(c).Select(s => (Command: c.Name, Symbol: s)))
            .Where(x => string.IsNullOrWhiteSpace(x.Symbol.Description))
            .Select(x => $"{x.Command}: {x.Symbol.Name}")
            .ToList();

        Assert.Empty(undescribed);
    }

    [Fact]
    public void Serve_takes_the_folder_as_DIR_or_as_root_like_every_other_command()
    {
        var serve = ClutchCli.Create().Subcommands.Single(c => c.Name == "serve");

        Assert.Equal("DIR", Assert.Single(serve.Arguments).Name);
        Assert.Contains(serve.Options, o => o.Name == "--root");
    }
}
