namespace Clutch.EndToEnd.Tests.Harness;

/// <summary>
/// Tests that hold the server to a deadline ("installable within 1 s"). They run on their own, so a
/// pip build or a 200 MB upload in a parallel class cannot steal the cores from what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "deadlines";
}
