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
