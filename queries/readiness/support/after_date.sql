-- The state after the phone retirement date (docs/checks.md "After the retirement date"): kept in the
-- workspace as the view users_after_date and its macros, so the readiness checks, the dashboard, batch
-- selection and anyone with a DuckDB shell read one definition. Created (or replaced
-- when this file changes) by analysis.readiness.afterdate.ensure_view on a writable connection.
--
-- Methods are bit flags, one integer per user (cheaper than a boolean per kind over a million users):
--   1 mobile phone (SMS and voice), 2 alternate mobile (voice), 4 office phone (voice),
--   8 Microsoft Authenticator, 16 software OATH, 32 hardware OATH, 128 FIDO2 / passkey, 256 Windows Hello.
-- 7 = every phone, 440 = every non-phone method, 408 = app-based or phishing-resistant (8|16|128|256).
--
-- The retirement settings come from the session variable mfa_retirement (a struct: date, phones_stop,
-- today) that analysis.readiness.afterdate.bind sets; unset, they are the defaults (2027-02-01,
-- Microsoft delivers the codes, today).

-- name: macros
-- The bit of one Entra method (entra_methods.kind / phone_type); 0 for methods that are not MFA methods
-- (password, email, Temporary Access Pass, other).
CREATE OR REPLACE MACRO method_bit(kind, phone_type) AS
  CASE kind
    WHEN 'phone' THEN CASE phone_type WHEN 'mobile' THEN 1 WHEN 'alternateMobile' THEN 2 WHEN 'office' THEN 4 ELSE 0 END
    WHEN 'authenticator' THEN 8
    WHEN 'software_oath' THEN 16
    WHEN 'hardware_oath' THEN 32
    WHEN 'fido2' THEN 128
    WHEN 'windows_hello' THEN 256
    ELSE 0
  END;
-- A user's priority tier from the usable methods after the plan (`usable`: bits the policy allows),
-- whether phones stop on the date, whether the default after the plan is a phone, and whether the
-- user's state is known at all (an Entra account whose methods were read) and complete (no plan outcome
-- the data cannot predict). NULL: not known; never guessed.
--   P1: nothing usable after the date; P2: usable, but the default or the only method is a phone;
--   P3: a non-phone method, and the default is not a phone.
CREATE OR REPLACE MACRO retirement_tier(usable, phones_stop, default_phone, known, unknown_outcome) AS
  CASE
    WHEN NOT known THEN NULL
    WHEN (CASE WHEN phones_stop THEN usable & 440 ELSE usable END) = 0
      THEN CASE WHEN unknown_outcome THEN NULL ELSE 'P1' END
    WHEN default_phone OR usable & 440 = 0 THEN 'P2'
    ELSE 'P3'
  END;
-- The bits the authentication methods policy lets users use (a snapshot without the policy allows
-- everything, as the simulator assumes; a configuration missing from a present policy is off).
CREATE OR REPLACE MACRO policy_allowed_bits() AS (
  WITH t AS (SELECT coalesce(bool_or(has_methods_policy), false) AS known FROM tenant_info),
  c AS (
    SELECT lower(config_id) AS id,
           bool_or(lower(state) = 'enabled') AS enabled,
           bool_or(lower(state) = 'enabled' AND coalesce(is_office_phone_allowed, false)) AS office
    FROM entra_method_configs GROUP BY 1
  )
  SELECT CASE WHEN NOT t.known THEN 511 ELSE
      CASE WHEN coalesce((SELECT bool_or(enabled) FROM c WHERE id IN ('sms', 'voice')), false) THEN 1 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'voice'), false) THEN 2 ELSE 0 END
    | CASE WHEN coalesce((SELECT office FROM c WHERE id = 'voice'), false) THEN 4 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'microsoftauthenticator'), false) THEN 8 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'softwareoath'), false) THEN 16 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'hardwareoath'), false) THEN 32 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'fido2'), false) THEN 128 ELSE 0 END
    | CASE WHEN coalesce((SELECT enabled FROM c WHERE id = 'windowshelloforbusiness'), false) THEN 256 ELSE 0 END
  END
  FROM t
);
-- What a plan adds per user: the method bits its Graph writes create (phones, hardware OATH), whether
-- an outcome is unknown or left to the utility, and the default method it sets. Shared by
-- users_after_plan and the campaign's progress over time (queries/campaign/progress.sql).
CREATE OR REPLACE MACRO plan_writes(plan_table) AS TABLE
  SELECT user_id,
         bit_or(CASE WHEN writable <> 'graph' THEN 0
                     WHEN action IN ('write_mobile', 'write_mobile_drop_extension') THEN 1
                     WHEN action = 'write_alternate' THEN 2
                     WHEN action = 'write_office' THEN 4
                     WHEN action = 'create_hardware_oath' THEN 32
                     ELSE 0 END) AS bits,
         bool_or(action = 'unknown') AS unknown_outcome,
         bool_or(writable = 'utility') AS utility_pending,
         any_value(value) FILTER (WHERE item = 'default_method'
                                  AND action IN ('set_default', 'set_default_fallback')) AS default_set
  FROM query_table(plan_table)
  WHERE item <> 'user'
  GROUP BY user_id;
