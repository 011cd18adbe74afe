using Xunit.Abstractions;
using Xunit.Sdk;

namespace Clutch.Server.Tests.Harness;

/// <summary>A real service a test class needs (see <see cref="TestServices"/>).</summary>
public enum TestService
{
    Postgres,
    S3,
}

/// <summary>
/// Marks a contract suite's subclass as running against <paramref name="service"/>: its
/// <see cref="ContractFactAttribute"/> tests are skipped, naming the missing variable, when the
/// service is not there, exactly as <see cref="PostgresFactAttribute"/> does.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class NeedsServiceAttribute(TestService service) : Attribute
{
    public TestService Service { get; } = service;
}

/// <summary>
/// A fact of a contract suite: written once in an abstract class and run by each provider's
/// subclass. An attribute on the base method cannot know the provider, so the skip is decided per
/// subclass at discovery (<see cref="ContractTestCase"/>), from the subclass's
/// <see cref="NeedsServiceAttribute"/>: a missing service skips the test with the reason, unless
/// <c>CLUTCH_TEST_REQUIRE_SERVICES=1</c> (scripts/test.sh), where the test runs and fails on the
/// missing variable. xunit 2 cannot skip from inside a running test, hence the discoverer.
/// </summary>
[XunitTestCaseDiscoverer("Clutch.Server.Tests.Harness.ContractFactDiscoverer", "Clutch.Server.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>Makes a <see cref="ContractTestCase"/> of each <see cref="ContractFactAttribute"/> method.</summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new ContractTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>A test case skipped when the test class's <see cref="NeedsServiceAttribute"/> service is missing.</summary>
public sealed class ContractTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public ContractTestCase()
    {
    }

    public ContractTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(sink, display, options, testMethod)
    {
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) =>
        base.GetSkipReason(factAttribute) ?? TestMethod.TestClass.Class
            .GetCustomAttributes(typeof(NeedsServiceAttribute).AssemblyQualifiedName)
            .Select(a => a.GetNamedArgument<TestService>(nameof(NeedsServiceAttribute.Service)))
            .Select(MissingServiceReason)
            .FirstOrDefault(reason => reason is not null);

    private static string? MissingServiceReason(TestService service) => service switch
    {
        TestService.Postgres => TestServices.SkipUnless(TestServices.Postgres, "CLUTCH_TEST_PG", "PostgreSQL server"),
        TestService.S3 => TestServices.SkipUnless(TestServices.S3, "CLUTCH_TEST_S3", "S3 endpoint"),
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, "unknown test service"),
    };
}
