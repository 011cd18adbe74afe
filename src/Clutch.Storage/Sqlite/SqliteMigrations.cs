namespace Clutch.Storage.Sqlite;

/// <summary>
/// The catalog schema as an ordered list of migrations; <c>PRAGMA user_version</c> records the last
/// one applied. Append new migrations (users, tokens, permissions, deleted filenames …); never edit
/// one that has shipped.
/// </summary>
internal static class SqliteMigrations
{
    public static IReadOnlyList<(int Version, string Sql)> All { get; } =
    [
        (1, """
            CREATE TABLE projects (
                name         TEXT NOT NULL PRIMARY KEY,
                display_name TEXT NOT NULL,
                last_changed INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE files (
                id                 INTEGER PRIMARY KEY,
                path               TEXT NOT NULL UNIQUE,
                filename           TEXT NOT NULL UNIQUE,
                project            TEXT NOT NULL,
                version            TEXT NOT NULL,
                type               TEXT NOT NULL,
                python_tag         TEXT,
                requires_python    TEXT,
                sha256             TEXT NOT NULL,
                md5                TEXT NOT NULL,
                blake2b_256        TEXT NOT NULL,
                size               INTEGER NOT NULL,
                upload_time        INTEGER NOT NULL,
                uploader           TEXT,
                yanked             INTEGER NOT NULL DEFAULT 0,
                yanked_reason      TEXT,
                metadata_sha256    TEXT,
                summary            TEXT,
                source_mtime_ticks INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX files_project ON files(project);

            CREATE TABLE developer_links (
                source  TEXT NOT NULL,
                project TEXT NOT NULL,
                url     TEXT NOT NULL,
                PRIMARY KEY (source, project, url)
            ) WITHOUT ROWID;
            CREATE INDEX developer_links_project ON developer_links(project);
            """),
        (2, """
            CREATE TABLE users (
                name          TEXT NOT NULL PRIMARY KEY,
                password_hash TEXT NOT NULL,
                is_admin      INTEGER NOT NULL DEFAULT 0,
                created       INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE tokens (
                id         TEXT NOT NULL PRIMARY KEY,
                user_name  TEXT NOT NULL,
                name       TEXT,
                hash       TEXT NOT NULL UNIQUE,
                project    TEXT,
                expires    INTEGER,
                created    INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX tokens_user ON tokens(user_name);

            CREATE TABLE project_roles (
                project   TEXT NOT NULL,
                user_name TEXT NOT NULL,
                role      TEXT NOT NULL,
                created   INTEGER NOT NULL,
                PRIMARY KEY (project, user_name)
            ) WITHOUT ROWID;
            CREATE INDEX project_roles_user ON project_roles(user_name);

            CREATE TABLE deleted_files (
                filename   TEXT NOT NULL PRIMARY KEY,
                project    TEXT NOT NULL,
                deleted_by TEXT,
                deleted_at INTEGER NOT NULL,
                reason     TEXT
            ) WITHOUT ROWID;
            """),
        (3, """
            -- Every committed change, so other processes and nodes sharing this catalog can drop
            -- their cached pages (see SqliteCatalog.ChangeFeed.cs). Old rows are pruned.
            CREATE TABLE change_log (
                seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
                writer              TEXT NOT NULL,
                project             TEXT NOT NULL,
                project_set_changed INTEGER NOT NULL,
                at                  INTEGER NOT NULL
            );
            CREATE INDEX change_log_at ON change_log(at);
            """),
        (4, """
            -- Which file was hashed, beyond size and mtime (both can be put back by hand): its inode
            -- and ctime. Rows from before (0, 0) are re-hashed once by the next reconcile.
            ALTER TABLE files ADD COLUMN source_inode INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE files ADD COLUMN source_ctime_ticks INTEGER NOT NULL DEFAULT 0;
            """),
        (5, """
            -- Leases of jobs that run in one process at a time (see SqliteLeases.cs): one row per
            -- held name, renewed by its holder; a holder that died lets it lapse at expires (ticks).
            CREATE TABLE leases (
                name    TEXT NOT NULL PRIMARY KEY,
                holder  TEXT NOT NULL,
                expires INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        (6, """
            -- The key ring of browser sessions and antiforgery tokens (see IAccountStore.ListWebKeysAsync).
            CREATE TABLE web_keys (
                name    TEXT NOT NULL PRIMARY KEY,
                xml     TEXT NOT NULL,
                created INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        (7, """
            -- A token limited to one index (its name, "" for the default index); null: every index.
            ALTER TABLE tokens ADD COLUMN index_name TEXT;

            -- Indexes other than the default one and what they keep beside their files (see
            -- IIndexStore). Times are UTC ticks, the TTL whole seconds, bases a JSON array of names.
            CREATE TABLE indexes (
                name       TEXT NOT NULL PRIMARY KEY,
                upstream   TEXT,
                bases      TEXT NOT NULL,
                ttl        INTEGER NOT NULL,
                private    INTEGER NOT NULL DEFAULT 0,
                created    INTEGER NOT NULL,
                created_by TEXT,
                uploaders  TEXT NOT NULL DEFAULT '[]'
            ) WITHOUT ROWID;

            -- The dependency-confusion guard's exceptions: projects whose files from the bases stay visible.
            CREATE TABLE index_allowed (
                index_name TEXT NOT NULL,
                project    TEXT NOT NULL,
                PRIMARY KEY (index_name, project)
            ) WITHOUT ROWID;

            -- Every promoted file, kept after its indexes are gone (history).
            CREATE TABLE promotions (
                id         INTEGER PRIMARY KEY,
                from_index TEXT NOT NULL,
                to_index   TEXT NOT NULL,
                project    TEXT NOT NULL,
                version    TEXT NOT NULL,
                filename   TEXT NOT NULL,
                sha256     TEXT NOT NULL,
                actor      TEXT,
                at         INTEGER NOT NULL
            );

            -- A mirror's last fetched upstream pages (project '' is the root page).
            CREATE TABLE mirror_pages (
                index_name TEXT NOT NULL,
                project    TEXT NOT NULL,
                body       TEXT NOT NULL,
                etag       TEXT,
                fetched_at INTEGER NOT NULL,
                PRIMARY KEY (index_name, project)
            ) WITHOUT ROWID;

            -- The mirror file cache's ledger, evicted least recently used first.
            CREATE TABLE mirror_files (
                index_name TEXT NOT NULL,
                key        TEXT NOT NULL,
                size       INTEGER NOT NULL,
                last_used  INTEGER NOT NULL,
                PRIMARY KEY (index_name, key)
            ) WITHOUT ROWID;
            CREATE INDEX mirror_files_last_used ON mirror_files(last_used);
            """),
    ];

    public static int Latest => All[^1].Version;
}
