-- id: retirement_no_app_method
-- title: Users without an app-based or phishing-resistant method after the plan
-- severity: info
-- why: After the plan these users have no Microsoft Authenticator, software OATH token, passkey (FIDO2)
--   or Windows Hello: only phones, a hardware token, or nothing. They are who a re-registration campaign
--   must reach (Microsoft's own campaign prompts users with phones for a passkey).
-- remediation: Include them in the registration campaign (Entra > Authentication methods > Registration
--   campaign), and run readiness on a newer snapshot to see who has registered since.
SELECT
  'user' AS subject_type,
  CAST(a.user_id AS VARCHAR) AS subject_id,
  a.user_id,
  a.username,
  a.upn,
  CASE WHEN a.usable_bits = 0 THEN 'no usable method after the plan'
       ELSE 'after the plan only ' || method_names(a.usable_bits) END AS detail
FROM rd_after_date a
WHERE a.known AND NOT a.unknown_outcome AND a.usable_bits & 408 = 0
ORDER BY a.user_id;
