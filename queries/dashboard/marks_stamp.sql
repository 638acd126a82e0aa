-- A fingerprint of the migration marks: a verified batch changes it, and with it which users are
-- 'unchanged', so cached plans keyed on it are recomputed.
SELECT count(*), max(last_migrated_at), max(batch_name) FROM migration_marks
