using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>
/// Leases as rows of the catalog's <c>leases</c> table, so they hold across every process on the
/// database file (a server and a <c>clutch</c> command both running a job). A held lease is renewed
/// every third of its <see cref="Term"/>; one whose holder died lapses at the end of it.
/// </summary>
public sealed class SqliteLeases(SqliteCatalog catalog, TimeSpan? term = null) : ILeases
{
    /// <summary>How long a lease outlives its last renewal (30 s unless given).</summary>
    public TimeSpan Term { get; } = term ?? TimeSpan.FromSeconds(30);

    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var holder = Guid.NewGuid().ToString("N"); // one per acquisition: a second acquire here waits its turn too
        return await catalog.TryTakeLeaseAsync(name, holder, Term, cancellationToken) ? new Lease(catalog, name, holder, Term) : null;
    }

    private sealed class Lease : IAsyncDisposable
    {
        private readonly SqliteCatalog _catalog;
        private readonly string _name;
        private readonly string _holder;
        private readonly TimeSpan _term;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;

        public Lease(SqliteCatalog catalog, string name, string holder, TimeSpan term)
        {
            (_catalog, _name, _holder, _term) = (catalog, name, holder, term);
            _renewal = RenewAsync(_stop.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewal;
            _stop.Dispose();
            try
            {
                await _catalog.ReleaseLeaseAsync(_name, _holder, CancellationToken.None);
            }
            catch (Exception e) when (e is SqliteException or ObjectDisposedException)
            {
                // Not given back (a locked or failing database, or one closed already): it lapses at the end of its term.
            }
        }

        private async Task RenewAsync(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(_term / 3);
            try
            {
                while (await timer.WaitForNextTickAsync(stop))
                {
                    try
                    {
                        if (!await _catalog.RenewLeaseAsync(_name, _holder, _term, stop))
                        {
                            return; // lapsed and taken by another holder: nothing left to renew
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // A busy or failing write: try again at the next tick, well before the term ends.
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // released
            }
        }
    }
}
