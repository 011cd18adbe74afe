using System.Runtime.InteropServices;
using Clutch.Hosting;
using Clutch.Server.Tests.Harness;
using Clutch.Tuning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Clutch.Server.Tests.Tuning;

public partial class NativeHeapTrimmerTests
{
    private const int BlockSize = 64 * 1024; // below glibc's mmap threshold: served from a malloc arena
    private const int PageSize = 4096;

    [GlibcFact]
    public unsafe void Freed_native_heap_stops_being_resident_once_trimmed()
    {
        var blocks = new nint[256]; // 16 MB
        for (var i = 0; i < blocks.Length; i++)
        {
            blocks[i] = (nint)NativeMemory.Alloc(BlockSize);
            new Span<byte>((void*)blocks[i], BlockSize).Fill(1);
        }

        // Allocated after the blocks, so freeing them leaves free memory below it that glibc does not
        // return on its own (it trims only the top of an arena).
        var keep = NativeMemory.Alloc(BlockSize);
        try
        {
            Assert.True(ResidentShare(blocks) > 0.9, "the written blocks are resident");
            foreach (var block in blocks)
            {
                NativeMemory.Free((void*)block);
            }

            Assert.True(NativeHeapTrimmer.TryTrim(out var free), $"{free} bytes seen free after freeing 16 MB");
            // Other threads of the test run may take some of those pages again at once; most stay given back.
            Assert.True(ResidentShare(blocks) < 0.5, $"{ResidentShare(blocks):P0} of the freed pages still resident");
        }
        finally
        {
            NativeMemory.Free(keep);
        }
    }

    [GlibcFact]
    public async Task A_running_server_trims_in_the_background()
    {
        await using var server = await InProcessServer.StartAsync();
        Assert.Contains(server.Services.GetServices<IHostedService>(), s => s is NativeHeapTrimmer);
    }

    /// <summary>Share of the whole pages inside the blocks that are resident (mincore).</summary>
    private static unsafe double ResidentShare(nint[] blocks)
    {
        int resident = 0, total = 0;
        var vector = stackalloc byte[BlockSize / PageSize];
        foreach (var block in blocks)
        {
            var first = (block + PageSize - 1) & ~(nint)(PageSize - 1);
            var pages = (int)((block + BlockSize - first) / PageSize) - 1; // whole pages only
            Assert.Equal(0, MinCore(first, (nuint)(pages * PageSize), vector));
            for (var p = 0; p < pages; p++)
            {
                resident += vector[p] & 1;
            }

            total += pages;
        }

        return (double)resident / total;
    }

    [LibraryImport("libc", EntryPoint = "mincore")]
    private static unsafe partial int MinCore(nint address, nuint length, byte* vector);
}

/// <summary>A fact that runs only where the process allocates through glibc (the trimmer's platform).</summary>
public sealed class GlibcFactAttribute : FactAttribute
{
    public GlibcFactAttribute()
    {
        if (!NativeHeapTrimmer.Supported)
        {
            Skip = "not Linux with glibc: the native heap trimmer does nothing here";
        }
    }
}
