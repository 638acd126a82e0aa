-- What-if: every outcome (user, item, ref) whose action or value differs between plan A (before) and
-- plan B (after); a side without that outcome (e.g. the user is not migrated there) is NULL.
-- __plan_a__ / __plan_b__ are replaced by analysis/simulate.py with names from its fixed allowed list.
CREATE OR REPLACE TABLE plan_diff AS
SELECT
  coalesce(a.user_id, b.user_id) AS user_id,
  coalesce(a.username, b.username) AS username,
  coalesce(b.upn, a.upn) AS upn,
  coalesce(a.item, b.item) AS item,
  coalesce(a.ref, b.ref) AS ref,
  a.action AS before_action,
  a.value AS before_value,
  b.action AS after_action,
  b.value AS after_value,
  a.reason AS before_reason,
  b.reason AS after_reason
FROM __plan_a__ a
FULL OUTER JOIN __plan_b__ b
  ON a.user_id = b.user_id AND a.item = b.item AND coalesce(a.ref, '') = coalesce(b.ref, '')
WHERE a.action IS DISTINCT FROM b.action OR a.value IS DISTINCT FROM b.value
ORDER BY coalesce(a.user_id, b.user_id),
  CASE coalesce(a.item, b.item) WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2
    WHEN 'device' THEN 3 WHEN 'oath_token' THEN 4 ELSE 5 END,
  coalesce(a.ref, b.ref);
