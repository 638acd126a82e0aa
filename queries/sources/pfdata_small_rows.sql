-- The datafile's small tables in one pass (SQLite side): kind, then three text columns (four for services).
SELECT 'setting', section, key, value, NULL FROM pf_settings
UNION ALL
SELECT 'service', service, name, detail, enabled FROM pf_auth_services
UNION ALL
SELECT 'meta', key, value, NULL, NULL FROM pf_meta
