namespace Clutch.Server.Tests.Harness;

/// <summary>
/// Tests that hold the server to a deadline ("listed within 1 s"). They run on their own, after
/// the parallel tests, so that a 2 GB zip-bomb or race test in another class cannot steal the two
/// cores from the deadline they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "deadlines";
}
