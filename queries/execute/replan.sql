-- Re-planning (analysis/execute/replan.py): the plan a batch's users get now, and drifted users planned
-- against the state just read (inside a transaction that is rolled back).

-- name: drop_plan_batch
DROP TABLE IF EXISTS plan_batch

-- name: clear_methods
-- Forget the snapshot's plan-relevant methods of a user.
DELETE FROM entra_methods
WHERE user_id = $entra_id AND kind IN ('phone', 'authenticator', 'software_oath', 'hardware_oath')

-- name: insert_method
INSERT INTO entra_methods (user_id, method_id, odata_type, kind, phone_type, phone_number, phone_e164,
                           phone_extension)
VALUES ($entra_id, $method_id, $odata_type, $kind, $phone_type, $phone_number, $phone_e164, $phone_extension)

-- name: set_preferred
UPDATE entra_users SET preferred_method = $preferred WHERE id = $entra_id

-- name: rows
-- The re-planned rows per user, as a JSON array (stored in batch_users.replan).
SELECT user_id,
       to_json(list({'item': item, 'ref': ref, 'action': action, 'value': value, 'reason': reason}
                    ORDER BY item, ref))::VARCHAR
FROM plan_replan GROUP BY user_id
