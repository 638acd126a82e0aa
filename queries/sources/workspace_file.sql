-- analysis/sources/workspace_file.py: the marker that makes a DuckDB file a workspace of mfa-migrate,
-- and the settings of every connection the product opens.

-- name: no_extension_downloads
-- Every connection the product opens: DuckDB never downloads or loads an extension on its own (json and
-- parquet, which the product uses, are built into the duckdb package). The settings hold for the whole
-- database instance, so every cursor and later connection to the same file in this process has them.
SET autoinstall_known_extensions = false;
SET autoload_known_extensions = false;

-- name: tables
-- The file's own tables (main database, any schema), to tell a workspace from another program's file.
SELECT table_name
FROM information_schema.tables
WHERE table_catalog = current_database()
ORDER BY table_name;

-- name: marker_read
-- The workspace format the marker records (NULL when the marker table is empty).
SELECT max(format_version) FROM mfa_migrate_workspace;

-- name: marker_write
-- The marker that makes a DuckDB file a workspace of mfa-migrate (kept across loads; one row).
-- format_version says how to read the file; a later version of the product may raise it and migrate.
CREATE TABLE IF NOT EXISTS mfa_migrate_workspace (
  format_version  INTEGER NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  created_by      VARCHAR NOT NULL      -- 'mfa-migrate <version>' that wrote the marker
);

INSERT INTO mfa_migrate_workspace (format_version, created_at, created_by)
SELECT $format_version, now(), $created_by
WHERE NOT EXISTS (SELECT 1 FROM mfa_migrate_workspace);
