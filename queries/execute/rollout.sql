-- Staged Rollout (analysis/execute/rollout.py): who is migrated, and which groups are migration groups.

-- name: migrated_entra_ids
-- Entra ids of users a verified batch migrated (and not since rolled back).
SELECT DISTINCT u.entra_id
FROM migration_marks m
JOIN batches b ON b.name = m.batch_name
JOIN batch_users u ON u.batch_id = b.batch_id AND u.username = m.username

-- name: migration_groups
-- Migration groups named in the batches' execution options.
SELECT DISTINCT json_extract_string(options_json, '$.migration_group') FROM batches
