namespace Clutch.Storage;

/// <summary>
/// Named leases for jobs that must run on one node at a time (dev-build retention, digest backfill):
/// whoever holds a lease does the work; the others skip that round.
/// </summary>
public interface ILeases
{
    /// <summary>The lease, held until disposed; null when another node or process holds it.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken);
}

/// <summary>Leases for a catalog only this process serves (SQLite): held in memory.</summary>
public sealed class LocalLeases : ILeases
{
    private readonly Dictionary<string, bool> _held = new(StringComparer.Ordinal);

    public Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        lock (_held)
        {
            if (_held.ContainsKey(name))
            {
                return Task.FromResult<IAsyncDisposable?>(null);
            }

            _held[name] = true;
        }

        return Task.FromResult<IAsyncDisposable?>(new Release(this, name));
    }

    private sealed class Release(LocalLeases leases, string name) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            lock (leases._held)
            {
                leases._held.Remove(name);
            }

            return ValueTask.CompletedTask;
        }
    }
}
