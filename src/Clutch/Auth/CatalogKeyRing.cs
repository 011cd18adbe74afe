using System.Xml.Linq;
using Clutch.Storage.Accounts;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Clutch.Auth;

/// <summary>
/// Keeps the data protection key ring (which signs and encrypts session cookies and antiforgery
/// tokens) in the account store, so every node sharing the catalog reads the cookies any node
/// wrote, and a restart keeps everyone signed in. Data protection calls this synchronously and
/// rarely: when it first needs the ring, when it refreshes it (about daily) and when it makes a key.
/// </summary>
internal sealed class CatalogKeyRing(IAccountStore accounts) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        accounts.ListWebKeysAsync(CancellationToken.None).GetAwaiter().GetResult().Select(xml => XElement.Parse(xml)).ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        accounts.AddWebKeyAsync(friendlyName, element.ToString(SaveOptions.DisableFormatting), CancellationToken.None).GetAwaiter().GetResult();
}
