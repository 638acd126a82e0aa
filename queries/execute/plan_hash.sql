-- SHA-256 over the settings fingerprint and the rows of exec_hash_rows in canonical form: each row
-- is a JSON array of its columns (NULL stays null, distinct from ''), rows sorted, joined by newlines.
SELECT sha256('mfa-migrate plan v1' || chr(10) || ? || chr(10) ||
              coalesce(string_agg(j, chr(10) ORDER BY j), ''))
FROM (
  SELECT to_json([username, upn, entra_id, item, ref, action, value, reason, writable])::VARCHAR AS j
  FROM exec_hash_rows
)
