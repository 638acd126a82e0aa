-- The what-if settings the checks need, as a one-row temp table (parameters bound by analysis.readiness).
CREATE OR REPLACE TEMP TABLE rd_settings AS
SELECT
  CAST($scope_group AS VARCHAR)    AS scope_group,     -- '' = every matched user
  CAST($skip_disabled AS BOOLEAN)  AS skip_disabled,
  CAST($only_changed AS BOOLEAN)   AS only_changed,
  CAST($default_mode AS VARCHAR)   AS default_mode,    -- always | if_unset | most_secure_if_unset | never
  CAST($methods AS VARCHAR[])      AS methods;         -- subset of phone, backup_phone, mobile_app, oath_token
