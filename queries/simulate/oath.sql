-- Stage 7: the user's hardware OATH token (DESIGN 4.6, 4.9), for users being migrated with
-- "oath_token" selected who have one (oath_serial present, even HOTP or without a secret).
-- unsupported_hotp first, then missing_secret, then a ledger secret match -> update_oath, else a free
-- slot after the devices (slots_used + creates by devices + 1 <= device_limit) -> create_hardware_oath,
-- else skip_device_limit. Export Users CSV users (details_known = false): the secret is unknown, so
-- everything after unsupported_hotp is 'unknown', never guessed as missing_secret.
-- Output: sim_oath_rows(user_id, ref, action, detail); ref is the serial as stored.
CREATE OR REPLACE TEMP TABLE sim_oath_rows AS
WITH creates AS (
  SELECT user_id, count(*) AS n
  FROM sim_device_rows
  WHERE action IN ('create_device', 'create_software_oath')
  GROUP BY user_id
),
tok AS (
  SELECT su.user_id, su.entra_id, u.oath_serial, u.details_known, en.slots_used, s.device_limit,
         lower(sim_trimmed(u.oath_kind)) AS kind,
         lower(sim_clean(u.oath_secret_sha256)) AS secret,
         coalesce(c.n, 0) AS device_creates
  FROM sim_users su
  JOIN mfa_users u ON u.user_id = su.user_id
  JOIN sim_entra en ON en.user_id = su.user_id
  JOIN sim_settings s ON s.sel_oath_token
  LEFT JOIN creates c ON c.user_id = su.user_id
  WHERE su.action = 'migrate' AND sim_present(u.oath_serial)
),
judged AS (
  SELECT tok.*,
    EXISTS (SELECT 1 FROM sim_ledger l WHERE l.entra_id = tok.entra_id AND l.secret = tok.secret) AS in_ledger,
    slots_used + device_creates + 1 <= device_limit AS fits
  FROM tok
)
SELECT user_id, oath_serial AS ref,
  CASE
    WHEN kind = 'hotp' THEN 'unsupported_hotp'
    WHEN NOT details_known THEN 'unknown'
    WHEN secret IS NULL THEN 'missing_secret'
    WHEN in_ledger THEN 'update_oath'
    WHEN fits THEN 'create_hardware_oath'
    ELSE 'skip_device_limit'
  END AS action,
  CASE
    WHEN kind = 'hotp' OR NOT details_known OR secret IS NULL OR in_ledger OR fits THEN NULL
    ELSE 'would need slot ' || (slots_used + device_creates + 1) || ' of ' || device_limit || ' ('
         || slots_used || ' used in Entra, ' || device_creates || ' by devices in this plan)'
  END AS detail
FROM judged;
