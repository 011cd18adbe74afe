using Clutch.Storage;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Clutch.Auth;

/// <summary>
/// Makes the session key ring's first key before the node serves, once for every node sharing the
/// catalog (under a lease). Left to data protection, two nodes starting together on an empty ring
/// would each make a key of their own, and a session begun on one would be refused by the other
/// until their next reading of the ring. Later keys are made ahead of their activation, so every
/// node reads them before they are used.
/// </summary>
internal sealed class WebKeyRingStartup(IKeyManager keys, ILeases leases, TimeProvider time) : IHostedService
{
    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        while (!HasUsableKey())
        {
            await using var lease = await leases.TryAcquireAsync("web-key-ring", cancellationToken);
            if (lease is null)
            {
                // Another node is making it.
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
                continue;
            }

            if (!HasUsableKey())
            {
                var now = time.GetUtcNow();
                keys.CreateNewKey(now, now + KeyLifetime);
            }

            return;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private bool HasUsableKey()
    {
        var now = time.GetUtcNow();
        return keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now);
    }
}
