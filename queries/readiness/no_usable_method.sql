-- id: no_usable_method
-- title: Users left with no usable MFA method
-- severity: blocker
-- why: After the plan (Entra's current methods plus everything the migration writes) these users have no
--   method the authentication methods policy lets them use. Once MFA moves to the cloud they are locked
--   out of MFA or forced into registration.
-- remediation: Fix the findings that drop their methods (invalid numbers, refused phones, disabled
--   policies), or issue a Temporary Access Pass and have them register at aka.ms/mfasetup first.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  u.username,
  u.upn,
  CASE
    WHEN a.mobile OR a.alternate OR a.office OR a.push OR a.software_oath OR a.hardware_oath OR a.fido2 OR a.windows_hello
    THEN 'will have ' || concat_ws(', ',
           CASE WHEN a.mobile THEN 'a mobile phone' END,
           CASE WHEN a.alternate THEN 'an alternate phone' END,
           CASE WHEN a.office THEN 'an office phone' END,
           CASE WHEN a.push THEN 'Authenticator' END,
           CASE WHEN a.software_oath THEN 'a software OATH token' END,
           CASE WHEN a.hardware_oath THEN 'a hardware token' END,
           CASE WHEN a.fido2 THEN 'a FIDO2 key' END,
           CASE WHEN a.windows_hello THEN 'Windows Hello' END)
         || ', but the policy allows none of them'
    ELSE 'will have no MFA method in Entra after the plan'
  END AS detail
FROM rd_after a
JOIN rd_users u USING (user_id)
WHERE u.counted AND NOT a.unknown AND NOT a.strong AND NOT a.phone
ORDER BY a.user_id;
