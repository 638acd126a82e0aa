-- Stage 6: mobile-app devices (DESIGN 4.5, 4.9), for users being migrated with "mobile_app" selected.
-- "Newest" = latest activated_at (ISO strings compared as strings), a missing time counting as oldest,
-- ties to the larger device_id.
--   1. Same name (trimmed, case-insensitive; no name is never a duplicate): all but the newest ->
--      skip_duplicate_name.
--   2. The rest, newest first: past the cap (4 if the user has an OATH token - oath_serial present -
--      and "oath_token" is selected, else 5; fixed) -> skip_over_max.
--   3. In that order: ledger secret match -> update_device (no slot); else ledger device-token match
--      -> create_software_oath; else create_device. A create needs slots_used + 1 <= device_limit and
--      uses a slot, so the first (device_limit - slots_used) creates fit and the rest are
--      skip_device_limit.
-- Users loaded from the Export Users CSV (details_known = false) have unknown devices: one row with
-- no ref and action 'unknown', never a guess.
-- Output: sim_device_rows(user_id, ref, action, seq, detail); seq orders a user's rows newest first.
CREATE OR REPLACE TEMP TABLE sim_device_rows AS
WITH subjects AS (
  SELECT su.user_id, su.entra_id, u.details_known, en.slots_used,
         CASE WHEN sim_present(u.oath_serial) AND s.sel_oath_token THEN 4 ELSE 5 END AS cap,
         s.device_limit
  FROM sim_users su
  JOIN mfa_users u ON u.user_id = su.user_id
  JOIN sim_entra en ON en.user_id = su.user_id
  JOIN sim_settings s ON s.sel_mobile_app
  WHERE su.action = 'migrate'
),
dev AS (
  SELECT d.device_id, d.user_id, j.entra_id, j.cap, j.device_limit, j.slots_used,
         lower(sim_trimmed(d.device_name)) AS name_key,
         sim_clean(d.activated_at) AS act,
         lower(sim_clean(d.oath_secret_sha256)) AS secret,
         lower(sim_clean(d.device_token_sha256)) AS token
  FROM mfa_devices d JOIN subjects j ON j.user_id = d.user_id AND j.details_known
),
named AS (
  SELECT *,
    row_number() OVER (PARTITION BY user_id ORDER BY act DESC NULLS LAST, device_id DESC) AS seq,
    CASE WHEN name_key IS NULL THEN 1
         ELSE row_number() OVER (PARTITION BY user_id, name_key ORDER BY act DESC NULLS LAST, device_id DESC)
    END AS name_rank,
    first_value(device_id) OVER (PARTITION BY user_id, name_key ORDER BY act DESC NULLS LAST, device_id DESC)
      AS kept_id
  FROM dev
),
kept AS (
  SELECT *, row_number() OVER (PARTITION BY user_id ORDER BY act DESC NULLS LAST, device_id DESC) AS pos
  FROM named WHERE name_rank = 1
),
matched AS (
  SELECT k.*,
    CASE
      WHEN k.pos > k.cap THEN 'skip_over_max'
      WHEN EXISTS (SELECT 1 FROM sim_ledger l WHERE l.entra_id = k.entra_id AND l.secret = k.secret)
        THEN 'update_device'
      WHEN EXISTS (SELECT 1 FROM sim_ledger l WHERE l.entra_id = k.entra_id AND l.token = k.token)
        THEN 'create_software_oath'
      ELSE 'create_device'
    END AS want
  FROM kept k
),
slotted AS (
  SELECT *,
    CASE WHEN want IN ('create_device', 'create_software_oath')
         THEN row_number() OVER (PARTITION BY user_id, want IN ('create_device', 'create_software_oath')
                                 ORDER BY pos) END AS create_rank
  FROM matched
)
SELECT user_id, CAST(device_id AS VARCHAR) AS ref,
  CASE WHEN create_rank IS NOT NULL AND slots_used + create_rank > device_limit THEN 'skip_device_limit'
       ELSE want END AS action,
  seq,
  CASE
    WHEN want = 'skip_over_max' THEN 'number ' || pos || ' newest of the kept devices; the maximum is ' || cap
    WHEN create_rank IS NOT NULL AND slots_used + create_rank > device_limit THEN
      'would need slot ' || (slots_used + create_rank) || ' of ' || device_limit || ' ('
      || slots_used || ' used in Entra)'
  END AS detail
FROM slotted
UNION ALL
SELECT n.user_id, CAST(n.device_id AS VARCHAR), 'skip_duplicate_name', n.seq,
       'device ' || n.kept_id || ' has the same name and is newer'
FROM named n WHERE n.name_rank > 1
UNION ALL
SELECT j.user_id, NULL, 'unknown', 0, NULL
FROM subjects j WHERE NOT j.details_known;
