-- Stage 9: assemble the plan (DESIGN 4.8). One `user` row per MFA Server user in this run; the item
-- rows only for users being migrated (every stage carries username, upn and entra_id along, so no
-- join is needed here). writable and the base reason come from sim_actions (actions.sql); the stage's
-- user-specific detail follows after ": ". The table is a set: readers order it
-- (analysis.simulate.export writes it by user, then user, phone, backup_phone, device, oath_token,
-- default_method); sorting millions of rows here would cost every reader, not only the exporter.
-- __plan__ is replaced by analysis/simulate.py with a table name from its fixed allowed list.
CREATE OR REPLACE TABLE __plan__ AS
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
  r.user_id::BIGINT AS user_id,
  r.entra_id::VARCHAR AS entra_id,
  r.username::VARCHAR AS username,
  r.upn::VARCHAR AS upn,
  r.item::VARCHAR AS item,
  r.ref::VARCHAR AS ref,
  r.action::VARCHAR AS action,
  r.value::VARCHAR AS value,
  (coalesce(a.reason, 'Unexplained action (a bug in the simulator)') || coalesce(': ' || r.detail, ''))::VARCHAR
    AS reason,
  a.writable::VARCHAR AS writable
FROM rows r
LEFT JOIN sim_actions a ON a.item = r.item AND a.action = r.action;
