-- The workspace format the marker records (NULL when the marker table is empty).
SELECT max(format_version) FROM mfa_migrate_workspace;
