-- Where the workspace's data came from, for the head of every report (one row).
SELECT
  (SELECT any_value(tenant_id) FROM tenant_info)  AS tenant_id,
  (SELECT any_value(taken_at) FROM tenant_info)   AS snapshot_taken_at,
  (SELECT any_value(source) FROM tenant_info)     AS snapshot_source,
  l.load_id,
  strftime(l.loaded_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS loaded_at,
  l.datafile_kind,
  (SELECT count(*) FROM mfa_users)   AS mfa_users,
  (SELECT count(*) FROM entra_users) AS entra_users
FROM (SELECT 1) AS one
LEFT JOIN (SELECT * FROM loads ORDER BY loaded_at DESC LIMIT 1) AS l ON true;
