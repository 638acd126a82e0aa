-- id: dependency_mobile_app_ws
-- title: The Mobile App Web Service is installed
-- severity: info
-- why: From MFA Server 8.0 on, the Mobile App Web Service is no longer needed; it is a leftover that must
--   go with the server.
-- remediation: Remove it when decommissioning MFA Server (before 8.0 it also needs the Phone App Web Service).
SELECT subject_type, subject_id, user_id, username, upn,
       label || ': not needed from MFA Server 8.0 on; remove at decommissioning' AS detail
FROM rd_services
WHERE service = 'mobile_app_ws'
ORDER BY subject_id;
