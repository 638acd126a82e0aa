-- A rolled-back user is no longer migrated by this batch.
DELETE FROM migration_marks
WHERE batch_name = ? AND username = (SELECT username FROM batch_users WHERE batch_id = ? AND user_id = ?)
