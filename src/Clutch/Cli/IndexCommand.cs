using System.CommandLine;
using System.Globalization;
using Clutch.Indexes;
using Clutch.Storage.Indexes;

namespace Clutch.Cli;

/// <summary>
/// <c>clutch index create|list|show|delete|allow|disallow</c> and <c>clutch promote</c>: the same
/// rules as the API (<see cref="IndexService"/>), applied to the stores directly. A running node
/// picks the change up within seconds.
/// </summary>
public static class IndexCommand
{
    public static Command Create()
    {
        var command = new Command("index", "Create, list, show and delete indexes besides the default one (mirrors, inheriting and local indexes).");
        command.Subcommands.Add(CreateIndex());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Allow(allow: true));
        command.Subcommands.Add(Allow(allow: false));
        return command;
    }

    /// <summary><c>clutch promote PROJECT==VERSION --from A --to B</c>.</summary>
    public static Command Promote()
    {
        var spec = new Argument<string>("PROJECT==VERSION") { Description = "The release to copy, e.g. acme-utils==1.2.0." };
        var from = new Option<string>("--from") { Description = "Index holding the release ('default' for the default index).", Required = true };
        var to = new Option<string>("--to") { Description = "Index to copy it into ('default' for the default index).", Required = true };
        var store = new CatalogCommandOptions();
        var command = new Command("promote", "Copy every file of a release from one local index to another: the same bytes and hashes, no re-upload.") { spec, from, to };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            var text = parse.GetValue(spec)!;
            var split = text.IndexOf("==", StringComparison.Ordinal);
            if (split <= 0 || split + 2 >= text.Length)
            {
                throw new CliException($"'{text}' is not PROJECT==VERSION (e.g. acme-utils==1.2.0).");
            }

            var promoted = await service.PromoteAsync(text[..split].Trim(), text[(split + 2)..].Trim(), parse.GetValue(from)!, parse.GetValue(to)!, Actor, cancellationToken);
            foreach (var p in promoted)
            {
                Console.WriteLine($"Promoted {p.Filename} (sha256 {p.Sha256}) from {Shown(p.FromIndex)} to {Shown(p.ToIndex)}.");
            }

            Console.WriteLine(promoted.Count == 0 ? "Nothing to copy: the target has every file of that release already." : $"{promoted.Count} file(s) promoted.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command CreateIndex()
    {
        var name = new Argument<string>("NAME") { Description = "Lower-case letters, digits and '-'; the index answers at /NAME/simple/." };
        var upstream = new Option<string?>("--upstream") { Description = "Mirror this simple index lazily (e.g. https://pypi.org/simple/, or another Clutch's)." };
        var bases = new Option<string?>("--bases") { Description = "Comma-separated indexes whose projects this one also shows, in order ('default' for the default index)." };
        var ttl = new Option<string?>("--ttl") { Description = "How long a mirrored page is served before it is revalidated upstream (30s, 10m, 2h, 1d; default 10m)." };
        var isPrivate = new Option<bool>("--private") { Description = "Reading the index needs credentials." };
        var uploaders = new Option<string?>("--uploaders") { Description = "Comma-separated users who may upload to and promote into the index (admins always may); default: anyone the project's roles allow." };
        var store = new CatalogCommandOptions();
        var command = new Command("create", "Create an index.") { name, upstream, bases, ttl, isPrivate, uploaders };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            TimeSpan? duration = null;
            if (parse.GetValue(ttl) is { } text)
            {
                duration = Durations.TryParse(text, out var d) ? d : throw new CliException($"--ttl '{text}' is not a duration like 30s, 10m, 2h or 1d.");
            }

            var created = await service.CreateAsync(
                new IndexRequest(parse.GetValue(name)!, parse.GetValue(upstream), (parse.GetValue(bases) ?? "").Split(','), duration, parse.GetValue(isPrivate))
                {
                    Uploaders = (parse.GetValue(uploaders) ?? "").Split(','),
                },
                Actor, cancellationToken);
            Console.WriteLine($"Created index {created.Name}: {Describe(created)}; it answers at /{created.Name}/simple/.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command List()
    {
        var store = new CatalogCommandOptions();
        var command = new Command("list", "List the indexes besides the default one.");
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            var all = await service.ListAsync(cancellationToken);
            foreach (var index in all)
            {
                Console.WriteLine($"{index.Name}\t{Describe(index)}");
            }

            if (all.Count == 0)
            {
                Console.WriteLine("No indexes besides the default one.");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("NAME") { Description = "The index to show." };
        var store = new CatalogCommandOptions();
        var command = new Command("show", "Show an index's settings and its promotions.") { name };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            var index = await service.GetAsync(parse.GetValue(name)!, cancellationToken);
            var view = IndexView.Of(index);
            Console.WriteLine($"name:     {view.Name}");
            Console.WriteLine($"kind:     {view.Kind}");
            Console.WriteLine($"upstream: {view.Upstream ?? "-"}");
            Console.WriteLine($"bases:    {(view.Bases.Count == 0 ? "-" : string.Join(", ", view.Bases))}");
            Console.WriteLine($"ttl:      {view.TtlSeconds.ToString(CultureInfo.InvariantCulture)}s");
            Console.WriteLine($"private:  {(view.Private ? "yes" : "no")}");
            Console.WriteLine($"allowed:  {(view.Allowed.Count == 0 ? "-" : string.Join(", ", view.Allowed))}");
            Console.WriteLine($"uploaders: {(view.Uploaders.Count == 0 ? "anyone the project's roles allow" : string.Join(", ", view.Uploaders) + " (and admins)")}");
            Console.WriteLine($"created:  {view.Created:yyyy-MM-dd HH:mm} by {view.CreatedBy ?? "unknown"}");
            foreach (var p in await service.ListPromotionsAsync(index.Name, cancellationToken))
            {
                Console.WriteLine($"promoted: {p.Filename} {Shown(p.FromIndex)} -> {Shown(p.ToIndex)} by {p.Actor ?? "unknown"} at {p.At:yyyy-MM-dd HH:mm}");
            }

            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("NAME") { Description = "The index to delete." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var store = new CatalogCommandOptions();
        var command = new Command("delete", "Delete an index with its files and catalog (not the indexes it inherits from).") { name, yes };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            var index = await service.GetAsync(parse.GetValue(name)!, cancellationToken);
            if (!parse.GetValue(yes))
            {
                if (Console.IsInputRedirected)
                {
                    throw new CliException("not deleting without --yes when there is no terminal to ask.");
                }

                Console.Write($"Delete index {index.Name} with all its files? [y/N] ");
                if (!string.Equals(Console.ReadLine()?.Trim(), "y", StringComparison.OrdinalIgnoreCase))
                {
                    Console.WriteLine("Nothing deleted.");
                    return 1;
                }
            }

            await service.DeleteAsync(index.Name, null, cancellationToken);
            Console.WriteLine($"Deleted index {index.Name}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static Command Allow(bool allow)
    {
        var name = new Argument<string>("NAME") { Description = "The inheriting index." };
        var project = new Argument<string>("PROJECT") { Description = "The project whose files from the bases stay visible beside the index's own." };
        var store = new CatalogCommandOptions();
        var command = allow
            ? new Command("allow", "Let a project's files from the bases show where the index has that project too (the dependency-confusion guard hides them otherwise).") { name, project }
            : new Command("disallow", "Hide a project's files from the bases again where the index has that project.") { name, project };
        store.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(store, parse, async service =>
        {
            var index = await service.AllowAsync(parse.GetValue(name)!, parse.GetValue(project)!, allow, cancellationToken);
            Console.WriteLine($"Index {index.Name} allows: {(index.Allowed.Count == 0 ? "nothing" : string.Join(", ", index.Allowed))}.");
            return 0;
        }, cancellationToken));
        return command;
    }

    private static string Describe(IndexDefinition d)
    {
        var parts = new List<string> { d.Upstream is null ? "local" : "mirror of " + IndexService.Redact(d.Upstream) };
        if (d.Bases.Count > 0)
        {
            parts.Add("bases " + string.Join(",", d.Bases.Select(Shown)));
        }

        if (d.Upstream is not null)
        {
            parts.Add("ttl " + ((int)d.Ttl.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s");
        }

        if (d.Private)
        {
            parts.Add("private");
        }

        return string.Join(", ", parts);
    }

    private static string Shown(string index) => index.Length == 0 ? IndexService.DefaultName : index;

    private static string Actor => "cli:" + Environment.UserName;

    private static Task<int> RunAsync(CatalogCommandOptions store, ParseResult parse, Func<IndexService, Task<int>> body, CancellationToken cancellationToken) =>
        CatalogCommandOptions.RunAsync(async () =>
        {
            await using var storage = await store.OpenAsync(parse, cancellationToken);
            try
            {
                return await body(storage.Indexes());
            }
            catch (IndexProblemException e)
            {
                throw new CliException(e.Message);
            }
        });
}
