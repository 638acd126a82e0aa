-- Stage 5: phone and backup phone (DESIGN 4.3, 4.4, 4.9), for users being migrated.
-- Numbers come parsed from mfa_phones (valid, e164, graph_number '+cc nsn'); extensions are read from
-- mfa_users as stored (trimmed; absent when blank). Order of decisions per slot:
--   backup only: skip_both_extensions (stored extensions of both slots, whatever is selected or valid)
--   invalid_number (not valid, or no parsed row), invalid_extension (non-digits, even if it would be
--   dropped), backup only: fail_alternate_requires_mobile, then noop (same E.164 number and extension
--   already in the *target* slot), else the write.
-- A present number without an mfa_phones row counts as invalid_number with a reason saying so.
-- Output: sim_phone_rows(user_id, item, action, value, target, detail); target is the Entra slot
-- ('mobile' | 'alternateMobile' | 'office') for writes and noop, else NULL.
CREATE OR REPLACE TEMP TABLE sim_phone_rows AS
WITH base AS (
  SELECT su.user_id, su.entra_id, u.method,
         sim_present(u.phone) AS has_phone, sim_trimmed(u.extension) AS ext,
         sim_present(u.backup_phone) AS has_backup, sim_trimmed(u.backup_extension) AS bext
  FROM sim_users su JOIN mfa_users u ON u.user_id = su.user_id
  WHERE su.action = 'migrate'
),
prim0 AS (
  SELECT b.user_id, b.entra_id, p.e164, p.graph_number, b.ext, b.method,
    CASE
      WHEN p.user_id IS NULL OR NOT p.valid THEN 'invalid_number'
      WHEN b.ext IS NOT NULL AND NOT regexp_full_match(b.ext, '[0-9]+') THEN 'invalid_extension'
      WHEN b.ext IS NULL THEN 'write_mobile'
      WHEN b.method = 'text_message' THEN 'write_mobile_drop_extension'
      ELSE 'write_office'
    END AS act,
    CASE WHEN p.user_id IS NULL THEN 'the number was not parsed at load; reload the workspace'
         ELSE p.error END AS error
  FROM base b
  JOIN sim_settings s ON s.sel_phone
  LEFT JOIN mfa_phones p ON p.user_id = b.user_id AND p.slot = 'phone'
  WHERE b.has_phone
),
prim AS (
  SELECT *,
    CASE act WHEN 'write_mobile' THEN 'mobile' WHEN 'write_mobile_drop_extension' THEN 'mobile'
             WHEN 'write_office' THEN 'office' END AS target,
    CASE act WHEN 'write_office' THEN ext END AS wext
  FROM prim0
),
back0 AS (
  SELECT b.user_id, b.entra_id, p.e164, p.graph_number, b.bext, b.ext AS pext, b.method,
    CASE
      WHEN b.ext IS NOT NULL AND b.bext IS NOT NULL THEN 'skip_both_extensions'
      WHEN p.user_id IS NULL OR NOT p.valid THEN 'invalid_number'
      WHEN b.bext IS NOT NULL AND NOT regexp_full_match(b.bext, '[0-9]+') THEN 'invalid_extension'
      WHEN b.bext IS NOT NULL THEN 'write_office'
      WHEN NOT coalesce(pr.act IN ('write_mobile', 'write_mobile_drop_extension'), false)
           AND NOT en.has_mobile THEN 'fail_alternate_requires_mobile'
      ELSE 'write_alternate'
    END AS act,
    CASE WHEN p.user_id IS NULL THEN 'the number was not parsed at load; reload the workspace'
         ELSE p.error END AS error,
    pr.act AS phone_act
  FROM base b
  JOIN sim_settings s ON s.sel_backup_phone
  JOIN sim_entra en ON en.user_id = b.user_id
  LEFT JOIN mfa_phones p ON p.user_id = b.user_id AND p.slot = 'backup_phone'
  LEFT JOIN prim pr ON pr.user_id = b.user_id
  WHERE b.has_backup
),
back AS (
  SELECT *,
    CASE act WHEN 'write_alternate' THEN 'alternateMobile' WHEN 'write_office' THEN 'office' END AS target,
    CASE act WHEN 'write_office' THEN bext END AS wext
  FROM back0
),
rows AS (
  SELECT user_id, entra_id, 'phone' AS item, act, target, e164, graph_number, wext,
    CASE act
      WHEN 'invalid_number' THEN error
      WHEN 'invalid_extension' THEN 'extension ''' || ext || ''''
      WHEN 'write_mobile_drop_extension' THEN 'extension ' || ext || ' dropped'
    END AS detail
  FROM prim
  UNION ALL
  SELECT user_id, entra_id, 'backup_phone', act, target, e164, graph_number, wext,
    CASE act
      WHEN 'invalid_number' THEN error
      WHEN 'invalid_extension' THEN 'extension ''' || bext || ''''
      WHEN 'skip_both_extensions' THEN
        'phone extension ''' || pext || ''', backup extension ''' || bext || ''''
        || CASE WHEN method = 'text_message'
                THEN ' (decided on the stored extensions, although text message drops the phone''s extension)'
                ELSE '' END
      WHEN 'fail_alternate_requires_mobile' THEN
        CASE WHEN phone_act IS NULL THEN 'the phone is not migrated'
             WHEN phone_act = 'write_office' THEN 'the phone goes to the office slot'
             ELSE 'the phone is not written (' || phone_act || ')' END
        || ' and Entra has no mobile phone'
    END
  FROM back
),
checked AS (
  SELECT r.*, (r.target IS NOT NULL AND EXISTS (
    SELECT 1 FROM sim_entra_phones ep
    WHERE ep.entra_id = r.entra_id AND ep.phone_type = r.target
      AND ep.e164 = r.e164 AND ep.ext IS NOT DISTINCT FROM r.wext)) AS is_noop
  FROM rows r
)
SELECT
  user_id,
  item,
  CASE WHEN is_noop THEN 'noop' ELSE act END AS action,
  CASE WHEN target IS NOT NULL THEN graph_number || coalesce('x' || wext, '') END AS value,
  target,
  CASE WHEN is_noop THEN 'Entra''s ' || target || ' phone is already ' || graph_number || coalesce('x' || wext, '')
       ELSE detail END AS detail
FROM checked;
