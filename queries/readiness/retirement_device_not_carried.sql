-- id: retirement_device_not_carried
-- title: Authenticator app users left with only phones after the plan
-- severity: warning
-- why: These users use the Authenticator app on MFA Server, but their Entra account will have only
--   phone methods after the plan: the device did not come over (only Microsoft's Migration Utility can
--   create Authenticator devices, and it may no longer be obtainable; or the device was skipped). They
--   fall back to SMS or voice, which stop working on the retirement date.
-- remediation: Have them register the Authenticator app again (aka.ms/mfasetup), with a Temporary Access
--   Pass if they cannot sign in otherwise.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  a.username,
  a.upn,
  format('uses the Authenticator app on MFA Server ({} device(s)), but Entra will have only {} after the plan{}',
         a.mfa_devices, method_names(a.usable_bits),
         CASE WHEN a.utility_pending THEN ' (the plan leaves the device to the Migration Utility; it counts once Entra shows it)'
              ELSE '' END) AS detail
FROM rd_after_date a
WHERE a.known AND a.mfa_app_user AND NOT a.unknown_outcome
  AND a.usable_bits & 440 = 0 AND a.usable_bits & 7 <> 0
ORDER BY a.user_id;
