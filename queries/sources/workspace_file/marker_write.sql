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
