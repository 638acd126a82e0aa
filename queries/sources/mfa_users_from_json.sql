-- The datafile's users as the loader's staging relation: one JSON array per row (pf_chunk.j, a
-- registered in-memory frame read with pfdata_users_rows.sql, same positions) taken apart into the
-- canonical text columns. Raw secrets exist only in this in-memory view; mfa_users_check.sql
-- fingerprints them.
CREATE OR REPLACE TEMP VIEW mfa_users_stage AS
SELECT
  v[1] AS source_line, v[2] AS user_id, v[3] AS username, v[4] AS object_sid, v[5] AS first_name,
  v[6] AS last_name, v[7] AS email, v[8] AS user_group, v[9] AS enabled, v[10] AS country_code,
  v[11] AS phone, v[12] AS extension, v[13] AS backup_country_code, v[14] AS backup_phone,
  v[15] AS backup_extension, v[16] AS method, v[17] AS phone_mode, v[18] AS text_mode,
  v[19] AS text_direction, v[20] AS app_mode, v[21] AS pin_hash, v[22] AS language, v[23] AS oath_serial,
  v[24] AS oath_secret, v[25] AS oath_kind, v[26] AS oath_time_step, v[27] AS created_at,
  v[28] AS modified_at, v[29] AS last_migrated_at, v[30] AS migrated_selection
FROM (SELECT json_transform(j, '["VARCHAR"]') AS v FROM pf_chunk);
