-- The dashboard's own cache in the workspace (docs/dashboard.md): what the plan table and the stored
-- readiness report were computed for. Never touched by a load; keys include the load id.
CREATE TABLE IF NOT EXISTS dashboard_cache (
  kind        VARCHAR PRIMARY KEY,   -- 'plan' | 'report'
  key         VARCHAR NOT NULL,      -- sha256 of load id, migration marks, settings, tool version, checks
  fingerprint VARCHAR,               -- plan: row count and hash of the plan table when it was computed
  doc         VARCHAR,               -- report: the score, per-check counts and runbook (JSON)
  created_at  TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS dashboard_findings (
  check_id     VARCHAR NOT NULL,
  subject_type VARCHAR,
  subject_id   VARCHAR,
  user_id      BIGINT,
  username     VARCHAR,
  upn          VARCHAR,
  detail       VARCHAR
);
