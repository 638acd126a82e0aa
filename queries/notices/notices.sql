-- Per-user notices (docs/notices.md): who gets one, what changes for them, and which wave they are in.
-- Read through users_after_plan (queries/readiness/support/after_date.sql), so a notice says what the
-- readiness report and batch selection say about the same user.

-- name: batch_plan
-- A batch's frozen rows as a plan table. A re-registration campaign ($campaign) writes nothing of its
-- plan, so only its user rows are kept: the notice then describes the user's Entra methods as they are.
CREATE OR REPLACE TEMP TABLE notice_plan AS
SELECT user_id, entra_id, username, upn, item, ref, action, value, reason, writable
FROM batch_rows
WHERE batch_id = $batch_id AND (NOT $campaign OR item = 'user');

-- name: users
-- One row per user of the plan table $plan_table (of tier $tier unless NULL) who has an Entra UPN to
-- address: language, tier, methods now and after the date, the phones and hardware token written, the
-- MFA Server devices the Authenticator app must be set up again on, the default method before and after,
-- and the wave (batch $batch_id, else the latest batch holding the user).
WITH a AS (
  SELECT * FROM users_after_plan($plan_table)
  WHERE user_action IS NOT NULL AND upn IS NOT NULL AND ($tier IS NULL OR tier = $tier)
),
phones AS (
  SELECT user_id,
         list({'type': CASE action WHEN 'write_alternate' THEN 'alternateMobile'
                                   WHEN 'write_office' THEN 'office' ELSE 'mobile' END,
               'number': value} ORDER BY action) AS phones,
         bool_or(action = 'create_hardware_oath') AS hardware_token
  FROM __plan__
  WHERE writable = 'graph'
    AND action IN ('write_mobile', 'write_mobile_drop_extension', 'write_alternate', 'write_office',
                   'create_hardware_oath')
  GROUP BY user_id
),
devices AS (
  SELECT user_id, list(coalesce(nullif(trim(device_name), ''), 'unnamed device') ORDER BY device_id) AS names
  FROM mfa_devices GROUP BY user_id
),
waves AS (
  SELECT bu.user_id, arg_max(b.name, b.batch_id) AS wave
  FROM batch_users bu JOIN batches b USING (batch_id)
  WHERE $batch_id IS NULL OR b.batch_id = $batch_id
  GROUP BY bu.user_id
)
SELECT
  a.user_id, a.username, a.upn, coalesce(a.language, '') AS language, coalesce(a.tier, '') AS tier,
  coalesce(a.methods_now, '') AS methods_now,
  coalesce(a.methods_after_date, '') AS methods_after_date,
  [p.number FOR p IN coalesce(ph.phones, [])] AS phone_numbers,
  [p.type FOR p IN coalesce(ph.phones, [])] AS phone_types,
  coalesce(ph.hardware_token, false) AS hardware_token,
  -- the MFA Server app users whose Authenticator is not in Entra: the device did not come over
  CASE WHEN a.mfa_app_user AND coalesce(a.usable_bits, 0) & 8 = 0 THEN coalesce(d.names, ['unnamed device'])
       ELSE [] END AS devices_to_register,
  a.default_now, a.default_after,
  -- nothing but phones (or nothing) once the date passes, or an app to set up again
  coalesce(a.after_date_bits, 0) & 440 = 0 OR (a.mfa_app_user AND coalesce(a.usable_bits, 0) & 8 = 0)
    AS must_register,
  a.retirement_date, a.phones_stop,
  coalesce(w.wave, 'not in a batch') AS wave
FROM a
LEFT JOIN phones ph USING (user_id)
LEFT JOIN devices d USING (user_id)
LEFT JOIN waves w USING (user_id)
ORDER BY wave, a.upn, a.user_id
