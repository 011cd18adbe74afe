using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Clutch.Storage.Postgres;

/// <summary>
/// Leases as PostgreSQL session advisory locks, each on a connection of its own held until the lease
/// is released: one node at a time holds a name, and a node that dies (or loses its connection)
/// releases it with its session. Advisory locks are database-wide, so the names of a catalog in a
/// schema of its own are that schema's: its jobs do not exclude the same jobs of other catalogs.
/// </summary>
public sealed class PostgresLeases(PostgresCatalog catalog) : ILeases
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(catalog.Schema is null ? name : $"{catalog.Schema}/{name}");
        var connection = catalog.CreateDedicatedConnection("lease");
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return new Lease(connection, key);
            }
        }
        catch (Exception e) when (PostgresCatalog.IsUnavailable(e))
        {
            await connection.DisposeAsync();
            throw new StorageUnavailableException($"the PostgreSQL catalog at {catalog.Description} cannot be reached ({e.Message})", e);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>A stable 64-bit key for a lease name (the same on every node).</summary>
    internal static long Key(string name) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("clutch-lease:" + name)), 0);

    private sealed class Lease(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = key });
                await command.ExecuteScalarAsync();
            }
            catch (Exception e) when (PostgresCatalog.IsUnavailable(e))
            {
                // The session is gone, and the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
