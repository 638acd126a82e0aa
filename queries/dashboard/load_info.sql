-- One load with the tenant snapshot it brought, for the sidebar.
SELECT
  l.load_id,
  strftime(timezone('UTC', l.loaded_at), '%Y-%m-%d %H:%M UTC') AS loaded_at,
  l.datafile_kind,
  coalesce(t.tenant_id, '?') AS tenant,
  t.taken_at,
  t.source AS snapshot_source,
  l.tool_version
FROM loads AS l
LEFT JOIN tenant_info AS t ON true
WHERE l.load_id = $load_id
LIMIT 1
