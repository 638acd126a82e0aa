-- Stage 3: change detection and the user action (docs/simulate.md).
-- The first action that applies wins: unmatched / ambiguous, user_disabled, out_of_scope, unchanged,
-- migrate. The last migration is the later of mfa_users.last_migrated_at and migration_marks (kept
-- across loads, matched on the username exactly), taken with that row's selection; on equal
-- timestamps migration_marks wins (it is this tool's own verified record). ISO 8601 strings compare
-- as strings; a missing modified_at is never unchanged; the selection must equal the signature.
-- Output: sim_users: the sim_mfa columns later stages read, plus entra_id, upn, preferred (set when
-- the deciding step found exactly one Entra user, also for the "shared Entra user" ambiguity), action and detail.
CREATE OR REPLACE TEMP TABLE sim_users AS
WITH planned AS (
  -- the users this run plans, with the normalised fields later stages read
  SELECT user_id, username, enabled, details_known, method, modified_at, last_migrated_at,
         migrated_selection, has_phone, ext, has_backup, bext, oath_serial, oath_kind, oath_secret
  FROM sim_mfa_all WHERE NOT (SELECT restricted FROM sim_settings)
  UNION ALL
  SELECT user_id, username, enabled, details_known, method, modified_at, last_migrated_at,
         migrated_selection, has_phone, ext, has_backup, bext, oath_serial, oath_kind, oath_secret
  FROM sim_mfa_all
  WHERE (SELECT restricted FROM sim_settings) AND user_id IN (SELECT user_id FROM sim_subject)
),
joined AS (
  SELECT
    m.*,
    h.step, h.hits, h.sharers,
    e.id AS entra_id,
    e.user_principal_name AS upn,
    sim_clean(e.preferred_method) AS preferred,
    sm.entra_id IS NOT NULL AS in_group,
    CASE WHEN sim_present(k.last_migrated_at)
              AND (m.last_migrated_at IS NULL OR k.last_migrated_at >= m.last_migrated_at)
         THEN k.last_migrated_at ELSE m.last_migrated_at END AS last_at,
    CASE WHEN sim_present(k.last_migrated_at)
              AND (m.last_migrated_at IS NULL OR k.last_migrated_at >= m.last_migrated_at)
         THEN k.migrated_selection ELSE m.migrated_selection END AS last_selection
  FROM planned m
  LEFT JOIN sim_match h ON h.user_id = m.user_id
  LEFT JOIN entra_users e ON e.rowid = h.eid AND h.hits = 1
  LEFT JOIN migration_marks k ON k.username = m.username
  LEFT JOIN sim_scope_members sm ON sm.entra_id = e.id
),
decided AS (
  SELECT j.*,
    CASE
      WHEN j.hits IS NULL THEN 'unmatched'
      WHEN j.hits > 1 OR j.sharers > 1 THEN 'ambiguous'
      WHEN s.skip_disabled AND NOT j.enabled THEN 'user_disabled'
      WHEN s.scope_group <> '' AND NOT j.in_group THEN 'out_of_scope'
      WHEN s.only_changed AND j.last_at IS NOT NULL AND j.modified_at IS NOT NULL
           AND j.modified_at <= j.last_at AND j.last_selection = s.signature THEN 'unchanged'
      ELSE 'migrate'
    END AS action,
    s.steps_text, s.scope_group, s.only_changed
  FROM joined j, sim_settings s
)
SELECT
  -- only what later stages read (every column here is materialised for every user)
  d.* EXCLUDE (steps_text, scope_group, only_changed, modified_at,
               last_migrated_at, migrated_selection, step, hits, sharers, in_group, last_at, last_selection,
               enabled),
  CASE d.action
    WHEN 'unmatched' THEN
      CASE WHEN d.steps_text = '' THEN 'no match steps are configured' ELSE 'tried ' || d.steps_text END
    WHEN 'ambiguous' THEN
      CASE WHEN d.hits > 1 THEN 'the ' || d.step || ' step found ' || d.hits || ' Entra users'
           ELSE 'matched ' || coalesce(d.upn, d.entra_id) || ' by ' || d.step || ', which '
                || (d.sharers - 1) || ' other MFA Server user(s) also matched' END
    WHEN 'user_disabled' THEN 'matched ' || coalesce(d.upn, d.entra_id)
    WHEN 'out_of_scope' THEN
      CASE WHEN (SELECT count(*) FROM sim_scope_groups) = 0
           THEN 'no group with id or name ''' || d.scope_group || ''' exists in the tenant'
           ELSE 'not a member of ''' || d.scope_group || ''' (directly or through nested groups)' END
    WHEN 'unchanged' THEN 'last migrated ' || d.last_at || ', modified ' || d.modified_at
    ELSE 'matched by ' || d.step || '; ' ||
      CASE
        WHEN NOT d.only_changed THEN 'all users are migrated (only_changed is off)'
        WHEN d.last_at IS NULL THEN 'never migrated'
        WHEN d.modified_at IS NULL THEN 'modification time unknown'
        WHEN d.modified_at > d.last_at THEN 'modified ' || d.modified_at || ' after the last migration ' || d.last_at
        ELSE 'the selection changed since the last migration (' || coalesce(d.last_selection, 'none') || ')'
      END
  END AS detail
FROM decided d;
