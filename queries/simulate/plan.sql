-- Stage 9: assemble the plan (docs/simulate.md). One `user` row per MFA Server user in this run; the item
-- rows only for users being migrated (every stage carries username, upn and entra_id along, so no
-- join is needed here). writable and the base reason come from sim_actions (actions.sql); the stage's
-- user-specific detail follows after ": ". The table is a set: readers order it
-- (analysis.simulate.runner.export writes it by user, then user, phone, backup_phone, device, oath_token,
-- default_method); sorting millions of rows here would cost every reader, not only the exporter.
-- __plan__ is the plan table (analysis.simulate.plan.PLAN_TABLES), filled in by analysis.sqlfiles.sql.
-- The table is created first with chosen compression: DuckDB's default (dictionary + FSST analysis
-- on every string column) costs about twice as much CPU to write; per-user identifiers and numbers
-- have almost no repeats, so they are stored uncompressed, the few-valued columns dictionary-coded.
CREATE OR REPLACE TABLE __plan__ (
  user_id  BIGINT,
  entra_id VARCHAR USING COMPRESSION uncompressed,
  username VARCHAR USING COMPRESSION uncompressed,
  upn      VARCHAR USING COMPRESSION uncompressed,
  item     VARCHAR USING COMPRESSION dict_fsst,
  ref      VARCHAR USING COMPRESSION dict_fsst,
  action   VARCHAR USING COMPRESSION dict_fsst,
  value    VARCHAR USING COMPRESSION uncompressed,
  reason   VARCHAR USING COMPRESSION dict_fsst,
  writable VARCHAR USING COMPRESSION dict_fsst
);
INSERT INTO __plan__
WITH rows AS (
  SELECT user_id, entra_id, username, upn, 'user' AS item, NULL::VARCHAR AS ref, action,
         NULL::VARCHAR AS value, detail
  FROM sim_users
  UNION ALL
  SELECT user_id, entra_id, username, upn, 'phone', 'phone', phone_action, phone_value, phone_detail
  FROM sim_phones WHERE phone_action IS NOT NULL
  UNION ALL
  SELECT user_id, entra_id, username, upn, 'backup_phone', 'backup_phone', backup_action, backup_value,
         backup_detail
  FROM sim_phones WHERE backup_action IS NOT NULL
  UNION ALL
  SELECT user_id, entra_id, username, upn, 'device', ref, action, NULL, detail
  FROM sim_device_rows
  UNION ALL
  SELECT user_id, entra_id, username, upn, 'oath_token', ref, action, NULL, detail
  FROM sim_oath
  UNION ALL
  SELECT user_id, entra_id, username, upn, 'default_method', 'default_method', action, value, detail
  FROM sim_default
)
SELECT
  r.user_id, r.entra_id, r.username, r.upn, r.item, r.ref, r.action, r.value,
  coalesce(a.reason, 'Unexplained action (a bug in the simulator)') || coalesce(': ' || r.detail, ''),
  a.writable
FROM rows r
LEFT JOIN sim_actions a ON a.item = r.item AND a.action = r.action;
