using System.Collections.Concurrent;
using System.Net;

namespace Clutch.Auth;

/// <summary>
/// Slows down password guessing: after <c>limit</c> failed authentications from one client address
/// within a window, that address gets 429 with Retry-After until the window has passed.
/// </summary>
public sealed class FailureThrottle(int limit, TimeSpan window, TimeProvider time)
{
    private const int PruneThreshold = 10_000;
    private readonly ConcurrentDictionary<IPAddress, Failures> _failures = new();

    /// <summary>True when <paramref name="client"/> must wait; <paramref name="retryAfter"/> says how long.</summary>
    public bool IsThrottled(IPAddress? client, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (client is null || limit <= 0 || !_failures.TryGetValue(client, out var entry))
        {
            return false;
        }

        var now = time.GetUtcNow();
        lock (entry)
        {
            if (now - entry.Start >= window)
            {
                return false;
            }

            retryAfter = entry.Start + window - now;
            return entry.Count >= limit;
        }
    }

    public void RecordFailure(IPAddress? client)
    {
        if (client is null || limit <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_failures.Count > PruneThreshold)
        {
            Prune(now);
        }

        var entry = _failures.GetOrAdd(client, _ => new Failures { Start = now });
        lock (entry)
        {
            if (now - entry.Start >= window)
            {
                entry.Start = now;
                entry.Count = 0;
            }

            entry.Count++;
        }
    }

    public void RecordSuccess(IPAddress? client)
    {
        if (client is not null)
        {
            _failures.TryRemove(client, out _);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (address, entry) in _failures)
        {
            if (now - entry.Start >= window)
            {
                _failures.TryRemove(address, out _);
            }
        }
    }

    private sealed class Failures
    {
        public DateTimeOffset Start { get; set; }

        public int Count { get; set; }
    }
}
