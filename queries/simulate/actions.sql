-- Every (item, action) the plan can hold: who can carry it out (DESIGN 4.8 `writable`) and the base
-- sentence of its reason (each stage appends the user-specific detail after ": ").
--   graph   : this tool can write it through Microsoft Graph (phones, hardware OATH via beta,
--             the default method via beta signInPreferences)
--   utility : only Microsoft's MFA Server Migration Utility can do it (Authenticator devices, software
--             OATH, and updates of methods matched by secret, which Graph cannot see or write)
--   none    : nothing to write (user rows, noop, keep, skips, failures, unknown)
CREATE OR REPLACE TEMP TABLE sim_actions (item VARCHAR, action VARCHAR, writable VARCHAR, reason VARCHAR);
INSERT INTO sim_actions VALUES
  ('user', 'unmatched',      'none', 'No Entra user matches this MFA Server user'),
  ('user', 'ambiguous',      'none', 'The match is ambiguous, so the user is not migrated'),
  ('user', 'user_disabled',  'none', 'Disabled in MFA Server and disabled users are skipped'),
  ('user', 'out_of_scope',   'none', 'Not in the migration group'),
  ('user', 'unchanged',      'none', 'Unchanged since the last migration with the same selection'),
  ('user', 'migrate',        'none', 'Will be migrated'),

  ('phone', 'write_mobile',                'graph', 'Write as the mobile phone'),
  ('phone', 'write_mobile_drop_extension', 'graph', 'Write as the mobile phone without its extension (default method is text message)'),
  ('phone', 'write_office',                'graph', 'Write as the office phone (it has an extension)'),
  ('phone', 'noop',                        'none',  'Entra already holds this number in that slot'),
  ('phone', 'invalid_number',              'none',  'Not a valid phone number, so it is not migrated'),
  ('phone', 'invalid_extension',           'none',  'The extension has characters other than digits, so the phone is not migrated'),

  ('backup_phone', 'write_alternate',                'graph', 'Write as the alternate mobile phone'),
  ('backup_phone', 'write_office',                   'graph', 'Write as the office phone (it has an extension)'),
  ('backup_phone', 'noop',                           'none',  'Entra already holds this number in that slot'),
  ('backup_phone', 'invalid_number',                 'none',  'Not a valid phone number, so it is not migrated'),
  ('backup_phone', 'invalid_extension',              'none',  'The extension has characters other than digits, so the backup phone is not migrated'),
  ('backup_phone', 'skip_both_extensions',           'none',  'Skipped: phone and backup phone both have an extension'),
  ('backup_phone', 'fail_alternate_requires_mobile', 'none',  'Will fail: Entra refuses an alternate mobile phone when the user has no mobile phone'),

  ('device', 'create_device',        'utility', 'The utility creates this Authenticator device'),
  ('device', 'update_device',        'utility', 'The utility updates the Entra device whose OATH secret matches (ledger)'),
  ('device', 'create_software_oath', 'utility', 'The utility creates a software OATH token for the device whose token matches (ledger)'),
  ('device', 'skip_duplicate_name',  'none',    'Skipped: a newer device has the same name'),
  ('device', 'skip_over_max',        'none',    'Skipped: over the utility''s per-user device maximum'),
  ('device', 'skip_device_limit',    'none',    'Skipped: no free slot under the device limit'),
  ('device', 'unknown',              'none',    'Unknown: the Export Users CSV carries no mobile-app devices; load the datafile to predict them'),

  ('oath_token', 'create_hardware_oath', 'graph',   'Create the hardware OATH token (Graph beta)'),
  ('oath_token', 'update_oath',          'utility', 'The utility updates the Entra token whose secret matches (ledger)'),
  ('oath_token', 'unsupported_hotp',     'none',    'Not migrated: Entra supports TOTP tokens only, this one is HOTP'),
  ('oath_token', 'missing_secret',       'none',    'Not migrated: the token has no secret in MFA Server'),
  ('oath_token', 'skip_device_limit',    'none',    'Skipped: no free slot under the device limit'),
  ('oath_token', 'unknown',              'none',    'Unknown: the Export Users CSV carries no OATH secrets; load the datafile to predict this token'),

  ('default_method', 'set_default',          'graph', 'Set the default method'),
  ('default_method', 'set_default_fallback', 'graph', 'Set a fallback default method'),
  ('default_method', 'keep_default',         'none',  'Keep the default method Entra already has'),
  ('default_method', 'noop',                 'none',  'Entra already has this default method'),
  ('default_method', 'no_default',           'none',  'No default method can be set: nothing available and allowed'),
  ('default_method', 'unknown',              'none',  'Unknown: the choice depends on devices or OATH tokens the Export Users CSV does not carry');
