-- Stage 6: mobile-app devices (docs/simulate.md), for users being migrated with "mobile_app" selected.
-- "Newest" = latest activated_at (ISO strings compared as strings), a missing time counting as oldest,
-- ties to the larger device_id.
--   1. Same name (trimmed, case-insensitive; no name is never a duplicate): all but the newest ->
--      skip_duplicate_name.
--   2. The rest, newest first: past the cap (4 if the user has an OATH token - oath_serial present -
--      and "oath_token" is selected, else 5; fixed) -> skip_over_max.
--   3. In that order: ledger secret match -> update_device (no slot); else a create (ledger
--      device-token match -> create_software_oath, else create_device), which needs
--      slots_used + 1 <= device_limit and uses a slot. Only updates skip the slot count, so the n-th
--      kept device is the k-th create where k = kept devices so far without a secret match.
-- Users loaded from the Export Users CSV (details_known = false) have unknown devices: one row with
-- no ref and action 'unknown', never a guess.
-- Output: sim_device_rows(user_id, username, upn, entra_id, ref, action, detail).
CREATE OR REPLACE TEMP TABLE sim_device_rows AS
WITH subjects AS (
  SELECT su.user_id, su.username, su.upn, su.entra_id, su.details_known, en.slots_used, en.secrets, en.tokens, s.device_limit,
         CASE WHEN su.oath_serial IS NOT NULL AND s.sel_oath_token THEN 4 ELSE 5 END AS cap
  FROM sim_users su
  JOIN sim_settings s ON s.sel_mobile_app
  JOIN sim_entra en ON en.user_id = su.user_id
  WHERE su.action = 'migrate'
),
dev AS (
  SELECT d.device_id, d.user_id, j.username, j.upn, j.entra_id, j.cap, j.device_limit, j.slots_used,
         lower(sim_trimmed(d.device_name)) AS name_key,
         CASE WHEN sim_present(d.activated_at) THEN d.activated_at END AS act,
         coalesce(list_contains(j.secrets, lower(sim_clean(d.oath_secret_sha256))), false) AS secret_hit,
         coalesce(list_contains(j.tokens, lower(sim_clean(d.device_token_sha256))), false) AS token_hit
  FROM mfa_devices d
  JOIN subjects j ON j.user_id = d.user_id AND j.details_known
),
named AS (
  SELECT *,
    CASE WHEN name_key IS NULL THEN 1 ELSE row_number() OVER by_name END AS name_rank,
    first_value(device_id) OVER by_name AS kept_id
  FROM dev
  WINDOW by_name AS (PARTITION BY user_id, name_key ORDER BY act DESC NULLS LAST, device_id DESC)
),
kept AS (
  SELECT *,
    row_number() OVER newest AS pos,
    sum(CASE WHEN secret_hit THEN 0 ELSE 1 END) OVER newest AS creates
  FROM named
  WHERE name_rank = 1
  WINDOW newest AS (PARTITION BY user_id ORDER BY act DESC NULLS LAST, device_id DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT user_id, username, upn, entra_id, CAST(device_id AS VARCHAR) AS ref,
  CASE
    WHEN pos > cap THEN 'skip_over_max'
    WHEN secret_hit THEN 'update_device'
    WHEN slots_used + creates > device_limit THEN 'skip_device_limit'
    WHEN token_hit THEN 'create_software_oath'
    ELSE 'create_device'
  END AS action,
  CASE
    WHEN pos > cap THEN 'number ' || pos || ' newest of the kept devices; the maximum is ' || cap
    WHEN secret_hit THEN NULL
    WHEN slots_used + creates > device_limit THEN
      'would need slot ' || (slots_used + creates) || ' of ' || device_limit || ' (' || slots_used
      || ' used in Entra)'
  END AS detail
FROM kept
UNION ALL
SELECT user_id, username, upn, entra_id, CAST(device_id AS VARCHAR), 'skip_duplicate_name',
       'device ' || kept_id || ' has the same name and is newer'
FROM named
WHERE name_rank > 1
UNION ALL
SELECT user_id, username, upn, entra_id, NULL, 'unknown', NULL
FROM subjects
WHERE NOT details_known;
