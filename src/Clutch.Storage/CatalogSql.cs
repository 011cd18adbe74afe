namespace Clutch.Storage;

/// <summary>SQL that the SQLite and PostgreSQL catalogs share word for word (both speak <c>ON CONFLICT … excluded</c>).</summary>
internal static class CatalogSql
{
    /// <summary>
    /// The SET list of a file upsert on its path. Same bytes again (same sha256) keep their first
    /// upload time, uploader and yank state: a re-scan or a touched file must not look like a new release.
    /// </summary>
    public const string UpsertFileAssignments = """
        filename = excluded.filename,
        project = excluded.project,
        version = excluded.version,
        type = excluded.type,
        python_tag = excluded.python_tag,
        requires_python = excluded.requires_python,
        md5 = excluded.md5,
        blake2b_256 = excluded.blake2b_256,
        size = excluded.size,
        metadata_sha256 = excluded.metadata_sha256,
        summary = excluded.summary,
        source_mtime_ticks = excluded.source_mtime_ticks,
        source_inode = excluded.source_inode,
        source_ctime_ticks = excluded.source_ctime_ticks,
        upload_time = CASE WHEN files.sha256 = excluded.sha256 THEN files.upload_time ELSE excluded.upload_time END,
        uploader = CASE WHEN files.sha256 = excluded.sha256 THEN coalesce(files.uploader, excluded.uploader) ELSE excluded.uploader END,
        yanked = CASE WHEN files.sha256 = excluded.sha256 THEN files.yanked ELSE excluded.yanked END,
        yanked_reason = CASE WHEN files.sha256 = excluded.sha256 THEN files.yanked_reason ELSE excluded.yanked_reason END,
        sha256 = excluded.sha256
        """;

    /// <summary>True when the stored row does not record the very file the folder indexer looked at (the scanned-upsert guard).</summary>
    public const string ScannedFileChanged = """
        NOT (files.size = excluded.size AND files.source_mtime_ticks = excluded.source_mtime_ticks
            AND files.source_inode = excluded.source_inode AND files.source_ctime_ticks = excluded.source_ctime_ticks)
        """;
}
