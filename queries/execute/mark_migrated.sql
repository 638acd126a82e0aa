-- docs/executing.md: remember the migration so the simulator reports the user 'unchanged' next time.
INSERT OR REPLACE INTO migration_marks (username, last_migrated_at, migrated_selection, batch_name)
VALUES (?, ?, ?, ?)
