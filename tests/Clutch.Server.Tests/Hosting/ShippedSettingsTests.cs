using System.Text.Json;

namespace Clutch.Server.Tests.Hosting;

/// <summary>The in-process test host runs the app with the shipped build's settings (STYLE.md: test what ships).</summary>
public sealed class ShippedSettingsTests
{
    [Fact]
    public void Test_host_has_reflection_based_json_off_like_the_shipped_build() =>
        Assert.False(JsonSerializer.IsReflectionEnabledByDefault);
}
