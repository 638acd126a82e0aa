-- The batch's users with the Entra state the plan was computed on (from the tenant snapshot), in the
-- same canonical shape the executor builds from a live read (analysis/livestate.py): phone numbers
-- by type, the preferred method, and the MFA methods that use one of the five device slots.
INSERT INTO batch_users (batch_id, user_id, username, entra_id, upn, assumed, status, updated_at)
WITH m AS (
  SELECT user_id AS entra_id,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'mobile') AS mobile,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'alternateMobile') AS alternate,
         max(phone_number) FILTER (WHERE kind = 'phone' AND phone_type = 'office') AS office,
         list({'kind': kind, 'id': method_id} ORDER BY kind, method_id)
           FILTER (WHERE kind IN ('authenticator', 'software_oath', 'hardware_oath')) AS methods
  FROM entra_methods GROUP BY user_id
)
SELECT $1, p.user_id, p.username, p.entra_id, p.upn,
       to_json({'mobile': m.mobile, 'alternateMobile': m.alternate, 'office': m.office,
                'preferred': e.preferred_method,
                'methods': coalesce(m.methods, [])})::VARCHAR,
       'pending', now()
FROM exec_plan_source p
JOIN exec_selected_ids s USING (user_id)
LEFT JOIN entra_users e ON e.id = p.entra_id
LEFT JOIN m ON m.entra_id = p.entra_id
WHERE p.item = 'user' AND p.action = 'migrate' AND p.entra_id IS NOT NULL
