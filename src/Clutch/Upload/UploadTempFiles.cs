using Clutch.Hosting;

namespace Clutch.Upload;

/// <summary>
/// Where uploads are streamed before they are accepted: <c>tmp/</c> in the node's state folder
/// (in folder mode <c>{root}/.clutch/tmp/</c>, on the blob folder's filesystem so that accepting a
/// file is a rename). Whatever a killed process left there is deleted at start.
/// </summary>
public sealed class UploadTempFiles(ClutchOptions options) : IHostedService
{
    public string Directory { get; } = Path.Combine(Path.GetFullPath(options.StateDirectory), "tmp");

    public string NewPath()
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, "upload-" + Guid.NewGuid().ToString("N") + ".part");
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (System.IO.Directory.Exists(Directory))
        {
            // Nothing in flight yet: anything here is left over from a process that died mid-write.
            foreach (var file in System.IO.Directory.EnumerateFiles(Directory))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // in use by another process sharing the folder: leave it
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
