using System.Buffers;
using Clutch.Server.Tests.Harness;
using Clutch.Tuning;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clutch.Server.Tests.Tuning;

public sealed class RuntimeTuningTests
{
    [Fact]
    public async Task The_tuning_is_registered_by_default()
    {
        await using var server = await InProcessServer.StartAsync();

        Assert.Contains(server.Services.GetServices<IHostedService>(), s => s is IdleCollector);
        Assert.IsType<LargeBlockMemoryPoolFactory>(server.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
    }

    [Fact]
    public async Task Turned_off_no_tuning_is_registered_and_pages_are_answered_the_same()
    {
        await using var tuned = await InProcessServer.StartAsync(root => TestDistributions.Wheel(root, "sample", "1.0"));
        var wheel = Directory.GetFiles(tuned.Root, "*.whl", SearchOption.AllDirectories).Single();
        await using var plain = await InProcessServer.StartAsync(root => File.Copy(wheel, Path.Combine(root, Path.GetFileName(wheel))), o => o.RuntimeTuning = false);

        var hosted = plain.Services.GetServices<IHostedService>().ToList();
        Assert.DoesNotContain(hosted, s => s is IdleCollector or NativeHeapTrimmer);
        Assert.IsNotType<LargeBlockMemoryPoolFactory>(plain.Services.GetRequiredService<IMemoryPoolFactory<byte>>());
        await tuned.WaitUntilReadyAsync();
        await plain.WaitUntilReadyAsync();
        foreach (var path in new[] { "/simple/", "/simple/sample/", "/links/" })
        {
            Assert.Equal(await tuned.GetPageBytesAsync(path, gzip: false), await plain.GetPageBytesAsync(path, gzip: false));
        }
    }
}
