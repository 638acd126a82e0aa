-- Small helpers shared by the loader's SQL (DuckDB TEMP macros: they live only for the connection).

-- docs/simulate.md: a value is present when it is neither NULL nor blank after trimming.
CREATE OR REPLACE TEMP MACRO present(x) AS (x IS NOT NULL AND trim(x) <> '');

-- An enabled/disabled flag as the datafile or a CSV export may spell it; NULL = not understood.
CREATE OR REPLACE TEMP MACRO mfa_flag(x) AS (
  CASE
    WHEN lower(trim(x)) IN ('1', 'true', 'yes', 'y', 'enabled', 'on', 't') THEN TRUE
    WHEN lower(trim(x)) IN ('0', 'false', 'no', 'n', 'disabled', 'off', 'f') THEN FALSE
    WHEN TRY_CAST(trim(x) AS DOUBLE) = 1 THEN TRUE
    WHEN TRY_CAST(trim(x) AS DOUBLE) = 0 THEN FALSE
  END);

-- The MFA Server default method in its canonical spelling; accepts the console's labels
-- ('Phone Call', 'Text Message', 'Mobile App', 'OATH Token') and common short forms. NULL = unknown.
CREATE OR REPLACE TEMP MACRO mfa_method(x) AS (
  CASE regexp_replace(lower(x), '[^a-z0-9]', '', 'g')
    WHEN 'phonecall' THEN 'phone_call' WHEN 'phone' THEN 'phone_call' WHEN 'voice' THEN 'phone_call'
    WHEN 'call' THEN 'phone_call' WHEN 'voicecall' THEN 'phone_call'
    WHEN 'textmessage' THEN 'text_message' WHEN 'text' THEN 'text_message' WHEN 'sms' THEN 'text_message'
    WHEN 'mobileapp' THEN 'mobile_app' WHEN 'app' THEN 'mobile_app' WHEN 'push' THEN 'mobile_app'
    WHEN 'authenticator' THEN 'mobile_app' WHEN 'microsoftauthenticator' THEN 'mobile_app'
    WHEN 'oathtoken' THEN 'oath_token' WHEN 'oath' THEN 'oath_token' WHEN 'token' THEN 'oath_token'
    WHEN 'hardwaretoken' THEN 'oath_token'
  END);

-- docs/workspace.md fingerprints (lower-case hex SHA-256 of the UTF-8 bytes). A secret is upper-cased with
-- spaces and '=' removed first; a device token is hashed exactly as stored. Absent values give NULL.
CREATE OR REPLACE TEMP MACRO secret_sha256(s) AS (
  CASE WHEN upper(replace(replace(s, ' ', ''), '=', '')) <> ''
       THEN sha256(upper(replace(replace(s, ' ', ''), '=', ''))) END);
CREATE OR REPLACE TEMP MACRO token_sha256(t) AS (CASE WHEN present(t) THEN sha256(t) END);

-- What rejects.raw shows instead of a secret.
CREATE OR REPLACE TEMP MACRO redact(s) AS (CASE WHEN s IS NOT NULL THEN '<redacted>' END);
