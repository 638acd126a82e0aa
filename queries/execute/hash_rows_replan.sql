-- The rows a plan hash covers: a fresh plan (view exec_plan_source), restricted to a batch's users.
CREATE OR REPLACE TEMP TABLE exec_hash_rows AS
SELECT p.username, p.upn, p.entra_id, p.item, p.ref, p.action, p.value, p.reason, p.writable
FROM exec_plan_source p
WHERE p.user_id IN (SELECT user_id FROM batch_users WHERE batch_id = ?)
