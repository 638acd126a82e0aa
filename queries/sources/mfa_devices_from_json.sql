-- The datafile's devices as the loader's staging relation (see mfa_users_from_json.sql; positions match
-- pfdata_devices_rows.sql).
CREATE OR REPLACE TEMP VIEW mfa_devices_stage AS
SELECT
  v[1] AS source_line, v[2] AS device_id, v[3] AS user_id, v[4] AS device_name, v[5] AS device_token,
  v[6] AS oath_secret, v[7] AS notification_type, v[8] AS app_version, v[9] AS account_name,
  v[10] AS activated_at
FROM (SELECT json_transform(j, '["VARCHAR"]') AS v FROM pf_chunk);
