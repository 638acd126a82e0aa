-- Small queries around the users_after_date view (analysis/readiness/afterdate.py).

-- name: stamp
-- The stamp stored when the view was made (no row: missing, or the view was dropped since).
SELECT s.stamp
FROM workspace_views s
JOIN duckdb_views() v ON v.view_name = s.name AND NOT v.temporary AND v.schema_name = 'main'
WHERE s.name = $view;

-- name: has_plan
-- Whether the workspace holds the canonical plan table (the view users_after_date reads it).
SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'plan' AND schema_name = 'main' AND NOT temporary;

-- name: stamps_schema
-- Which version of each product-defined view the workspace holds (kept across loads).
CREATE TABLE IF NOT EXISTS workspace_views (name VARCHAR PRIMARY KEY, stamp VARCHAR NOT NULL);

-- name: set_stamp
INSERT OR REPLACE INTO workspace_views (name, stamp) VALUES ($view, $stamp);

-- name: bind
-- The retirement settings the view reads (a session variable: each connection binds its own).
SET VARIABLE mfa_retirement = {'date': $date::DATE, 'phones_stop': $stop::BOOLEAN, 'today': $today::DATE};

-- name: tier_counts
-- Users per tier among the counted, matched users (NULL tier: state not known).
SELECT tier, count(*) AS users
FROM users_after_date
WHERE counted AND matched
GROUP BY tier;
