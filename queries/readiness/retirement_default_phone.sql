-- id: retirement_default_phone
-- title: Default method is SMS or voice although the user has a non-phone method
-- severity: warning
-- why: After the retirement date Microsoft no longer delivers phone codes, so a default (preferred)
--   method of SMS or voice fails first for these users, although they have a method that keeps working
--   (the NPS extension and the AD FS adapter use the default directly). Priority tier P2. Quiet when the
--   tenant has its own telecom provider ([retirement] phone_delivery = "own_provider").
-- remediation: Change their default to the non-phone method (signInPreferences, or ask users to change it
--   at aka.ms/mysecurityinfo), or enable system-preferred MFA, before the date.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  a.username,
  a.upn,
  format('default after the plan is {}; {} keeps working after {}: make it the default',
         a.default_after, method_names(a.usable_bits & 440), strftime(a.retirement_date, '%Y-%m-%d')) AS detail
FROM rd_after_date a
WHERE a.known AND a.phones_stop AND a.default_is_phone AND a.usable_bits & 440 <> 0
ORDER BY a.user_id;
