using Xunit.Abstractions;
using Xunit.Sdk;

namespace Clutch.Server.Tests.Harness;

/// <summary>A service a test class needs (see <see cref="TestServices"/>).</summary>
public enum TestService
{
    Postgres,
    S3,
}

/// <summary>
/// Marks a test class whose tests need <paramref name="service"/>; its <see cref="ServiceFactAttribute"/>
/// tests, including those it inherits from an abstract contract, are skipped with the reason when the
/// service is missing (and fail when <c>CLUTCH_TEST_REQUIRE_SERVICES=1</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsServiceAttribute(TestService service) : Attribute
{
    public TestService Service { get; } = service;

    /// <summary>Why a test needing <paramref name="service"/> cannot run here, or null.</summary>
    public static string? SkipReason(TestService service) => service switch
    {
        TestService.Postgres => TestServices.SkipUnless(TestServices.Postgres, "CLUTCH_TEST_PG", "PostgreSQL server"),
        TestService.S3 => TestServices.SkipUnless(TestServices.S3, "CLUTCH_TEST_S3", "S3 endpoint"),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };
}

/// <summary>
/// A fact for a contract written once in an abstract class: skipped, saying why, in a subclass whose
/// <see cref="NeedsServiceAttribute"/> service is missing; an ordinary fact elsewhere.
/// </summary>
[XunitTestCaseDiscoverer("Clutch.Server.Tests.Harness.ServiceFactDiscoverer", "Clutch.Server.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ServiceFactAttribute : FactAttribute;

public sealed class ServiceFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        [new ServiceTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>A test case whose skip reason comes from its class's <see cref="NeedsServiceAttribute"/>.</summary>
public sealed class ServiceTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes", error: true)]
    public ServiceTestCase()
    {
    }

    public ServiceTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute)
    {
        foreach (var needs in TestMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsServiceAttribute)))
        {
            if (NeedsServiceAttribute.SkipReason(needs.GetConstructorArguments().Cast<TestService>().Single()) is { } reason)
            {
                return reason;
            }
        }

        return base.GetSkipReason(factAttribute);
    }
}
