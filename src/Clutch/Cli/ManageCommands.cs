using System.CommandLine;
using Clutch.Manage;

namespace Clutch.Cli;

/// <summary>
/// <c>clutch yank|unyank|delete PROJECT VERSION|FILENAME</c> and <c>clutch release-filename</c>:
/// the same rules as the HTTP API (<see cref="ReleaseManager"/>), applied to the catalog and folder directly.
/// </summary>
public static class ManageCommands
{
    public static IEnumerable<Command> Create() => [Yank(), Unyank(), Delete(), ReleaseFilename()];

    private static Command Yank()
    {
        var (project, target) = Arguments();
        var reason = new Option<string?>("--reason") { Description = "Why (shown to installers, e.g. 'broken build, use 1.2.1')." };
        var store = new CatalogCommandOptions();
        var command = new Command("yank", "Yank a file or every file of a version (PEP 592): pip skips it unless pinned.") { project, target, reason };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async manager =>
        {
            var text = ReleaseManager.NormalizeReason(parse.GetValue(reason), out var error);
            var selection = await SelectAsync(manager, parse.GetValue(project)!, parse.GetValue(target)!, cancellationToken);
            await manager.YankAsync(selection, error is null ? text : throw new CliException(error), Actor, cancellationToken);
            Report("Yanked", selection);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Unyank()
    {
        var (project, target) = Arguments();
        var store = new CatalogCommandOptions();
        var command = new Command("unyank", "Undo a yank.") { project, target };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async manager =>
        {
            var selection = await SelectAsync(manager, parse.GetValue(project)!, parse.GetValue(target)!, cancellationToken);
            await manager.UnyankAsync(selection, Actor, cancellationToken);
            Report("Unyanked", selection);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Delete()
    {
        var (project, target) = Arguments();
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept with the deleted filename)." };
        var store = new CatalogCommandOptions();
        var command = new Command("delete", "Delete a file or every file of a version for good; its filenames cannot be uploaded again.") { project, target, yes, reason };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async manager =>
        {
            var text = ReleaseManager.NormalizeReason(parse.GetValue(reason), out var error);
            if (error is not null)
            {
                throw new CliException(error);
            }

            var selection = await SelectAsync(manager, parse.GetValue(project)!, parse.GetValue(target)!, cancellationToken);
            if (!parse.GetValue(yes) && !Confirm(selection))
            {
                Console.WriteLine("Nothing deleted.");
                return 1;
            }

            await manager.DeleteAsync(selection, Actor, text, cancellationToken);
            Report("Deleted", selection);
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command ReleaseFilename()
    {
        var filename = new Argument<string>("FILENAME") { Description = "A distribution filename deleted earlier (e.g. mypkg-1.2.0-py3-none-any.whl)." };
        var store = new CatalogCommandOptions();
        var command = new Command("release-filename", "Let a deleted filename be uploaded again.") { filename };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async manager =>
        {
            var name = parse.GetValue(filename)!;
            if (!await manager.ReleaseFilenameAsync(name, cancellationToken))
            {
                throw new CliException($"'{name}' was not deleted; nothing to release.");
            }

            Console.WriteLine($"'{name}' may be uploaded again.");
            return 0;
        }, cancellationToken));
        return command;
    }

    /// <summary>Recorded as who yanked or deleted (the API records the authenticated user).</summary>
    private static string Actor => "cli:" + Environment.UserName;

    private static (Argument<string> Project, Argument<string> Target) Arguments() =>
        (new Argument<string>("PROJECT") { Description = "Project name (any spelling: My_Pkg and my-pkg are one project)." }, new Argument<string>("VERSION|FILENAME") { Description = "A version (every file of it) or one distribution filename." });

    /// <summary>Opens the catalog and folder <paramref name="store"/> names and runs <paramref name="body"/> with a manager over them.</summary>
    internal static Task<int> RunAsync(CatalogCommandOptions store, ParseResult parse, Func<ReleaseManager, Task<int>> body, CancellationToken cancellationToken) =>
        CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            return await body(new ReleaseManager(storage.Catalog, storage.Blobs, storage.DeletedFiles, TimeProvider.System));
        });

    private static async Task<ReleaseSelection> SelectAsync(ReleaseManager manager, string project, string target, CancellationToken cancellationToken)
    {
        var name = PermCommand.ParseProject(project);
        var wanted = ReleaseTarget.Parse(target);
        var selection = await manager.FindAsync(name, wanted, cancellationToken);
        if (!selection.ProjectKnown)
        {
            throw new CliException($"project '{name}' is not in the catalog.");
        }

        return selection.Selected.Count > 0 ? selection : throw new CliException($"project '{name}' has no {wanted}.");
    }

    private static bool Confirm(ReleaseSelection selection)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException("not deleting without --yes when there is no terminal to ask.");
        }

        foreach (var file in selection.Selected)
        {
            Console.WriteLine("  " + file.Path);
        }

        Console.Write($"Delete these {selection.Selected.Count} file(s) of '{selection.Project}' for good? Their filenames cannot be uploaded again. [y/N] ");
        return Console.ReadLine()?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private static void Report(string verb, ReleaseSelection selection)
    {
        foreach (var file in selection.Selected)
        {
            Console.WriteLine($"{verb} {file.Filename}");
        }
    }
}
