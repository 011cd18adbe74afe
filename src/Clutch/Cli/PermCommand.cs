using System.CommandLine;
using Clutch.Packaging;
using Clutch.Storage.Accounts;

namespace Clutch.Cli;

/// <summary><c>clutch perm grant|revoke|list</c>: who may upload to which project.</summary>
public static class PermCommand
{
    public static Command Create()
    {
        var command = new Command("perm", "Manage project permissions (the first uploader of a project owns it).");
        command.Subcommands.Add(Grant());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Grant()
    {
        var user = new Argument<string>("USER") { Description = "User name (see 'clutch user list')." };
        var project = new Argument<string>("PROJECT") { Description = "Project name." };
        var role = new Option<ProjectRoleKind>("--role") { Description = "Maintainer (uploads) or Owner (also manages).", DefaultValueFactory = _ => ProjectRoleKind.Maintainer };
        var store = new CatalogCommandOptions();
        var command = new Command("grant", "Let a user upload to a project.") { user, project, role };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            var name = ParseProject(parse.GetValue(project)!);
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var userName = parse.GetValue(user)!;
            await storage.Accounts.GrantAsync(name, userName, parse.GetValue(role), cancellationToken);
            Console.WriteLine($"'{userName}' is now {parse.GetValue(role).ToString().ToLowerInvariant()} of '{name}'.");
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var user = new Argument<string>("USER") { Description = "User name (see 'clutch user list')." };
        var project = new Argument<string>("PROJECT") { Description = "Project name." };
        var store = new CatalogCommandOptions();
        var command = new Command("revoke", "Take away a user's role in a project.") { user, project };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            var name = ParseProject(parse.GetValue(project)!);
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var userName = parse.GetValue(user)!;
            if (!await storage.Accounts.RevokeAsync(name, userName, cancellationToken))
            {
                throw new CliException($"'{userName}' has no role in '{name}'.");
            }

            Console.WriteLine($"Revoked '{userName}' from '{name}'.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var user = new Option<string?>("--user") { Description = "Only this user's roles." };
        var project = new Option<string?>("--project") { Description = "Only this project's roles." };
        var store = new CatalogCommandOptions();
        var command = new Command("list", "List project roles.") { user, project };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var roles = parse.GetValue(project) is { } p
                ? await storage.Accounts.GetProjectRolesAsync(ParseProject(p), cancellationToken)
                : await storage.Accounts.ListRolesAsync(parse.GetValue(user), cancellationToken);
            foreach (var r in roles.Where(r => parse.GetValue(user) is not { } u || r.UserName == u))
            {
                Console.WriteLine($"{r.Project}\t{r.UserName}\t{r.Role.ToString().ToLowerInvariant()}");
            }

            return 0;
        }));
        return command;
    }

    internal static ProjectName ParseProject(string text) =>
        ProjectName.TryParse(text, out var name) ? name : throw new CliException($"invalid project name '{text}'.");
}
