using Clutch.Storage.Folder;
using Spectre.Console;

namespace Clutch.Cli;

/// <summary>
/// Shows the first scan of a new folder (a cold import can hash 100,000 files) as a progress bar
/// when stdout is a terminal; with redirected output the log lines are enough.
/// </summary>
public static class StartupProgress
{
    public static async Task<T> RunAsync<T>(IServiceProvider services, Func<Task<T>> start)
    {
        // Only a package folder is scanned at start; an object store has nothing to show.
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            || services.GetService<FolderIndexerService>() is not { } indexer)
        {
            return await start();
        }

        return await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Scanning package folder", maxValue: 1);
                indexer.Progress = new Progress<IndexProgress>(p =>
                {
                    task.Description = p.Phase == "hashing" ? $"Hashing {p.Hashed:N0}/{p.ToHash:N0} files" : $"Scanning: {p.Seen:N0} files";
                    task.MaxValue = Math.Max(1, p.ToHash);
                    task.Value = p.Hashed;
                });
                try
                {
                    return await start();
                }
                finally
                {
                    indexer.Progress = null;
                    task.StopTask();
                }
            });
    }
}
