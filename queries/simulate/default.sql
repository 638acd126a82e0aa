-- Stage 8: the default method (docs/simulate.md), for users being migrated, unless the mode is never.
-- Target = the MFA Server method mapped (phone_call -> voiceMobile, or voiceOffice whenever the stored
-- primary phone has an extension; text_message -> sms; mobile_app -> push; oath_token -> oath).
-- Available after the plan: push = Entra Authenticator or create/update_device; oath = Entra software/
-- hardware OATH or any device create/update/create_software_oath or create_hardware_oath/update_oath;
-- sms and voiceMobile = a mobile phone in Entra or written/noop to mobile; voiceAlternateMobile and
-- voiceOffice likewise for their slots. Allowed: no methods policy allows everything; otherwise the
-- configuration must exist with state 'enabled' (MicrosoftAuthenticator, SoftwareOath or HardwareOath,
-- Sms, Voice; voiceOffice also needs isOfficePhoneAllowed = true); ids and state compare
-- case-insensitively. Most secure order: push, oath, sms, voiceMobile, voiceAlternateMobile, voiceOffice.
-- Modes if_unset / most_secure_if_unset keep a present preferred method (keep_default, never noop).
-- set_default / set_default_fallback become noop when Entra already has that value.
-- Export Users CSV users: devices and OATH secrets are unknown, so the choice is evaluated with push/
-- oath availability as Entra has it and as the unknown items could make it; if the outcomes differ,
-- the action is 'unknown'.
-- Output: sim_default(user_id, username, upn, entra_id, action, value, detail).
CREATE OR REPLACE TEMP MACRO sim_most_secure(ok_push, ok_oath, ok_sms, ok_vm, ok_vam, ok_vo) AS (
  CASE WHEN ok_push THEN 'push' WHEN ok_oath THEN 'oath' WHEN ok_sms THEN 'sms' WHEN ok_vm THEN 'voiceMobile'
       WHEN ok_vam THEN 'voiceAlternateMobile' WHEN ok_vo THEN 'voiceOffice' END
);
-- The choice for one availability scenario: best = the most secure usable method, target_ok = the
-- mapped method is usable. Returns {action, value} before the noop rule.
CREATE OR REPLACE TEMP MACRO sim_choose(mode, preferred, target, target_ok, best) AS (
  CASE
    WHEN mode IN ('if_unset', 'most_secure_if_unset') AND preferred IS NOT NULL
      THEN {'action': 'keep_default', 'value': preferred}
    WHEN mode = 'most_secure_if_unset' AND best IS NOT NULL THEN {'action': 'set_default', 'value': best}
    WHEN mode = 'most_secure_if_unset' THEN {'action': 'no_default', 'value': NULL::VARCHAR}
    WHEN target_ok THEN {'action': 'set_default', 'value': target}
    WHEN best IS NOT NULL THEN {'action': 'set_default_fallback', 'value': best}
    ELSE {'action': 'no_default', 'value': NULL::VARCHAR}
  END
);
-- Is the mapped target usable, given which methods are usable?
CREATE OR REPLACE TEMP MACRO sim_target_ok(target, ok_push, ok_oath, ok_sms, ok_vm, ok_vo) AS (
  coalesce(CASE target WHEN 'push' THEN ok_push WHEN 'oath' THEN ok_oath WHEN 'sms' THEN ok_sms
                       WHEN 'voiceMobile' THEN ok_vm WHEN 'voiceOffice' THEN ok_vo END, false)
);