-- Whether a default method (signInPreferences' name for it) is SMS or voice.
CREATE OR REPLACE MACRO phone_default(preferred) AS
  coalesce(preferred IN ('sms', 'voiceMobile', 'voiceAlternateMobile', 'voiceOffice'), false);
-- The methods of a bit set in words, for reports.
CREATE OR REPLACE MACRO method_names(bits) AS
  nullif(concat_ws(', ',
    CASE WHEN bits & 1 <> 0 THEN 'mobile phone' END,
    CASE WHEN bits & 2 <> 0 THEN 'alternate mobile phone' END,
    CASE WHEN bits & 4 <> 0 THEN 'office phone' END,
    CASE WHEN bits & 8 <> 0 THEN 'Microsoft Authenticator' END,
    CASE WHEN bits & 16 <> 0 THEN 'software OATH token' END,
    CASE WHEN bits & 32 <> 0 THEN 'hardware OATH token' END,
    CASE WHEN bits & 128 <> 0 THEN 'passkey (FIDO2)' END,
    CASE WHEN bits & 256 <> 0 THEN 'Windows Hello' END), '');

-- name: view
-- One row per MFA Server user: the methods in Entra now, after the plan (`plan_table`: the plan table;
-- Entra's methods plus the phones and hardware tokens this tool writes) and usable after the date.
-- Authenticator devices and software OATH tokens that only Microsoft's utility can create are not
-- counted until Entra shows them: the utility may no longer be obtainable, and nothing here can create
-- them. `known`: the user is counted, matched to one Entra account (not ambiguous) whose methods were
-- read; the tier of any other user is NULL.
CREATE OR REPLACE MACRO users_after_plan(plan_table) AS TABLE
WITH settings AS (
  SELECT coalesce(getvariable('mfa_retirement').date, DATE '2027-02-01') AS retirement_date,
         coalesce(getvariable('mfa_retirement').phones_stop, true)      AS phones_stop,
         coalesce(getvariable('mfa_retirement').today, current_date)    AS today,
         policy_allowed_bits()                                       AS allowed
),
entra AS (
  SELECT e.id AS entra_id,
         nullif(e.methods_error, '') IS NULL AS methods_read,
         nullif(e.preferred_method, '') AS preferred,
         coalesce(m.bits, 0) AS bits
  FROM entra_users e
  LEFT JOIN (SELECT user_id, bit_or(method_bit(kind, phone_type)) AS bits FROM entra_methods GROUP BY user_id) m
    ON m.user_id = e.id
),
users AS (
  SELECT user_id, entra_id, upn, action FROM query_table(plan_table) WHERE item = 'user'
),
writes AS (FROM plan_writes(plan_table)),
devices AS (
  SELECT user_id, count(*) AS n FROM mfa_devices GROUP BY user_id
),
joined AS (
  SELECT
    m.user_id, m.username, u.upn, u.entra_id, u.action AS user_action,
    coalesce(u.action, '') <> 'user_disabled' AS counted,
    u.entra_id IS NOT NULL AND u.action NOT IN ('unmatched', 'ambiguous') AS matched,
    nullif(trim(m.language), '') AS language,
    m.method AS mfa_method,
    coalesce(d.n, 0) AS mfa_devices,
    m.method = 'mobile_app' OR coalesce(d.n, 0) > 0 AS mfa_app_user,
    e.entra_id IS NOT NULL AND e.methods_read AS methods_read,
    coalesce(w.unknown_outcome, false) AS unknown_outcome,
    coalesce(w.utility_pending, false) AS utility_pending,
    CASE WHEN e.methods_read THEN e.bits END AS now_bits,
    CASE WHEN e.methods_read THEN e.bits | coalesce(w.bits, 0) END AS after_bits,
    e.preferred AS default_now,
    coalesce(w.default_set, e.preferred) AS default_after,
    s.*
  FROM mfa_users m
  CROSS JOIN settings s
  LEFT JOIN users u USING (user_id)
  LEFT JOIN writes w USING (user_id)
  LEFT JOIN entra e ON e.entra_id = u.entra_id
  LEFT JOIN devices d USING (user_id)
),
usable AS (
  SELECT *,
         after_bits & allowed AS usable_bits,
         phone_default(default_after) AS default_is_phone,
         counted AND matched AND methods_read AS known
  FROM joined
)
SELECT
  user_id, username, upn, entra_id, user_action, counted, matched, known, language, mfa_method, mfa_devices,
  mfa_app_user, unknown_outcome, utility_pending, now_bits, after_bits, usable_bits,
  CASE WHEN phones_stop THEN usable_bits & 440 ELSE usable_bits END AS after_date_bits,
  default_now, default_after, default_is_phone,
  method_names(now_bits) AS methods_now,
  method_names(usable_bits) AS methods_after_plan,
  method_names(CASE WHEN phones_stop THEN usable_bits & 440 ELSE usable_bits END) AS methods_after_date,
  retirement_date, phones_stop, today, retirement_date - today AS days_left,
  retirement_tier(usable_bits, phones_stop, default_is_phone, known, unknown_outcome) AS tier
FROM usable;

-- name: canonical
-- The canonical plan's state after the date: what the dashboard and a DuckDB shell read (made once the
-- workspace has a `plan` table: DuckDB binds a view when it is created).
CREATE OR REPLACE VIEW users_after_date AS FROM users_after_plan('plan');
