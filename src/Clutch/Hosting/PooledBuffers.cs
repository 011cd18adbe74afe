using System.Buffers;

namespace Clutch.Hosting;

/// <summary>Buffers rented from the shared pool for one response body.</summary>
internal static class PooledBuffers
{
    /// <summary>
    /// Gives <paramref name="rented"/> back to the shared pool once <paramref name="write"/> (which
    /// sends bytes from it) is done: at once when it already is, otherwise when it finishes.
    /// </summary>
    public static Task ReturnAfter(Task write, byte[] rented)
    {
        if (write.IsCompleted)
        {
            ArrayPool<byte>.Shared.Return(rented);
            return write;
        }

        return ReturnWhenDoneAsync(write, rented);
    }

    private static async Task ReturnWhenDoneAsync(Task write, byte[] rented)
    {
        try
        {
            await write;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
