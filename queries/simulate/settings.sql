-- Stage 0: the settings in force, as a one-row temp table every stage joins.
-- Values arrive as named parameters from analysis/simulate/runner.py (never spliced into SQL text).
CREATE OR REPLACE TEMP TABLE sim_settings AS
SELECT
  $sel_phone::BOOLEAN         AS sel_phone,
  $sel_backup_phone::BOOLEAN  AS sel_backup_phone,
  $sel_mobile_app::BOOLEAN    AS sel_mobile_app,
  $sel_oath_token::BOOLEAN    AS sel_oath_token,
  $default_mode::VARCHAR      AS default_mode,      -- always | if_unset | most_secure_if_unset | never
  $upn_pos::INTEGER           AS upn_pos,           -- position of each match step in match.order, NULL = left out
  $sid_pos::INTEGER           AS sid_pos,
  $attr_pos::INTEGER          AS attr_pos,
  $step1::VARCHAR             AS step1,             -- the match steps by position ('upn' | 'sid' | 'attribute')
  $step2::VARCHAR             AS step2,
  $step3::VARCHAR             AS step3,
  $attr_mfa::VARCHAR          AS attr_mfa,          -- username | email | object_sid | account
  $attr_entra::VARCHAR        AS attr_entra,        -- userPrincipalName | mail | onPremisesSamAccountName | ...
  $steps_text::VARCHAR        AS steps_text,        -- the match steps in words, for reasons
  $scope_group::VARCHAR       AS scope_group,       -- '' = every matched user
  $only_changed::BOOLEAN      AS only_changed,
  $skip_disabled::BOOLEAN     AS skip_disabled,
  $device_limit::INTEGER      AS device_limit,
  $signature::VARCHAR         AS signature,         -- docs/simulate.md selection signature
  $restricted::BOOLEAN        AS restricted,        -- true: only users listed in sim_subject are planned
  coalesce((SELECT bool_or(has_methods_policy) FROM tenant_info), false) AS has_policy;
