-- Stage 3: change detection and the user action (DESIGN 4.2, 4.9).
-- The first action that applies wins: unmatched / ambiguous, user_disabled, out_of_scope, unchanged,
-- migrate. The last migration is the later of mfa_users.last_migrated_at and migration_marks (kept
-- across loads, matched on the username exactly), taken with that row's selection; on equal
-- timestamps migration_marks wins (it is this tool's own verified record). ISO 8601 strings compare
-- as strings; a missing modified_at is never unchanged; the selection must equal the signature.
-- Output: sim_users(user_id, username, entra_id, upn, action, detail); entra_id and upn are set when
-- the deciding step found exactly one Entra user (also for the "shared Entra user" ambiguity).
CREATE OR REPLACE TEMP TABLE sim_users AS
WITH last AS (
  SELECT
    u.user_id,
    CASE WHEN sim_present(k.last_migrated_at)
              AND (NOT sim_present(u.last_migrated_at) OR k.last_migrated_at >= u.last_migrated_at)
         THEN k.last_migrated_at ELSE sim_clean(u.last_migrated_at) END AS last_at,
    CASE WHEN sim_present(k.last_migrated_at)
              AND (NOT sim_present(u.last_migrated_at) OR k.last_migrated_at >= u.last_migrated_at)
         THEN k.migrated_selection ELSE u.migrated_selection END AS last_selection
  FROM mfa_users u LEFT JOIN migration_marks k ON k.username = u.username
)
SELECT
  u.user_id,
  u.username,
  CASE WHEN m.hits = 1 THEN m.entra_id END AS entra_id,
  CASE WHEN m.hits = 1 THEN e.user_principal_name END AS upn,
  CASE
    WHEN m.hits IS NULL THEN 'unmatched'
    WHEN m.hits > 1 OR m.sharers > 1 THEN 'ambiguous'
    WHEN s.skip_disabled AND NOT u.enabled THEN 'user_disabled'
    WHEN s.scope_group <> '' AND sm.entra_id IS NULL THEN 'out_of_scope'
    WHEN s.only_changed AND l.last_at IS NOT NULL AND sim_present(u.modified_at)
         AND u.modified_at <= l.last_at AND l.last_selection = s.signature THEN 'unchanged'
    ELSE 'migrate'
  END AS action,
  CASE
    WHEN m.hits IS NULL THEN
      CASE WHEN s.steps_text = '' THEN 'no match steps are configured' ELSE 'tried ' || s.steps_text END
    WHEN m.hits > 1 THEN 'the ' || m.step || ' step found ' || m.hits || ' Entra users'
    WHEN m.sharers > 1 THEN
      'matched ' || coalesce(e.user_principal_name, m.entra_id) || ' by ' || m.step || ', which '
      || (m.sharers - 1) || ' other MFA Server user(s) also matched'
    WHEN s.skip_disabled AND NOT u.enabled THEN 'matched ' || coalesce(e.user_principal_name, m.entra_id)
    WHEN s.scope_group <> '' AND sm.entra_id IS NULL THEN
      CASE WHEN (SELECT count(*) FROM sim_scope_groups) = 0
           THEN 'no group with id or name ''' || s.scope_group || ''' exists in the tenant'
           ELSE 'not a member of ''' || s.scope_group || ''' (directly or through nested groups)' END
    WHEN s.only_changed AND l.last_at IS NOT NULL AND sim_present(u.modified_at)
         AND u.modified_at <= l.last_at AND l.last_selection = s.signature THEN
      'last migrated ' || l.last_at || ', modified ' || u.modified_at
    ELSE 'matched by ' || m.step || '; ' ||
      CASE
        WHEN NOT s.only_changed THEN 'all users are migrated (only_changed is off)'
        WHEN l.last_at IS NULL THEN 'never migrated'
        WHEN NOT sim_present(u.modified_at) THEN 'modification time unknown'
        WHEN u.modified_at > l.last_at THEN 'modified ' || u.modified_at || ' after the last migration ' || l.last_at
        ELSE 'the selection changed since the last migration (' || coalesce(l.last_selection, 'none') || ')'
      END
  END AS detail
FROM mfa_users u
JOIN sim_settings s ON true
JOIN last l ON l.user_id = u.user_id
LEFT JOIN sim_match m ON m.user_id = u.user_id
LEFT JOIN entra_users e ON e.id = m.entra_id AND m.hits = 1
LEFT JOIN sim_scope_members sm ON sm.entra_id = m.entra_id
WHERE NOT s.restricted OR u.user_id IN (SELECT user_id FROM sim_subject);
