-- The Entra user an MFA Server user matched (per the plan), with sign-in preferences.
SELECT
  e.id, e.user_principal_name, e.display_name, e.account_enabled, e.user_type, e.mail,
  e.on_premises_sync_enabled, e.on_premises_security_identifier, e.preferred_method,
  e.system_preferred_enabled, e.methods_error
FROM {plan} AS p
JOIN entra_users AS e ON e.id = p.entra_id
WHERE p.user_id = $user_id AND p.item = 'user'
