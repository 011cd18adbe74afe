using Clutch.Storage;
using Clutch.Storage.Folder;

namespace Clutch.Server.Tests.Storage.Contracts;

/// <summary>The blob store contract on a package folder.</summary>
[Collection(BlobStoreCollection.Name)]
public sealed class FolderBlobStoreContractTests : BlobStoreContract
{
    private readonly TempFolder _temp = new();

    protected override bool StagedBlobsWaitForPublish => true;

    // The folder store copies through an 80 KB buffer: far below the blob, whatever the runtime adds.
    protected override long LargeTransferAllocationBound => 8L * 1024 * 1024;

    // Where the server keeps finished uploads: the store's own private area, so a put renames.
    protected override string LocalFolder => Directory.CreateDirectory(_temp.Combine(".clutch", "uploads")).FullName;

    protected override IBlobStore CreateStore() => new FolderBlobStore(_temp.Path);

    protected override Task AssertNoUnfinishedWritesAsync()
    {
        var temp = _temp.Combine(".clutch", "tmp");
        Assert.Empty(Directory.Exists(temp) ? Directory.EnumerateFileSystemEntries(temp) : []);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _temp.Dispose();
    }
}
