using System.CommandLine;
using Clutch.Auth;
using Clutch.Storage.Accounts;

namespace Clutch.Cli;

/// <summary><c>clutch user add|list|remove|passwd</c>.</summary>
public static class UserCommand
{
    public static Command Create()
    {
        var command = new Command("user", "Manage users who may upload (and read a --private index).");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Passwd());
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("NAME") { Description = "User name." };
        var admin = new Option<bool>("--admin") { Description = "May upload to and manage every project." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin." };
        var store = new CatalogCommandOptions();
        var command = new Command("add", "Add a user.") { name, admin, stdin };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            var user = CheckName(parse.GetValue(name)!);
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            if (await storage.Accounts.FindUserAsync(user, cancellationToken) is not null)
            {
                throw new CliException($"user '{user}' already exists.");
            }

            var hash = PasswordHasher.Hash(PasswordPrompt.Read(parse.GetValue(stdin), user));
            if (!await storage.Accounts.AddUserAsync(new UserAccount(user, hash, parse.GetValue(admin), DateTimeOffset.UtcNow), cancellationToken))
            {
                throw new CliException($"user '{user}' already exists.");
            }

            Console.WriteLine($"Added user '{user}'{(parse.GetValue(admin) ? " (admin)" : "")}.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var store = new CatalogCommandOptions();
        var command = new Command("list", "List users.");
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var users = await storage.Accounts.ListUsersAsync(cancellationToken);
            if (users.Count == 0)
            {
                await Console.Error.WriteLineAsync("No users yet; add one with 'clutch user add NAME'.");
            }

            foreach (var user in users)
            {
                Console.WriteLine($"{user.Name}\t{(user.IsAdmin ? "admin" : "user")}\t{user.Created:yyyy-MM-dd}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("NAME") { Description = "User name." };
        var store = new CatalogCommandOptions();
        var command = new Command("remove", "Remove a user with their tokens and project roles.") { name };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var user = parse.GetValue(name)!;
            if (!await storage.Accounts.RemoveUserAsync(user, cancellationToken))
            {
                throw new CliException($"no user '{user}'.");
            }

            Console.WriteLine($"Removed user '{user}'.");
            return 0;
        }));
        return command;
    }

    private static Command Passwd()
    {
        var name = new Argument<string>("NAME") { Description = "User name." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin." };
        var store = new CatalogCommandOptions();
        var command = new Command("passwd", "Set a user's password.") { name, stdin };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var user = parse.GetValue(name)!;
            if (await storage.Accounts.FindUserAsync(user, cancellationToken) is null)
            {
                throw new CliException($"no user '{user}'.");
            }

            await storage.Accounts.SetPasswordHashAsync(user, PasswordHasher.Hash(PasswordPrompt.Read(parse.GetValue(stdin), user)), cancellationToken);
            Console.WriteLine($"Password of '{user}' changed.");
            return 0;
        }));
        return command;
    }

    internal static string CheckName(string name)
    {
        if (name.Length is 0 or > 100 || name == Authenticator.TokenUser || name.Any(c => char.IsControl(c) || c == ':' || char.IsWhiteSpace(c)))
        {
            throw new CliException($"invalid user name '{name}' (no spaces, colons or control characters; not {Authenticator.TokenUser}).");
        }

        return name;
    }
}
