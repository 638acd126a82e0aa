-- Stage 9: assemble the plan (DESIGN 4.8). One `user` row per MFA Server user in this run; the item
-- rows only for users being migrated. writable and the base reason come from sim_actions (actions.sql);
-- the stage's user-specific detail follows after ": ". Rows are stored in plan order: by user_id, then
-- user, phone, backup_phone, devices newest first, oath_token, default_method.
-- __plan__ is replaced by analysis/simulate.py with a table name from its fixed allowed list.
CREATE OR REPLACE TABLE __plan__ AS
WITH rows AS (
  SELECT user_id, 0 AS item_order, 0 AS seq, 'user' AS item, NULL::VARCHAR AS ref, action,
         NULL::VARCHAR AS value, detail
  FROM sim_users
  UNION ALL
  SELECT user_id, CASE item WHEN 'phone' THEN 1 ELSE 2 END, 0, item, item, action, value, detail
  FROM sim_phone_rows
  UNION ALL
  SELECT user_id, 3, seq, 'device', ref, action, NULL, detail
  FROM sim_device_rows
  UNION ALL
  SELECT user_id, 4, 0, 'oath_token', ref, action, NULL, detail
  FROM sim_oath_rows
  UNION ALL
  SELECT user_id, 5, 0, 'default_method', 'default_method', action, value, detail
  FROM sim_default_rows
)
SELECT
  r.user_id::BIGINT AS user_id,
  su.entra_id::VARCHAR AS entra_id,
  su.username::VARCHAR AS username,
  su.upn::VARCHAR AS upn,
  r.item::VARCHAR AS item,
  r.ref::VARCHAR AS ref,
  r.action::VARCHAR AS action,
  r.value::VARCHAR AS value,
  (coalesce(a.reason, 'Unexplained action (a bug in the simulator)') || coalesce(': ' || r.detail, ''))::VARCHAR AS reason,
  a.writable::VARCHAR AS writable
FROM rows r
JOIN sim_users su ON su.user_id = r.user_id
LEFT JOIN sim_actions a ON a.item = r.item AND a.action = r.action
ORDER BY r.user_id, r.item_order, r.seq;
