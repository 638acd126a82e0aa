-- The canonical workspace tables (documented in docs/workspace.md).
-- Source tables are replaced as a whole by each load (one transaction); the tables after
-- "Kept across loads" hold the product's own history and are never replaced by a load.

-- ---------------------------------------------------------------- loads
CREATE TABLE IF NOT EXISTS loads (
  load_id        VARCHAR PRIMARY KEY,   -- uuid4 hex
  loaded_at      TIMESTAMPTZ NOT NULL,
  datafile_kind  VARCHAR NOT NULL,      -- 'pfdata' | 'csv'
  tool_version   VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS load_sources (
  load_id  VARCHAR NOT NULL,
  source   VARCHAR NOT NULL,            -- 'datafile' | 'tenant/users.jsonl' | 'tenant/groups.jsonl' | ...
  path     VARCHAR NOT NULL,            -- absolute path as given
  sha256   VARCHAR NOT NULL,            -- hex SHA-256 of the file's bytes
  rows     BIGINT                       -- rows read (NULL for non-row files)
);

-- ---------------------------------------------------------------- MFA Server (replaced per load)
CREATE OR REPLACE TABLE mfa_users (
  user_id             BIGINT NOT NULL,  -- datafile user_id; CSV: the data line number
  username            VARCHAR NOT NULL, -- exactly as stored (UPN or DOMAIN\sam)
  object_sid          VARCHAR,
  first_name          VARCHAR,
  last_name           VARCHAR,
  email               VARCHAR,
  user_group          VARCHAR,
  enabled             BOOLEAN NOT NULL,
  country_code        VARCHAR,          -- as entered, e.g. '44' or '+44' or NULL
  phone               VARCHAR,          -- as entered
  extension           VARCHAR,
  backup_country_code VARCHAR,
  backup_phone        VARCHAR,
  backup_extension    VARCHAR,
  method              VARCHAR NOT NULL, -- 'phone_call' | 'text_message' | 'mobile_app' | 'oath_token'
  phone_mode          VARCHAR,          -- 'standard' | 'pin'
  text_mode           VARCHAR,          -- 'otp' | 'otp_pin'
  text_direction      VARCHAR,          -- 'one_way' | 'two_way'
  app_mode            VARCHAR,          -- 'standard' | 'pin'
  has_pin             BOOLEAN NOT NULL, -- a PIN hash is stored (the hash itself never enters the workspace)
  language            VARCHAR,
  oath_serial         VARCHAR,
  oath_secret_sha256  VARCHAR,          -- fingerprint of the normalised Base32 secret, lower-case hex; NULL = none
  oath_kind           VARCHAR,          -- 'totp' | 'hotp'
  oath_time_step      INTEGER,
  created_at          VARCHAR,          -- ISO 8601 strings exactly as stored (docs/simulate.md compares strings)
  modified_at         VARCHAR,
  last_migrated_at    VARCHAR,
  migrated_selection  VARCHAR,
  details_known       BOOLEAN NOT NULL, -- false for the Export Users CSV: devices and secrets are unknown
  source_line         BIGINT            -- row number in the source (CSV line, or datafile rowid)
);
CREATE OR REPLACE TABLE mfa_devices (
  device_id           BIGINT NOT NULL,
  user_id             BIGINT NOT NULL,
  device_name         VARCHAR,
  device_token_sha256 VARCHAR,          -- fingerprint of the device token exactly as stored
  oath_secret_sha256  VARCHAR,          -- fingerprint of the device's OATH secret (normalised)
  notification_type   VARCHAR,
  app_version         VARCHAR,
  account_name        VARCHAR,
  activated_at        VARCHAR           -- ISO 8601 as stored; NULL counts as oldest
);
-- Parsed phone numbers, one row per user and slot that has a number (computed once per load).
CREATE OR REPLACE TABLE mfa_phones (
  user_id       BIGINT NOT NULL,
  slot          VARCHAR NOT NULL,       -- 'phone' | 'backup_phone'
  e164          VARCHAR,                -- '+447700900123'; NULL when invalid
  graph_number  VARCHAR,                -- '+44 7700900123' (Graph's format, without extension); NULL when invalid
  extension     VARCHAR,                -- as stored, trimmed; NULL when absent
  valid         BOOLEAN NOT NULL,
  error         VARCHAR                 -- why invalid, for reports
);
CREATE OR REPLACE TABLE mfa_settings (section VARCHAR, key VARCHAR, value VARCHAR);
CREATE OR REPLACE TABLE mfa_auth_services (service VARCHAR, name VARCHAR, detail VARCHAR, enabled BOOLEAN);
CREATE OR REPLACE TABLE mfa_meta (key VARCHAR, value VARCHAR);
-- Export Users CSV columns the loader does not know, kept as found: one row per user and column with a
-- value (columns whose name looks secret are not kept). Empty for a datafile load.
CREATE OR REPLACE TABLE mfa_user_extra (
  user_id   BIGINT NOT NULL,            -- mfa_users.user_id
  "column"  VARCHAR NOT NULL,           -- the header as written in the CSV
  value     VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- Entra tenant snapshot (replaced per load)
CREATE OR REPLACE TABLE tenant_info (
  tenant_id       VARCHAR,
  taken_at        VARCHAR,
  source          VARCHAR,              -- 'graph' | 'emulator' | 'file'
  has_methods_policy BOOLEAN NOT NULL   -- false: policies.json had no authenticationMethodsPolicy
);
-- What the snapshot could not read, with why (one row per kind of data): not read is never "none".
CREATE OR REPLACE TABLE entra_not_read (
  what            VARCHAR NOT NULL,     -- 'staged_rollout' | 'methods_policy'
  reason          VARCHAR NOT NULL
);
CREATE OR REPLACE TABLE entra_users (
  id                               VARCHAR NOT NULL,
  user_principal_name              VARCHAR,
  display_name                     VARCHAR,
  account_enabled                  BOOLEAN,
  user_type                        VARCHAR,  -- 'Member' | 'Guest'
  mail                             VARCHAR,
  on_premises_sync_enabled         BOOLEAN,
  on_premises_security_identifier  VARCHAR,
  on_premises_sam_account_name     VARCHAR,
  on_premises_immutable_id         VARCHAR,
  employee_id                      VARCHAR,
  preferred_method                 VARCHAR,  -- signInPreferences.userPreferredMethodForSecondaryAuthentication
  system_preferred_enabled         BOOLEAN,  -- signInPreferences.isSystemPreferredAuthenticationMethodEnabled
  methods_error                    VARCHAR,  -- set when the snapshot could not read this user's methods
  source_line                      BIGINT
);
CREATE OR REPLACE TABLE entra_methods (
  user_id       VARCHAR NOT NULL,
  method_id     VARCHAR NOT NULL,
  odata_type    VARCHAR NOT NULL,       -- '#microsoft.graph.phoneAuthenticationMethod', ...
  kind          VARCHAR NOT NULL,       -- 'phone' | 'authenticator' | 'software_oath' | 'hardware_oath' |
                                        -- 'fido2' | 'password' | 'email' | 'tap' | 'windows_hello' | 'other'
  phone_type    VARCHAR,                -- 'mobile' | 'alternateMobile' | 'office' (phones only)
  phone_number  VARCHAR,                -- as Graph returns it, e.g. '+44 7700900123x123'
  phone_e164    VARCHAR,                -- number part normalised to E.164 (NULL if unparseable)
  phone_extension VARCHAR,              -- part after 'x', NULL if none
  display_name  VARCHAR,
  detail        JSON                    -- the whole method object (Graph never returns secrets)
);
CREATE OR REPLACE TABLE entra_groups (
  id              VARCHAR NOT NULL,
  display_name    VARCHAR,
  group_types     VARCHAR[],
  is_dynamic      BOOLEAN NOT NULL,     -- 'DynamicMembership' in groupTypes
  membership_rule VARCHAR,
  security_enabled BOOLEAN
);
CREATE OR REPLACE TABLE entra_group_members (
  group_id    VARCHAR NOT NULL,
  member_id   VARCHAR NOT NULL,
  member_type VARCHAR NOT NULL          -- 'user' | 'group' | 'contact' | 'other'
);
-- Every user reachable from a group through nested groups (cycle-safe).
CREATE OR REPLACE TABLE entra_group_transitive_users (group_id VARCHAR NOT NULL, user_id VARCHAR NOT NULL);
CREATE OR REPLACE TABLE entra_method_configs (
  config_id                VARCHAR NOT NULL,  -- 'MicrosoftAuthenticator' | 'Sms' | 'Voice' | 'SoftwareOath' | ...
  state                    VARCHAR,           -- 'enabled' | 'disabled'
  is_office_phone_allowed  BOOLEAN,           -- Voice only
  detail                   JSON
);
-- The registration campaign of the authentication methods policy (registrationEnforcement.
-- authenticationMethodsRegistrationCampaign): one row when policies.json has it, none when it does not
-- (not read: readiness says "unknown", never "off").
CREATE OR REPLACE TABLE entra_registration_campaign (
  state            VARCHAR,           -- 'default' (Microsoft-managed) | 'enabled' | 'disabled'
  snooze_days      INTEGER,
  include_targets  JSON,              -- [{"id", "targetType", "targetedAuthenticationMethod"}, ...]
  exclude_targets  JSON               -- [{"id", "targetType"}, ...]
);
CREATE OR REPLACE TABLE entra_rollout_policies (
  id                          VARCHAR NOT NULL,
  display_name                VARCHAR,
  feature                     VARCHAR,   -- 'multiFactorAuthentication', 'passthroughAuthentication', ...
  is_enabled                  BOOLEAN,
  is_applied_to_organization  BOOLEAN
);
CREATE OR REPLACE TABLE entra_rollout_policy_groups (policy_id VARCHAR NOT NULL, group_id VARCHAR NOT NULL);
CREATE OR REPLACE TABLE entra_domains (
  id                           VARCHAR NOT NULL,
  authentication_type          VARCHAR,   -- 'Managed' | 'Federated'
  is_verified                  BOOLEAN,
  federated_idp_mfa_behavior   VARCHAR,   -- 'acceptIfMfaDoneByFederatedIdp' | 'enforceMfaByFederatedIdp' |
                                          -- 'rejectMfaByFederatedIdp' | NULL
  federation                   JSON
);
CREATE OR REPLACE TABLE entra_ledger (
  user_id             VARCHAR NOT NULL,
  entra_method_id     VARCHAR NOT NULL,
  kind                VARCHAR,            -- 'device' | 'oath_token'
  secret_sha256       VARCHAR,            -- lower-case hex
  device_token_sha256 VARCHAR
);

-- ---------------------------------------------------------------- rejects (replaced per load)
CREATE OR REPLACE TABLE rejects (
  source  VARCHAR NOT NULL,   -- file name as given, e.g. 'tenant/users.jsonl'
  line    BIGINT,             -- 1-based line (CSV/JSONL) or row id (datafile)
  "column" VARCHAR,           -- offending column/field, NULL for a whole-row problem
  reason  VARCHAR NOT NULL,   -- what is wrong and what to do
  raw     VARCHAR             -- the row as read, with secret fields replaced by '<redacted>'
);

-- ---------------------------------------------------------------- Kept across loads
-- Users this tool migrated and verified (docs/executing.md): the simulator takes the later of this and the
-- datafile's own last_migrated_at, so a reload of an older datafile does not forget a migration.
CREATE TABLE IF NOT EXISTS migration_marks (
  username            VARCHAR PRIMARY KEY,   -- mfa_users.username exactly
  last_migrated_at    VARCHAR NOT NULL,      -- ISO 8601 UTC
  migrated_selection  VARCHAR NOT NULL,      -- selection signature (docs/simulate.md)
  batch_name          VARCHAR
);
