namespace Clutch.Pages;

/// <summary>
/// A value built on first use and kept until invalidated. Concurrent first users share one build;
/// a failed build is forgotten so the next request retries.
/// </summary>
public sealed class LazySlot<T>(Func<Task<T>> build)
{
    private Lazy<Task<T>>? _current;

    public Task<T> GetAsync()
    {
        var current = Volatile.Read(ref _current);
        if (current is { IsValueCreated: true } && current.Value.IsCompletedSuccessfully)
        {
            return current.Value;
        }

        return GetSlowAsync();
    }

    /// <summary>Drops the value; the one that was built, if any, so the caller can let go of what it holds.</summary>
    public T? Invalidate()
    {
        var dropped = Interlocked.Exchange(ref _current, null);
        return dropped is { IsValueCreated: true } && dropped.Value.IsCompletedSuccessfully ? dropped.Value.Result : default;
    }

    private async Task<T> GetSlowAsync()
    {
        var current = Volatile.Read(ref _current);
        if (current is null)
        {
            var fresh = new Lazy<Task<T>>(build);
            current = Interlocked.CompareExchange(ref _current, fresh, null) ?? fresh;
        }

        try
        {
            return await current.Value.ConfigureAwait(false);
        }
        catch
        {
            Interlocked.CompareExchange(ref _current, null, current);
            throw;
        }
    }
}
