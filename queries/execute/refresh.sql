-- Refreshing users' latest state (analysis/execute/refresh.py): whom to read, and who could not be read.

-- name: wanted
-- The lines of a users file: one UPN or Entra object id each.
CREATE OR REPLACE TEMP TABLE refresh_wanted AS
SELECT unnest($lines::BIGINT[]) AS line, unnest($names::VARCHAR[]) AS name

-- name: wanted_matches
-- Each line's Entra user in the snapshot, by UPN or object id (any case).
CREATE OR REPLACE TEMP TABLE refresh_wanted_users AS
SELECT DISTINCT w.line, w.name, u.id AS entra_id, u.user_principal_name AS upn
FROM refresh_wanted w
JOIN entra_users u ON lower(w.name) IN (lower(u.user_principal_name), lower(u.id))

-- name: wanted_missing
SELECT line, name FROM refresh_wanted w
WHERE NOT EXISTS (SELECT 1 FROM refresh_wanted_users m WHERE m.line = w.line)
ORDER BY line

-- name: wanted_users
SELECT DISTINCT entra_id, upn FROM refresh_wanted_users ORDER BY upn, entra_id

-- name: group_users
-- The Entra users who are transitive members of the group (by id or display name) in the snapshot.
SELECT DISTINCT u.id, u.user_principal_name
FROM entra_group_transitive_users t
JOIN entra_groups g ON g.id = t.group_id
JOIN entra_users u ON u.id = t.user_id
WHERE $group IN (g.id, g.display_name)
ORDER BY u.user_principal_name, u.id

-- name: batch_users
SELECT DISTINCT entra_id, upn FROM batch_users WHERE batch_id = $batch_id AND entra_id IS NOT NULL
ORDER BY upn, entra_id

-- name: all_users
SELECT id, user_principal_name FROM entra_users ORDER BY user_principal_name, id

-- name: tenant_users
SELECT count(*) FROM entra_users

-- name: not_read
-- The chosen users the refresh could not read, with why.
SELECT entra_id, reason FROM entra_latest_not_read WHERE entra_id IN (SELECT unnest($entra_id::VARCHAR[]))
