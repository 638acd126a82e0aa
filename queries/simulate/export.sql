-- A plan (or plan_diff) in plan order: by user, then user, phone, backup_phone, device (by device id),
-- oath_token, default_method. analysis/simulate/runner.py substitutes __columns__ and __table__ from its
-- fixed lists; analysis/output/tables.py writes the rows (CSV, Parquet or JSON).
SELECT __columns__ FROM __table__
ORDER BY user_id,
  CASE item WHEN 'user' THEN 0 WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3
            WHEN 'oath_token' THEN 4 ELSE 5 END,
  try_cast(ref AS BIGINT) NULLS FIRST, ref
