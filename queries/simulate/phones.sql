-- Stage 5: phone and backup phone (docs/simulate.md), one row per user being migrated who has a
-- selected phone or backup phone. Numbers come parsed from mfa_phones (valid, e164, graph_number
-- '+cc nsn'); extensions are mfa_users' as stored (trimmed; absent when blank). Order per slot:
--   backup only: skip_both_extensions (stored extensions of both slots, whatever is selected or valid)
--   invalid_number (not valid, or no parsed row), invalid_extension (non-digits, even if it would be
--   dropped), backup only: fail_alternate_requires_mobile, then noop (same E.164 number and extension
--   already in the *target* slot), else the write.
-- A present number without an mfa_phones row counts as invalid_number with a reason saying so.
-- Output: sim_phones(user_id, username, upn, entra_id, phone_action, phone_value, phone_target, phone_detail, backup_action,
-- backup_value, backup_target, backup_detail); *_action is NULL when the item has no row; *_target
-- is the Entra slot ('mobile' | 'alternateMobile' | 'office') for writes and noop, else NULL.
CREATE OR REPLACE TEMP TABLE sim_phones AS
WITH base AS (
  SELECT
    su.user_id, su.username, su.upn, su.entra_id, su.method, su.ext, su.bext,
    s.sel_phone AND su.has_phone AS do_phone,
    s.sel_backup_phone AND su.has_backup AS do_backup,
    en.has_mobile, en.mobile_keys, en.alternate_keys, en.office_keys,
    p.user_id IS NOT NULL AS p_parsed, coalesce(p.valid, false) AS p_valid, p.e164 AS p_e164,
    p.graph_number AS p_graph, p.error AS p_error,
    b.user_id IS NOT NULL AS b_parsed, coalesce(b.valid, false) AS b_valid, b.e164 AS b_e164,
    b.graph_number AS b_graph, b.error AS b_error
  FROM sim_users su
  JOIN sim_settings s ON true
  JOIN sim_entra en ON en.user_id = su.user_id
  LEFT JOIN mfa_phones p ON p.user_id = su.user_id AND p.slot = 'phone'
  LEFT JOIN mfa_phones b ON b.user_id = su.user_id AND b.slot = 'backup_phone'
  WHERE su.action = 'migrate'
    AND ((s.sel_phone AND su.has_phone) OR (s.sel_backup_phone AND su.has_backup))
),
prim AS (
  SELECT *,
    CASE
      WHEN NOT do_phone THEN NULL
      WHEN NOT p_valid THEN 'invalid_number'
      WHEN ext IS NOT NULL AND NOT regexp_full_match(ext, '[0-9]+') THEN 'invalid_extension'
      WHEN ext IS NULL THEN 'write_mobile'
      WHEN method = 'text_message' THEN 'write_mobile_drop_extension'
      ELSE 'write_office'
    END AS p_act
  FROM base
),
back AS (
  SELECT *,
    CASE
      WHEN NOT do_backup THEN NULL
      WHEN ext IS NOT NULL AND bext IS NOT NULL THEN 'skip_both_extensions'
      WHEN NOT b_valid THEN 'invalid_number'
      WHEN bext IS NOT NULL AND NOT regexp_full_match(bext, '[0-9]+') THEN 'invalid_extension'
      WHEN bext IS NOT NULL THEN 'write_office'
      WHEN NOT coalesce(p_act IN ('write_mobile', 'write_mobile_drop_extension'), false) AND NOT has_mobile
        THEN 'fail_alternate_requires_mobile'
      ELSE 'write_alternate'
    END AS b_act
  FROM prim
),
targeted AS (
  SELECT *,
    CASE p_act WHEN 'write_mobile' THEN 'mobile' WHEN 'write_mobile_drop_extension' THEN 'mobile'
               WHEN 'write_office' THEN 'office' END AS p_target,
    CASE p_act WHEN 'write_office' THEN ext END AS p_wext,
    CASE b_act WHEN 'write_alternate' THEN 'alternateMobile' WHEN 'write_office' THEN 'office' END AS b_target,
    CASE b_act WHEN 'write_office' THEN bext END AS b_wext
  FROM back
),
checked AS (
  SELECT *,
    p_graph || coalesce('x' || p_wext, '') AS p_value,
    b_graph || coalesce('x' || b_wext, '') AS b_value,
    coalesce(list_contains(CASE p_target WHEN 'mobile' THEN mobile_keys WHEN 'office' THEN office_keys END,
                           p_e164 || '|' || coalesce(p_wext, '')), false) AS p_noop,
    coalesce(list_contains(CASE b_target WHEN 'alternateMobile' THEN alternate_keys WHEN 'office' THEN office_keys END,
                           b_e164 || '|' || coalesce(b_wext, '')), false) AS b_noop
  FROM targeted
)
SELECT
  user_id, username, upn, entra_id,
  CASE WHEN p_noop THEN 'noop' ELSE p_act END AS phone_action,
  CASE WHEN p_target IS NOT NULL THEN p_value END AS phone_value,
  p_target AS phone_target,
  CASE
    WHEN p_noop THEN 'Entra''s ' || p_target || ' phone is already ' || p_value
    WHEN p_act = 'invalid_number' THEN
      CASE WHEN p_parsed THEN p_error ELSE 'the number was not parsed at load; reload the workspace' END
    WHEN p_act = 'invalid_extension' THEN 'extension ''' || ext || ''''
    WHEN p_act = 'write_mobile_drop_extension' THEN 'extension ' || ext || ' dropped'
  END AS phone_detail,
  CASE WHEN b_noop THEN 'noop' ELSE b_act END AS backup_action,
  CASE WHEN b_target IS NOT NULL THEN b_value END AS backup_value,
  b_target AS backup_target,
  CASE
    WHEN b_noop THEN 'Entra''s ' || b_target || ' phone is already ' || b_value
    WHEN b_act = 'invalid_number' THEN
      CASE WHEN b_parsed THEN b_error ELSE 'the number was not parsed at load; reload the workspace' END
    WHEN b_act = 'invalid_extension' THEN 'extension ''' || bext || ''''
    WHEN b_act = 'skip_both_extensions' THEN
      'phone extension ''' || ext || ''', backup extension ''' || bext || ''''
      || CASE WHEN method = 'text_message'
              THEN ' (decided on the stored extensions, although text message drops the phone''s extension)'
              ELSE '' END
    WHEN b_act = 'fail_alternate_requires_mobile' THEN
      CASE WHEN p_act IS NULL THEN 'the phone is not migrated'
           WHEN p_act = 'write_office' THEN 'the phone goes to the office slot'
           ELSE 'the phone is not written (' || p_act || ')' END
      || ' and Entra has no mobile phone'
  END AS backup_detail
FROM checked;
