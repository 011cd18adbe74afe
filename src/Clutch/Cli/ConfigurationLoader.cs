using Clutch.Hosting;

namespace Clutch.Cli;

/// <summary>
/// Builds the options the ASP.NET Core way: the optional config file, then <c>CLUTCH_*</c>
/// environment variables, then command-line flags (later sources win).
/// </summary>
public static class ConfigurationLoader
{
    public static (ClutchOptions Options, IConfiguration Configuration) Load(string? configFile, IReadOnlyDictionary<string, string?> flags)
    {
        var builder = new ConfigurationBuilder();
        configFile ??= Environment.GetEnvironmentVariable("CLUTCH_CONFIG");
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new CliException($"Config file '{configFile}' does not exist.");
            }

            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }

        builder.AddEnvironmentVariables("CLUTCH_");
        builder.AddInMemoryCollection(flags.Where(kv => kv.Value is not null));
        var configuration = builder.Build();
        var options = new ClutchOptions();
        configuration.Bind(options);
        return (options, configuration);
    }
}

/// <summary>A command-line mistake: printed as one line, exit code 2.</summary>
public sealed class CliException(string message) : Exception(message)
{
    /// <summary>The one line an error of the settings prints: its message without .NET's " (Parameter 'x')" suffix.</summary>
    public static string Reason(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
