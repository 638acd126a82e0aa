-- The datafile's small tables from one registered frame pf_small(kind, a, b, c, d)
-- (see pfdata_small_rows.sql): settings, authentication services and meta keys.
INSERT INTO mfa_settings (section, key, value)
SELECT a, b, c FROM pf_small WHERE kind = 'setting';

INSERT INTO mfa_auth_services (service, name, detail, enabled)
SELECT a, b, c, mfa_flag(d) FROM pf_small WHERE kind = 'service';

INSERT INTO mfa_meta (key, value)
SELECT a, b FROM pf_small WHERE kind = 'meta';
