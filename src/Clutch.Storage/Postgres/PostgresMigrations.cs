namespace Clutch.Storage.Postgres;

/// <summary>
/// The PostgreSQL schema as an ordered list of migrations, the same tables as the SQLite catalog's;
/// <c>clutch_schema</c> records the last one applied. Append new ones; never edit one that has shipped.
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<(int Version, string Sql)> All { get; } =
    [
        (1, """
            CREATE TABLE projects (
                name         text NOT NULL PRIMARY KEY,
                display_name text NOT NULL,
                last_changed bigint NOT NULL
            );

            CREATE TABLE files (
                id                 bigserial PRIMARY KEY,
                path               text NOT NULL UNIQUE,
                filename           text NOT NULL UNIQUE,
                project            text NOT NULL,
                version            text NOT NULL,
                type               text NOT NULL,
                python_tag         text,
                requires_python    text,
                sha256             text NOT NULL,
                md5                text NOT NULL,
                blake2b_256        text NOT NULL,
                size               bigint NOT NULL,
                upload_time        bigint NOT NULL,
                uploader           text,
                yanked             boolean NOT NULL DEFAULT false,
                yanked_reason      text,
                metadata_sha256    text,
                summary            text,
                source_mtime_ticks bigint NOT NULL DEFAULT 0,
                source_inode       bigint NOT NULL DEFAULT 0,
                source_ctime_ticks bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX files_project ON files(project, filename);

            CREATE TABLE developer_links (
                source  text NOT NULL,
                project text NOT NULL,
                url     text NOT NULL,
                PRIMARY KEY (source, project, url)
            );
            CREATE INDEX developer_links_project ON developer_links(project);

            CREATE TABLE users (
                name          text NOT NULL PRIMARY KEY,
                password_hash text NOT NULL,
                is_admin      boolean NOT NULL DEFAULT false,
                created       bigint NOT NULL
            );

            CREATE TABLE tokens (
                id         text NOT NULL PRIMARY KEY,
                user_name  text NOT NULL,
                name       text,
                hash       text NOT NULL UNIQUE,
                project    text,
                expires    bigint,
                created    bigint NOT NULL
            );
            CREATE INDEX tokens_user ON tokens(user_name);

            CREATE TABLE project_roles (
                project   text NOT NULL,
                user_name text NOT NULL,
                role      text NOT NULL,
                created   bigint NOT NULL,
                PRIMARY KEY (project, user_name)
            );
            CREATE INDEX project_roles_user ON project_roles(user_name);

            CREATE TABLE deleted_files (
                filename   text NOT NULL PRIMARY KEY,
                project    text NOT NULL,
                deleted_by text,
                deleted_at bigint NOT NULL,
                reason     text
            );

            -- Every committed change (a project, or '' for an account change), read by every node
            -- when notified (and after a reconnect) to drop its cached pages. Old rows are pruned.
            CREATE TABLE change_log (
                seq                 bigserial PRIMARY KEY,
                writer              text NOT NULL,
                project             text NOT NULL,
                project_set_changed boolean NOT NULL,
                at                  bigint NOT NULL
            );
            CREATE INDEX change_log_at ON change_log(at);
            """),
        (2, """
            -- The key ring of browser sessions and antiforgery tokens (see IAccountStore.ListWebKeysAsync).
            CREATE TABLE web_keys (
                name    text NOT NULL PRIMARY KEY,
                xml     text NOT NULL,
                created bigint NOT NULL
            );
            """),
        (3, """
            -- A token limited to one index (its name, '' for the default index); null: every index.
            ALTER TABLE tokens ADD COLUMN index_name text;

            -- Indexes other than the default one and what they keep beside their files (see
            -- IIndexStore). Times are UTC ticks, the TTL whole seconds, bases a JSON array of names.
            CREATE TABLE indexes (
                name       text NOT NULL PRIMARY KEY,
                upstream   text,
                bases      text NOT NULL,
                ttl        bigint NOT NULL,
                private    boolean NOT NULL DEFAULT false,
                created    bigint NOT NULL,
                created_by text,
                uploaders  text NOT NULL DEFAULT '[]'
            );

            -- The dependency-confusion guard's exceptions: projects whose files from the bases stay visible.
            CREATE TABLE index_allowed (
                index_name text NOT NULL,
                project    text NOT NULL,
                PRIMARY KEY (index_name, project)
            );

            -- Every promoted file, kept after its indexes are gone (history).
            CREATE TABLE promotions (
                id         bigserial PRIMARY KEY,
                from_index text NOT NULL,
                to_index   text NOT NULL,
                project    text NOT NULL,
                version    text NOT NULL,
                filename   text NOT NULL,
                sha256     text NOT NULL,
                actor      text,
                at         bigint NOT NULL
            );

            -- A mirror's last fetched upstream pages (project '' is the root page).
            CREATE TABLE mirror_pages (
                index_name text NOT NULL,
                project    text NOT NULL,
                body       text NOT NULL,
                etag       text,
                fetched_at bigint NOT NULL,
                PRIMARY KEY (index_name, project)
            );

            -- The mirror file cache's ledger, evicted least recently used first.
            CREATE TABLE mirror_files (
                index_name text NOT NULL,
                key        text NOT NULL,
                size       bigint NOT NULL,
                last_used  bigint NOT NULL,
                PRIMARY KEY (index_name, key)
            );
            CREATE INDEX mirror_files_last_used ON mirror_files(last_used);
            """),
    ];

    public static int Latest => All[^1].Version;
}
