-- id: dependency_user_portal
-- title: The MFA Server User Portal is in use
-- severity: info
-- why: Users manage their phones and devices in the User Portal. Edits there are synced to Entra while the
--   migration runs, but once users manage methods in Entra the portal becomes a second, stale copy.
-- remediation: Keep the portal while RADIUS/LDAP clients still use MFA Server; afterwards redirect it to
--   aka.ms/mfasetup and clear "Allow users to log in".
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': replace with combined registration at aka.ms/mfasetup' AS detail
FROM rd_services
WHERE service = 'user_portal'
ORDER BY subject_id;
