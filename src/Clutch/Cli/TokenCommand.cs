using System.CommandLine;
using System.Globalization;
using Clutch.Auth;
using Clutch.Packaging;
using Clutch.Storage.Accounts;

namespace Clutch.Cli;

/// <summary><c>clutch token create|list|revoke</c>: API tokens, used with the username <c>__token__</c>.</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var command = new Command("token", "Manage API tokens (use with username __token__).");
        command.Subcommands.Add(CreateToken());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command CreateToken()
    {
        var user = new Argument<string>("USER") { Description = "The user the token acts for." };
        var project = new Option<string?>("--project") { Description = "Limit the token to one project." };
        var expires = new Option<string?>("--expires") { Description = "Lifetime (30d, 12h, 90m) or a date (2026-12-31)." };
        var name = new Option<string?>("--name") { Description = "A note to recognise the token by (e.g. 'ci')." };
        var index = new Option<string?>("--index") { Description = "Limit the token to one index ('default' for the default index): uploads, promotions into it and, for a private index, reads." };
        var store = new CatalogCommandOptions();
        var command = new Command("create", "Create a token; it is printed once, on stdout.") { user, project, expires, name, index };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var userName = parse.GetValue(user)!;
            if (await storage.Accounts.FindUserAsync(userName, cancellationToken) is null)
            {
                throw new CliException($"no user '{userName}' (add one with 'clutch user add').");
            }

            ProjectName? scope = null;
            if (parse.GetValue(project) is { } p)
            {
                scope = ProjectName.TryParse(p, out var parsed) ? parsed : throw new CliException($"invalid project name '{p}'.");
            }

            string? indexScope = null;
            if (parse.GetValue(index) is { } i)
            {
                indexScope = i == Indexes.IndexService.DefaultName ? ""
                    : (await storage.IndexStore.ListIndexesAsync(cancellationToken)).Any(d => d.Name == i) ? i
                    : throw new CliException($"no index '{i}' (see 'clutch index list'; the default index is 'default').");
            }

            var now = DateTimeOffset.UtcNow;
            DateTimeOffset? expiry = parse.GetValue(expires) is { } e ? ParseExpiry(e, now) : null;
            var (secret, id) = TokenSecrets.Generate();
            await storage.Accounts.AddTokenAsync(new ApiToken(id, userName, parse.GetValue(name), TokenSecrets.Hash(secret), scope, expiry, now) { Index = indexScope }, cancellationToken);
            await Console.Error.WriteLineAsync(
                $"Token {id} for '{userName}'{(scope is { } s ? $" limited to project '{s}'" : "")}{(indexScope is { } ix ? $" limited to index '{(ix.Length == 0 ? "default" : ix)}'" : "")}{(expiry is { } x ? $", expires {x:yyyy-MM-dd HH:mm} UTC" : "")}. "
                + "It is shown only this once:");
            Console.WriteLine(secret);
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var user = new Argument<string?>("USER") { Description = "Only this user's tokens.", Arity = ArgumentArity.ZeroOrOne };
        var store = new CatalogCommandOptions();
        var command = new Command("list", "List tokens (never their secrets).") { user };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var now = DateTimeOffset.UtcNow;
            foreach (var t in await storage.Accounts.ListTokensAsync(parse.GetValue(user), cancellationToken))
            {
                var expiry = t.Expires is { } x ? (t.IsExpired(now) ? "expired " : "expires ") + x.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "no expiry";
                Console.WriteLine($"{t.Id}\t{t.UserName}\t{t.Project?.Value ?? "*"}\t{(t.Index is null ? "*" : t.Index.Length == 0 ? "default" : t.Index)}\t{expiry}\t{t.Name}");
            }

            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("ID") { Description = "Token id (from 'token list')." };
        var store = new CatalogCommandOptions();
        var command = new Command("revoke", "Revoke a token at once.") { id };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            var tokenId = parse.GetValue(id)!;
            if (!await storage.Accounts.RevokeTokenAsync(tokenId, cancellationToken))
            {
                throw new CliException($"no token '{tokenId}'.");
            }

            Console.WriteLine($"Revoked token {tokenId}.");
            return 0;
        }));
        return command;
    }

    internal static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        if (text.Length >= 2 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (text[^1])
            {
                case 'd': return now.AddDays(n);
                case 'h': return now.AddHours(n);
                case 'm': return now.AddMinutes(n);
                case 'w': return now.AddDays(7 * n);
            }
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) && date > now)
        {
            return date;
        }

        throw new CliException($"invalid --expires '{text}' (use 30d, 12h, 90m, 2w or a future date).");
    }
}
