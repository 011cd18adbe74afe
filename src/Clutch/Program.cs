// Composition only: the CLI decides what to run; features live in their folders.
return await Clutch.Cli.ClutchCli.RunAsync(args);
