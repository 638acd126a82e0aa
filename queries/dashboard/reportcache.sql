-- The readiness report kept in the workspace for the dashboard (analysis/dashboard/reportcache.py).

-- name: schema
-- The dashboard's own cache in the workspace (docs/dashboard.md): what the stored readiness report was
-- computed for. Never touched by a load; keys include the load id.
CREATE TABLE IF NOT EXISTS dashboard_cache (
  kind        VARCHAR PRIMARY KEY,   -- 'report'
  key         VARCHAR NOT NULL,      -- sha256 of the plan's key (settings, load, marks, version) and checks
  fingerprint VARCHAR,               -- unused since plans stamp themselves (plan_meta); kept for old files
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

-- name: cache_get
-- What the dashboard cached for one kind ('report').
SELECT key, doc FROM dashboard_cache WHERE kind = $kind

-- name: cache_put
-- Record what the stored report was computed for (one row per kind).
INSERT OR REPLACE INTO dashboard_cache (kind, key, doc, created_at)
VALUES ($kind, $key, $doc, now())

-- name: findings_clear
-- Drop the previously stored findings (the report they belonged to is being replaced).
DELETE FROM dashboard_findings

-- name: findings_insert
-- Store a report's findings (registered by the caller as dashboard_new_findings).
INSERT INTO dashboard_findings
SELECT check_id, subject_type, subject_id, CAST(user_id AS BIGINT), username, upn, detail FROM dashboard_new_findings

-- name: findings_search
-- One check's stored findings whose user, UPN, subject or detail contains $text ('' = all), first
-- $limit (NULL: all); `total` counts every match.
SELECT subject_type, subject_id, user_id, username, upn, detail, count(*) OVER () AS total
FROM dashboard_findings
WHERE check_id = $check_id
  AND ($text = '' OR username ILIKE '%' || $text || '%' OR upn ILIKE '%' || $text || '%'
       OR subject_id ILIKE '%' || $text || '%' OR detail ILIKE '%' || $text || '%')
ORDER BY rowid
LIMIT $limit