CREATE OR REPLACE TEMP TABLE sim_default AS
WITH allowed AS (
  SELECT
    NOT s.has_policy OR coalesce(bool_or(lower(c.config_id) = 'microsoftauthenticator' AND lower(c.state) = 'enabled'), false) AS a_push,
    NOT s.has_policy OR coalesce(bool_or(lower(c.config_id) IN ('softwareoath', 'hardwareoath') AND lower(c.state) = 'enabled'), false) AS a_oath,
    NOT s.has_policy OR coalesce(bool_or(lower(c.config_id) = 'sms' AND lower(c.state) = 'enabled'), false) AS a_sms,
    NOT s.has_policy OR coalesce(bool_or(lower(c.config_id) = 'voice' AND lower(c.state) = 'enabled'), false) AS a_voice,
    NOT s.has_policy OR coalesce(bool_or(lower(c.config_id) = 'voice' AND lower(c.state) = 'enabled'
                                         AND c.is_office_phone_allowed IS TRUE), false) AS a_office
  FROM sim_settings s LEFT JOIN entra_method_configs c ON true
  GROUP BY s.has_policy
),
dv AS (
  SELECT user_id,
         bool_or(action IN ('create_device', 'update_device')) AS push,
         bool_or(action IN ('create_device', 'update_device', 'create_software_oath')) AS oath,
         bool_or(action = 'unknown') AS unknown
  FROM sim_device_rows GROUP BY user_id
),
av AS (
  SELECT
    su.user_id, su.username, su.upn, su.entra_id, su.method, s.default_mode AS mode, su.preferred,
    CASE su.method
      WHEN 'phone_call' THEN CASE WHEN su.ext IS NOT NULL THEN 'voiceOffice' ELSE 'voiceMobile' END
      WHEN 'text_message' THEN 'sms'
      WHEN 'mobile_app' THEN 'push'
      WHEN 'oath_token' THEN 'oath'
    END AS target,
    en.has_authenticator OR coalesce(dv.push, false) AS av_push,
    en.has_oath OR coalesce(dv.oath, false) OR coalesce(ot.action IN ('create_hardware_oath', 'update_oath'), false)
      AS av_oath,
    en.has_mobile OR coalesce(ph.phone_target = 'mobile', false) AS av_mobile,
    en.has_alternate OR coalesce(ph.backup_target = 'alternateMobile', false) AS av_alternate,
    en.has_office OR coalesce(ph.phone_target = 'office' OR ph.backup_target = 'office', false) AS av_office,
    coalesce(dv.unknown, false) AS unk_dev,
    coalesce(ot.action = 'unknown', false) AS unk_oath,
    a.*
  FROM sim_users su
  JOIN sim_settings s ON s.default_mode <> 'never'
  JOIN sim_entra en ON en.user_id = su.user_id
  CROSS JOIN allowed a
  LEFT JOIN dv ON dv.user_id = su.user_id
  LEFT JOIN sim_oath ot ON ot.user_id = su.user_id
  LEFT JOIN sim_phones ph ON ph.user_id = su.user_id
  WHERE su.action = 'migrate'
),
usable AS (
  SELECT *,
    av_push AND a_push AS ok_push,
    av_oath AND a_oath AS ok_oath,
    av_mobile AND a_sms AS ok_sms,
    av_mobile AND a_voice AS ok_vm,
    av_alternate AND a_voice AS ok_vam,
    av_office AND a_office AS ok_vo
  FROM av
),
scenarios AS (
  -- s0: as planned; s1: unknown devices or token add oath; s2: unknown devices add push (and oath).
  SELECT usable.*,
    sim_most_secure(ok_push, ok_oath, ok_sms, ok_vm, ok_vam, ok_vo) AS best0,
    sim_target_ok(target, ok_push, ok_oath, ok_sms, ok_vm, ok_vo) AS tok0,
    sim_most_secure(ok_push, a_oath, ok_sms, ok_vm, ok_vam, ok_vo) AS best1,
    sim_target_ok(target, ok_push, a_oath, ok_sms, ok_vm, ok_vo) AS tok1,
    sim_most_secure(a_push, a_oath, ok_sms, ok_vm, ok_vam, ok_vo) AS best2,
    sim_target_ok(target, a_push, a_oath, ok_sms, ok_vm, ok_vo) AS tok2
  FROM usable
),
decided AS (
  SELECT scenarios.*,
    sim_choose(mode, preferred, target, tok0, best0) AS d0,
    CASE WHEN unk_dev OR unk_oath THEN sim_choose(mode, preferred, target, tok1, best1) END AS d1,
    CASE WHEN unk_dev THEN sim_choose(mode, preferred, target, tok2, best2) END AS d2
  FROM scenarios
),
final AS (
  SELECT decided.*,
    CASE WHEN (d1 IS NULL OR d1 IS NOT DISTINCT FROM d0) AND (d2 IS NULL OR d2 IS NOT DISTINCT FROM d0)
         THEN CASE WHEN d0.action IN ('set_default', 'set_default_fallback') AND d0.value = preferred
                   THEN 'noop' ELSE d0.action END
         ELSE 'unknown' END AS final_action
  FROM decided
)
SELECT
  user_id, username, upn, entra_id,
  final_action AS action,
  CASE WHEN final_action <> 'unknown' THEN d0.value END AS value,
  CASE final_action
    WHEN 'keep_default' THEN 'Entra''s default is ' || preferred || ' and the mode is ' || mode
    WHEN 'noop' THEN 'Entra''s default is already ' || preferred
    WHEN 'set_default' THEN
      CASE WHEN mode = 'most_secure_if_unset' THEN 'the most secure method available and allowed'
           ELSE 'MFA Server method ' || method || ' maps to ' || target END
    WHEN 'unknown' THEN NULL
    ELSE
      CASE WHEN mode = 'most_secure_if_unset' THEN 'no method is both available and allowed'
           WHEN target IS NULL THEN 'MFA Server method ''' || coalesce(method, '') || ''' has no Entra equivalent'
           ELSE 'MFA Server method ' || method || ' maps to ' || target || ', which is '
             || CASE WHEN CASE target WHEN 'push' THEN av_push WHEN 'oath' THEN av_oath
                                      WHEN 'voiceOffice' THEN av_office ELSE av_mobile END
                     THEN 'not allowed by the methods policy'
                     ELSE 'not available after the plan' END
         END
  END AS detail
FROM final;
