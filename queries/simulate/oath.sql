-- Stage 7: the user's hardware OATH token (docs/simulate.md), for users being migrated with
-- "oath_token" selected who have one (oath_serial present, even HOTP or without a secret).
-- unsupported_hotp first, then missing_secret, then a ledger secret match -> update_oath, else a free
-- slot after the devices (slots_used + creates by devices + 1 <= device_limit) -> create_hardware_oath,
-- else skip_device_limit. Export Users CSV users (details_known = false): the secret is unknown, so
-- everything after unsupported_hotp is 'unknown', never guessed as missing_secret.
-- Output: sim_oath(user_id, username, upn, entra_id, ref, action, detail); ref is the serial as stored.
CREATE OR REPLACE TEMP TABLE sim_oath AS
WITH creates AS (
  SELECT user_id, count(*) AS n
  FROM sim_device_rows
  WHERE action IN ('create_device', 'create_software_oath')
  GROUP BY user_id
),
tok AS (
  SELECT su.user_id, su.username, su.upn, su.entra_id, su.oath_serial, su.details_known, su.oath_kind, su.oath_secret,
         en.slots_used, s.device_limit, coalesce(c.n, 0) AS device_creates,
         coalesce(list_contains(en.secrets, su.oath_secret), false) AS in_ledger
  FROM sim_users su
  JOIN sim_settings s ON s.sel_oath_token
  JOIN sim_entra en ON en.user_id = su.user_id
  LEFT JOIN creates c ON c.user_id = su.user_id
  WHERE su.action = 'migrate' AND su.oath_serial IS NOT NULL
),
judged AS (
  SELECT *, slots_used + device_creates + 1 <= device_limit AS fits FROM tok
)
SELECT user_id, username, upn, entra_id, oath_serial AS ref,
  CASE
    WHEN oath_kind = 'hotp' THEN 'unsupported_hotp'
    WHEN NOT details_known THEN 'unknown'
    WHEN oath_secret IS NULL THEN 'missing_secret'
    WHEN in_ledger THEN 'update_oath'
    WHEN fits THEN 'create_hardware_oath'
    ELSE 'skip_device_limit'
  END AS action,
  CASE
    WHEN oath_kind = 'hotp' OR NOT details_known OR oath_secret IS NULL OR in_ledger OR fits THEN NULL
    ELSE 'would need slot ' || (slots_used + device_creates + 1) || ' of ' || device_limit || ' ('
         || slots_used || ' used in Entra, ' || device_creates || ' by devices in this plan)'
  END AS detail
FROM judged;
