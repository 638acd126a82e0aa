-- Who made which settings current from the dashboard, and what they replaced (analysis/dashboard/
-- settingsstore.py; docs/dashboard.md). Kept across loads.

-- name: schema
CREATE TABLE IF NOT EXISTS dashboard_settings_changes (
  "at"     TIMESTAMPTZ NOT NULL,
  actor    VARCHAR NOT NULL,   -- the identity, as recorded for approvals
  path     VARCHAR NOT NULL,   -- the settings file written
  before   VARCHAR,            -- the file's previous content (NULL: there was none)
  after    VARCHAR NOT NULL    -- what was written
)

-- name: insert
INSERT INTO dashboard_settings_changes ("at", actor, path, before, after)
VALUES (now(), $actor, $path, $before, $after)
