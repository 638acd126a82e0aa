-- id: retirement_nothing_usable
-- title: Users with nothing usable after the phone retirement date
-- severity: blocker
-- early_severity: warning
-- why: From the retirement date ([retirement] date, 2027-02-01 by default) Microsoft no longer delivers
--   SMS and voice codes unless the tenant brings its own telecom provider. These users will then have no
--   method they can use: only phones (the ones they have and the ones the plan writes), or nothing the
--   policy allows at all. They are priority tier P1. A warning until today is within [retirement]
--   warn_days of the date, a blocker from then on.
-- remediation: Get them to register Microsoft Authenticator or a passkey before the date (aka.ms/mfasetup),
--   with a Temporary Access Pass where they cannot sign in otherwise (a re-registration campaign batch
--   of tier P1 issues them, docs/executing.md); the Users page's tier filter and the CSV report's tier
--   column list them.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  a.username,
  a.upn,
  CASE
    WHEN a.phones_stop AND a.usable_bits & 7 <> 0
    THEN format('only {} after the plan; Microsoft stops delivering phone codes on {} ({})',
                method_names(a.usable_bits), strftime(a.retirement_date, '%Y-%m-%d'),
                CASE WHEN a.days_left > 0 THEN format('in {} days', a.days_left)
                     WHEN a.days_left = 0 THEN 'today'
                     ELSE format('{} days ago', -a.days_left) END)
    WHEN a.after_bits <> 0
    THEN format('no usable method after the plan: {} not allowed by the authentication methods policy',
                method_names(a.after_bits & ~a.usable_bits))
    ELSE 'no MFA method in Entra after the plan'
  END AS detail
FROM rd_after_date a
WHERE a.tier = 'P1'
ORDER BY a.user_id;
