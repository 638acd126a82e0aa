-- Stage 4: the Entra state the method rules read, one row per user being migrated (docs/simulate.md),
-- keyed by the MFA user_id (an integer join for the later stages) with the Entra id alongside.
--   slots_used: Authenticator + software OATH + hardware OATH methods (the device limit's count)
--   has_*: which method kinds and phone slots Entra already holds
--   *_keys: Entra's phones per slot as 'E.164|extension' (split at 'x' by the loader), for noop
--   secrets / tokens: fingerprints of the ledger lines that still count: the line's userId is the
--     user's Entra id (whatever its kind) and its entraMethodId is still among that user's methods.
--     Hex compares lower-cased.
CREATE OR REPLACE TEMP TABLE sim_entra AS
WITH mine AS (
  SELECT user_id, entra_id FROM sim_users WHERE action = 'migrate'
),
agg AS (
  SELECT
    m.user_id,
    count(*) FILTER (WHERE m.kind IN ('authenticator', 'software_oath', 'hardware_oath')) AS slots_used,
    bool_or(m.kind = 'authenticator') AS has_authenticator,
    bool_or(m.kind IN ('software_oath', 'hardware_oath')) AS has_oath,
    list(m.phone_e164 || '|' || coalesce(sim_trimmed(m.phone_extension), ''))
      FILTER (WHERE m.kind = 'phone' AND m.phone_type = 'mobile') AS mobile_keys,
    list(m.phone_e164 || '|' || coalesce(sim_trimmed(m.phone_extension), ''))
      FILTER (WHERE m.kind = 'phone' AND m.phone_type = 'alternateMobile') AS alternate_keys,
    list(m.phone_e164 || '|' || coalesce(sim_trimmed(m.phone_extension), ''))
      FILTER (WHERE m.kind = 'phone' AND m.phone_type = 'office') AS office_keys
  FROM entra_methods m
  WHERE m.user_id IN (SELECT entra_id FROM mine)
  GROUP BY m.user_id
),
led AS (
  SELECT
    l.user_id,
    list(DISTINCT lower(sim_clean(l.secret_sha256))) FILTER (WHERE sim_present(l.secret_sha256)) AS secrets,
    list(DISTINCT lower(sim_clean(l.device_token_sha256))) FILTER (WHERE sim_present(l.device_token_sha256))
      AS tokens
  FROM entra_ledger l
  WHERE l.user_id IN (SELECT entra_id FROM mine)
    AND EXISTS (SELECT 1 FROM entra_methods m WHERE m.user_id = l.user_id AND m.method_id = l.entra_method_id)
  GROUP BY l.user_id
)
SELECT
  mine.user_id,
  mine.entra_id,
  coalesce(agg.slots_used, 0) AS slots_used,
  coalesce(agg.has_authenticator, false) AS has_authenticator,
  coalesce(agg.has_oath, false) AS has_oath,
  coalesce(len(agg.mobile_keys) > 0, false) AS has_mobile,
  coalesce(len(agg.alternate_keys) > 0, false) AS has_alternate,
  coalesce(len(agg.office_keys) > 0, false) AS has_office,
  agg.mobile_keys, agg.alternate_keys, agg.office_keys,
  led.secrets, led.tokens
FROM mine
LEFT JOIN agg ON agg.user_id = mine.entra_id
LEFT JOIN led ON led.user_id = mine.entra_id;
