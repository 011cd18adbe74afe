namespace Clutch.Hosting;

/// <summary>
/// Settings of one Clutch node, bound from configuration: command-line flags win over
/// <c>CLUTCH_*</c> environment variables, which win over the optional config file.
/// </summary>
public sealed class ClutchOptions
{
    private string? _root;

    /// <summary>The package folder (blob root in folder mode); <c>packages</c> unless given.</summary>
    public string Root
    {
        get => _root ?? "packages";
        set => _root = value;
    }

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (printed on start).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>
    /// The catalog: a SQLite file (default <c>{Root}/.clutch/catalog.db</c>) or a
    /// <c>postgresql://user:password@host:port/database</c> URL.
    /// </summary>
    public string? Catalog { get; set; }

    /// <summary>
    /// The blob store: a folder (the package folder, default <see cref="Root"/>) or
    /// <c>s3://bucket/prefix</c> (region and credentials from the AWS SDK's usual environment and files).
    /// </summary>
    public string? Blobs { get; set; }

    /// <summary>An S3-compatible endpoint (MinIO, Ceph, moto …), addressed path-style; AWS itself when null.</summary>
    public string? S3Endpoint { get; set; }

    /// <summary>Answer S3 downloads with a short-lived presigned redirect instead of streaming them through the node.</summary>
    public bool BlobsRedirect { get; set; }

    /// <summary>When true, every read needs credentials.</summary>
    public bool Private { get; set; }

    /// <summary>An Apache htpasswd file whose bcrypt entries are accepted as users.</summary>
    public string? Htpasswd { get; set; }

    /// <summary>Failed password logins for one user name from one client address within the window before that pair gets 429.</summary>
    public int AuthFailureLimit { get; set; } = 10;

    /// <summary>
    /// Failed password logins from one client address over all user names within the window before
    /// every password login from it gets 429: ten times the per-user limit, so a whole team behind one
    /// NAT mistyping passwords is not held, while one address spraying guesses over many names is.
    /// Token logins are never held.
    /// </summary>
    public int AuthFailureAddressLimit { get; set; } = 100;

    public int AuthFailureWindowSeconds { get; set; } = 60;

    /// <summary>Largest accepted upload (the file; the request may carry a little more for its form fields).</summary>
    public long MaxUploadBytes { get; set; } = 1L << 30;

    /// <summary>Keep only the newest N pre/dev builds per project (null: keep all).</summary>
    public int? KeepDev { get; set; }

    /// <summary>Seconds between full reconciles of the folder against the catalog.</summary>
    public int ReconcileSeconds { get; set; } = 60;

    /// <summary>
    /// Memory for copies of the plain (uncompressed) and gzip bytes of rendered pages, in MB. Every
    /// page's bytes are kept regardless (in the page store file, see <see cref="Pages.PageStore"/>,
    /// read back per request; without a store the gzip bytes in memory, plain ones restored from them).
    /// </summary>
    public int PageCacheMegabytes { get; set; } = 32;

    /// <summary>Dead bytes the page store file may hold before pages go to a fresh one (tests lower it).</summary>
    internal long PageStoreRotateBytes { get; set; } = Pages.PageStore.DefaultRotateAfterDeadBytes;

    /// <summary>
    /// Memory for the bytes of small files (up to 64 KB) most recently downloaded, in MB; the others
    /// are read from disk on every download.
    /// </summary>
    public int FileCacheMegabytes { get; set; } = 32;

    /// <summary>
    /// Disk (blob store) for the files mirror indexes fetched from their upstreams, in MB; the least
    /// recently used are evicted beyond it (and fetched again when asked for). 0: no limit.
    /// </summary>
    public long MirrorCacheMegabytes { get; set; } = 10240;

    /// <summary>
    /// How long a mirror index waits for its upstream: for a whole page, and for each read of a file
    /// (a slow but moving download is not cut off). A page not fetched before then answers 504.
    /// </summary>
    public int UpstreamTimeoutSeconds { get; set; } = 10;

    /// <summary>Runtime tuning (buffer pools, heap trimming, idle collections, socket threads; see <see cref="Tuning.RuntimeTuning"/>).</summary>
    public bool RuntimeTuning { get; set; } = true;

    /// <summary>Cache-Control max-age of index pages, seconds.</summary>
    public int PageMaxAgeSeconds { get; set; } = 10;

    public string ClutchDirectory => Path.Combine(Root, ".clutch");

    /// <summary>
    /// Where this node keeps its own files (page store, upload temp files): <see cref="StateDir"/>
    /// when given, else the folder's <c>.clutch</c> in folder mode (uploads are then renamed into
    /// place), else a folder of this process under the system temp.
    /// </summary>
    public string StateDirectory => StateDir
        ?? (BlobsInFolder ? ClutchDirectory : Path.Combine(Path.GetTempPath(), "clutch-node-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>True when the blobs are the package folder <see cref="Root"/>; false for an object store.</summary>
    public bool BlobsInFolder => Blobs is null || !Blobs.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the catalog is a PostgreSQL URL.</summary>
    public bool CatalogIsPostgres => Catalog is { } c
        && (c.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || c.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Makes the storage settings consistent, or says in one line what is wrong: <see cref="Blobs"/>
    /// naming a folder is the package folder; an object store needs an explicit catalog (the default
    /// one lives in the package folder).
    /// </summary>
    public void ResolveStorage()
    {
        if (Blobs is { } blobs && BlobsInFolder)
        {
            if (_root is not null && Path.GetFullPath(Root) != Path.GetFullPath(blobs))
            {
                throw new ArgumentException($"--blobs ({blobs}) and the package folder ({Root}) name different folders; give one of them.");
            }

            Root = blobs;
            Blobs = null;
        }

        Root = Path.GetFullPath(Root);
        if (!BlobsInFolder && Catalog is null)
        {
            throw new ArgumentException($"--blobs {Blobs} needs --catalog (a postgresql:// URL, or a SQLite file): there is no package folder to keep the catalog in.");
        }

        if (S3Endpoint is not null && BlobsInFolder)
        {
            throw new ArgumentException("--s3-endpoint is given but the blobs are a folder; give --blobs s3://bucket/prefix as well.");
        }

        if (BlobsRedirect && BlobsInFolder)
        {
            throw new ArgumentException("--blobs-redirect applies to an S3 blob store only (--blobs s3://bucket/prefix).");
        }
    }

    /// <summary>A node-local folder for temp files and the page store when the blobs are not a local folder.</summary>
    public string? StateDir { get; set; }

    public string CatalogPath => Catalog ?? Path.Combine(ClutchDirectory, "catalog.db");
}
