-- Stage 4: the Entra state the method rules read, for the users being migrated (DESIGN 4.3-4.7).
-- sim_entra: per user, the device slots already used (Authenticator + software OATH + hardware OATH
--   methods) and which method kinds / phone slots Entra already holds.
-- sim_entra_phones: Entra's phones per slot, number as E.164 and extension (split at 'x' by the loader).
-- sim_ledger: ledger lines that still count: the line's userId is the user's Entra id (whatever its
--   kind) and its entraMethodId is still among that user's Entra methods. Hex compares lower-cased.
CREATE OR REPLACE TEMP TABLE sim_entra AS
SELECT
  su.user_id,
  su.entra_id,
  count(m.method_id) FILTER (WHERE m.kind IN ('authenticator', 'software_oath', 'hardware_oath')) AS slots_used,
  coalesce(bool_or(m.kind = 'authenticator'), false) AS has_authenticator,
  coalesce(bool_or(m.kind IN ('software_oath', 'hardware_oath')), false) AS has_oath,
  coalesce(bool_or(m.kind = 'phone' AND m.phone_type = 'mobile'), false) AS has_mobile,
  coalesce(bool_or(m.kind = 'phone' AND m.phone_type = 'alternateMobile'), false) AS has_alternate,
  coalesce(bool_or(m.kind = 'phone' AND m.phone_type = 'office'), false) AS has_office
FROM sim_users su
LEFT JOIN entra_methods m ON m.user_id = su.entra_id
WHERE su.action = 'migrate'
GROUP BY su.user_id, su.entra_id;

CREATE OR REPLACE TEMP TABLE sim_entra_phones AS
SELECT m.user_id AS entra_id, m.phone_type, m.phone_e164 AS e164, sim_trimmed(m.phone_extension) AS ext
FROM entra_methods m
WHERE m.kind = 'phone' AND m.user_id IN (SELECT entra_id FROM sim_entra);

CREATE OR REPLACE TEMP TABLE sim_ledger AS
SELECT DISTINCT
  l.user_id AS entra_id,
  lower(sim_clean(l.secret_sha256)) AS secret,
  lower(sim_clean(l.device_token_sha256)) AS token
FROM entra_ledger l
WHERE l.user_id IN (SELECT entra_id FROM sim_entra)
  AND EXISTS (SELECT 1 FROM entra_methods m WHERE m.user_id = l.user_id AND m.method_id = l.entra_method_id);
