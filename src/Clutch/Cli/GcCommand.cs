using System.CommandLine;
using Clutch.Manage;

namespace Clutch.Cli;

/// <summary><c>clutch gc --keep-dev N [--dry-run]</c>: dev-build retention over every project, once.</summary>
public static class GcCommand
{
    public static Command Create()
    {
        var keepDev = new Option<int>("--keep-dev")
        {
            Description = "Keep only the newest N pre/dev versions per project; final releases are never touched.",
            Required = true,
        };
        keepDev.Validators.Add(r =>
        {
            if (r.GetValue(keepDev) < 0)
            {
                r.AddError("--keep-dev must be 0 or more.");
            }
        });
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list what would be deleted." };
        var store = new CatalogCommandOptions();
        var command = new Command("gc", "Delete old pre-release and dev builds.") { keepDev, dryRun };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => ManageCommands.RunAsync(store, parse, async manager =>
        {
            var keep = parse.GetValue(keepDev);
            var dry = parse.GetValue(dryRun);
            var total = 0;
            foreach (var project in await manager.ListProjectsAsync(cancellationToken))
            {
                foreach (var file in await manager.ApplyRetentionAsync(project, keep, dry, cancellationToken))
                {
                    Console.WriteLine($"{(dry ? "Would delete" : "Deleted")} {file.Path}");
                    total++;
                }
            }

            Console.WriteLine(dry ? $"{total} file(s) would be deleted." : $"{total} file(s) deleted.");
            return 0;
        }, cancellationToken));
        return command;
    }
}
