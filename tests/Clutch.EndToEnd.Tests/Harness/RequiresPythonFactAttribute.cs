namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// A fact that is skipped, with the reason printed, when an interpreter or tool it needs is missing.
/// xunit 2 has no dynamic skip, so the decision is made when the attribute is read.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresPythonFactAttribute : FactAttribute
{
    /// <param name="versions">pyenv version prefixes, e.g. "3.8", "2.7".</param>
    public RequiresPythonFactAttribute(params string[] versions)
    {
        Versions = versions;
        var missing = versions.Where(v => PythonInterpreters.Find(v) is null).ToList();
        if (missing.Count > 0)
        {
            Skip = $"Python {string.Join(", ", missing)} not installed under {PythonInterpreters.PyenvRoot}/versions";
        }
    }

    public IReadOnlyList<string> Versions { get; }

    /// <summary>Executables the test needs besides the interpreters (e.g. "git", "poetry", "/usr/bin/twine").</summary>
    public string[] Tools
    {
        get => tools;
        set
        {
            tools = value;
            var missing = value.Where(t => PythonInterpreters.FindTool(t) is null).ToList();
            if (missing.Count > 0 && Skip is null)
            {
                Skip = $"missing tool(s): {string.Join(", ", missing)}";
            }
        }
    }

    private string[] tools = [];
}
