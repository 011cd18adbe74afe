using System.Collections.Concurrent;
using System.Net;

namespace Clutch.Auth;

/// <summary>
/// Slows down password guessing without locking out everyone behind one address (a CI runner's NAT):
/// after <c>userLimit</c> failed password logins for one user name from one client address within a
/// window, that (address, user name) pair gets 429 until the window has passed; other users from the
/// same address still sign in. A second, generous cap, <c>addressLimit</c> failures from one address
/// over all user names, stops one address from spraying guesses over many names. Token logins never
/// pass through here: a token has 256 random bits, so guessing one is hopeless and throttling it
/// would only let someone else's typos block CI.
/// </summary>
public sealed class FailureThrottle(int userLimit, int addressLimit, TimeSpan window, TimeProvider time)
{
    private const int PruneThreshold = 10_000;

    /// <summary>User names are at most this long (see the CLI's name check); longer ones share one key, so a key stays small.</summary>
    private const int MaxUserKeyLength = 100;

    private readonly ConcurrentDictionary<Key, Failures> _failures = new();

    /// <summary>
    /// True when a password login for <paramref name="user"/> from <paramref name="client"/> must wait;
    /// <paramref name="verdict"/> says how long and whether the user name or the whole address is held.
    /// </summary>
    public bool IsThrottled(IPAddress? client, string user, out ThrottleVerdict verdict)
    {
        verdict = default;
        if (client is null)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (userLimit > 0 && Holds(new Key(client, UserKey(user)), userLimit, now, out var userWait))
        {
            verdict = new ThrottleVerdict(userWait, user);
            return true;
        }

        if (addressLimit > 0 && Holds(new Key(client, null), addressLimit, now, out var addressWait))
        {
            verdict = new ThrottleVerdict(addressWait, null);
            return true;
        }

        return false;
    }

    /// <summary>Counts a failed password login for <paramref name="user"/> from <paramref name="client"/>.</summary>
    public void RecordFailure(IPAddress? client, string user)
    {
        if (client is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_failures.Count > PruneThreshold)
        {
            Prune(now);
        }

        if (userLimit > 0)
        {
            Count(new Key(client, UserKey(user)), now);
        }

        if (addressLimit > 0)
        {
            Count(new Key(client, null), now);
        }
    }

    /// <summary>A correct password clears that user's failures from that address (not the address's total).</summary>
    public void RecordSuccess(IPAddress? client, string user)
    {
        if (client is not null)
        {
            _failures.TryRemove(new Key(client, UserKey(user)), out _);
        }
    }

    private bool Holds(Key key, int limit, DateTimeOffset now, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_failures.TryGetValue(key, out var entry))
        {
            return false;
        }

        lock (entry)
        {
            if (now - entry.Start >= window || entry.Count < limit)
            {
                return false;
            }

            retryAfter = entry.Start + window - now;
            return true;
        }
    }

    private void Count(Key key, DateTimeOffset now)
    {
        var entry = _failures.GetOrAdd(key, _ => new Failures { Start = now });
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

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, entry) in _failures)
        {
            if (now - entry.Start >= window)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private static string UserKey(string user) => user.Length <= MaxUserKeyLength ? user : user[..MaxUserKeyLength];

    /// <summary>One address and user name; a null user name is the address's count over all names.</summary>
    private readonly record struct Key(IPAddress Address, string? User);

    private sealed class Failures
    {
        public DateTimeOffset Start { get; set; }

        public int Count { get; set; }
    }
}

/// <summary>How long a throttled login must wait, and for which user name (null: every password login from the address).</summary>
public readonly record struct ThrottleVerdict(TimeSpan RetryAfter, string? User)
{
    /// <summary>Whole seconds to wait, at least 1: the <c>Retry-After</c> value and the figure in <see cref="Message"/>.</summary>
    public int RetryAfterSeconds => Math.Max(1, (int)Math.Ceiling(RetryAfter.TotalSeconds));

    /// <summary>
    /// One line that says what is held and when to try again: clients such as twine show the body of a
    /// 429, not its <c>Retry-After</c> header.
    /// </summary>
    public string Message => User is { } user
        ? $"Too many failed logins for '{Printable(user)}' from this address; retry in {RetryAfterSeconds} s."
        : $"Too many failed logins from this address; retry in {RetryAfterSeconds} s.";

    /// <summary>The user name as sent, kept to one short line (it comes from the request).</summary>
    private static string Printable(string user)
    {
        var shown = user.Length <= 64 ? user : user[..64] + "…";
        return string.Create(shown.Length, shown, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
