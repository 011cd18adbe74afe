using Microsoft.Data.Sqlite;

namespace Clutch.Storage.Sqlite;

/// <summary>The <c>leases</c> table behind <see cref="SqliteLeases"/>: take, renew and give back one named lease.</summary>
public sealed partial class SqliteCatalog
{
    /// <summary>
    /// Takes the lease <paramref name="name"/> for <paramref name="holder"/> until <paramref name="term"/>
    /// from now, unless another holder's lease on it has not expired yet. One statement: SQLite's
    /// write lock makes it atomic across every process on the file.
    /// </summary>
    internal Task<bool> TryTakeLeaseAsync(string name, string holder, TimeSpan term, CancellationToken cancellationToken) =>
        WriteLeaseAsync(
            """
            INSERT INTO leases (name, holder, expires) VALUES ($name, $holder, $expires)
            ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
            WHERE leases.expires <= $now
            """,
            name, holder, term, cancellationToken);

    /// <summary>Extends a lease this holder still has; false when it lapsed and was taken by another.</summary>
    internal Task<bool> RenewLeaseAsync(string name, string holder, TimeSpan term, CancellationToken cancellationToken) =>
        WriteLeaseAsync(
            "UPDATE leases SET expires = $expires WHERE name = $name AND holder = $holder",
            name, holder, term, cancellationToken);

    /// <summary>Gives a lease back (nothing when another holder has it by now).</summary>
    internal Task<bool> ReleaseLeaseAsync(string name, string holder, CancellationToken cancellationToken) =>
        WriteLeaseAsync(
            "DELETE FROM leases WHERE name = $name AND holder = $holder",
            name, holder, TimeSpan.Zero, cancellationToken);

    private async Task<bool> WriteLeaseAsync(string sql, string name, string holder, TimeSpan term, CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var now = _time.GetUtcNow();
            // Every statement gets all four; each uses the ones it names.
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$holder", holder);
            command.Parameters.AddWithValue("$now", now.UtcTicks);
            command.Parameters.AddWithValue("$expires", (now + term).UtcTicks);
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
