-- The Users grid and the Not ready page (analysis/dashboard/grid.py; docs/dashboard.md): one narrow table
-- with a row per MFA Server user, built once per stored readiness report (its key is in dashboard_cache,
-- kind 'grid'), so that paging, filtering and sorting 1,000,000 users read one table. Table tokens:
-- __grid__ (dashboard_grid, or dashboard_mem.grid for a read-only workspace), __plan__, __findings__
-- (the report's findings), __sort__ (a column of the grid from grid.py's fixed list SORTS), __index__.

-- name: build
-- One row per MFA Server user. grid_checks (check_id, severity, title, rank) and grid_actions (action,
-- label, tone) are registered by grid.py; $skip_disabled: the settings' [scope] skip_disabled (who the
-- score counts). Text columns sort and compare without regard to case (COLLATE NOCASE). `tier` comes
-- from the workspace view users_after_date, bound by grid.py to the report's retirement settings.
CREATE OR REPLACE TABLE __grid__ AS
WITH per_check AS (
  SELECT f.user_id, f.check_id, any_value(c.severity) AS severity, any_value(c.title) AS title,
         any_value(c.rank) AS rank, count(*) AS n
  FROM __findings__ f
  JOIN grid_checks c USING (check_id)
  WHERE f.user_id IS NOT NULL
  GROUP BY f.user_id, f.check_id
),
-- Ordered aggregates sort per group (slow for a million users): collect (rank, title) pairs unordered,
-- then sort each user's short list.
found AS (
  SELECT user_id, blockers, warnings, infos,
         list_transform(pairs, lambda p: p.check_id) AS checks,
         array_to_string(list_transform(pairs, lambda p: p.title), '; ') AS finding_titles
  FROM (
    SELECT user_id,
           sum(n) FILTER (WHERE severity = 'blocker') AS blockers,
           sum(n) FILTER (WHERE severity = 'warning') AS warnings,
           sum(n) FILTER (WHERE severity = 'info') AS infos,
           list_sort(list({'rank': rank, 'title': title, 'check_id': check_id})) AS pairs
    FROM per_check
    GROUP BY user_id
  )
),
devices AS (
  SELECT user_id, count(*) AS n FROM mfa_devices GROUP BY user_id
),
phones AS (
  SELECT user_id,
         any_value(CASE WHEN slot = 'phone' THEN graph_number || coalesce(' x' || extension, '') END)
           FILTER (WHERE valid) AS phone,
         any_value(CASE WHEN slot = 'backup_phone' THEN graph_number || coalesce(' x' || extension, '') END)
           FILTER (WHERE valid) AS backup
  FROM mfa_phones
  GROUP BY user_id
),
entra_methods_now AS (
  SELECT user_id,
         string_agg(phone_number, '; ') FILTER (WHERE kind = 'phone' AND phone_type = 'mobile') AS mobile,
         string_agg(phone_number, '; ') FILTER (WHERE kind = 'phone' AND phone_type = 'alternateMobile')
           AS alternate,
         string_agg(phone_number, '; ') FILTER (WHERE kind = 'phone' AND phone_type = 'office') AS office,
         count(*) FILTER (WHERE kind = 'authenticator') AS authenticators,
         count(*) FILTER (WHERE kind IN ('software_oath', 'hardware_oath')) AS oath_tokens,
         count(*) FILTER (WHERE kind NOT IN ('phone', 'authenticator', 'software_oath', 'hardware_oath',
                                             'password')) AS other_methods
  FROM entra_methods
  GROUP BY user_id
),
per_action AS (
  SELECT p.user_id, p.item, p.action, count(*) AS n, any_value(p.writable) AS writable
  FROM __plan__ p
  WHERE p.item <> 'user'
  GROUP BY ALL
),
after AS (
  SELECT user_id, graph_writes, utility_rows, problems,
         array_to_string(list_transform(list_sort(parts), lambda p: p.text), '; ') AS after_plan
  FROM (
    SELECT a.user_id,
           list({'item': CASE a.item WHEN 'phone' THEN 1 WHEN 'backup_phone' THEN 2 WHEN 'device' THEN 3
                                     WHEN 'oath_token' THEN 4 ELSE 5 END,
                 'action': a.action,
                 'text': coalesce(l.label, a.action) || CASE WHEN a.n > 1 THEN ' ×' || a.n ELSE '' END}) AS parts,
           sum(a.n) FILTER (WHERE a.writable = 'graph') AS graph_writes,
           sum(a.n) FILTER (WHERE a.writable = 'utility') AS utility_rows,
           sum(a.n) FILTER (WHERE l.tone = 'bad') AS problems
    FROM per_action a
    LEFT JOIN grid_actions l USING (action)
    GROUP BY a.user_id
  )
),
users AS (
  SELECT p.user_id, p.action AS outcome, p.upn, p.entra_id
  FROM __plan__ p
  WHERE p.item = 'user'
),
-- The username's place in the grid's default order, ranked once here: a page in username order is then a
-- top-N over an integer (at 1,000,000 users 0.01 s instead of 0.1 s for the text; page 200: 0.12 s instead
-- of 0.45 s). Ties (the same name in another case) stay tied and fall to user_id; no username: NULL, last.
-- Ranked on the narrow pairs: a window over the whole row would sort every column with it (5 s more).
username_order AS (
  SELECT user_id, dense_rank() OVER (ORDER BY username COLLATE NOCASE) AS username_order
  FROM mfa_users
  WHERE username IS NOT NULL
)
SELECT
  m.user_id,
  m.username COLLATE NOCASE AS username,
  nullif(trim(concat_ws(' ', m.first_name, m.last_name)), '') COLLATE NOCASE AS name,
  m.email COLLATE NOCASE AS email,
  m.object_sid AS sid,
  coalesce(nullif(m.user_group, ''), '(no group)') COLLATE NOCASE AS mfa_group,
  m.enabled,
  u.outcome,
  coalesce(l.label, u.outcome) COLLATE NOCASE AS outcome_label,
  CASE
    WHEN NOT m.enabled AND $skip_disabled THEN 'not counted'
    WHEN coalesce(f.blockers, 0) > 0 THEN 'blocked'
    WHEN coalesce(f.warnings, 0) > 0 THEN 'warnings'
    ELSE 'ready'
  END AS status,
  coalesce(f.blockers, 0) AS blockers,
  coalesce(f.warnings, 0) AS warnings,
  coalesce(f.infos, 0) AS infos,
  coalesce(f.blockers, 0) + coalesce(f.warnings, 0) + coalesce(f.infos, 0) AS findings,
  coalesce(f.checks, []::VARCHAR[]) AS checks,
  f.finding_titles,
  m.method AS mfa_method,
  coalesce(ph.phone, nullif(trim(m.phone), '')) AS mfa_phone,
  coalesce(ph.backup, nullif(trim(m.backup_phone), '')) AS mfa_backup_phone,
  CASE WHEN m.details_known THEN coalesce(d.n, 0) END AS mfa_devices,
  nullif(trim(m.oath_serial), '') AS mfa_oath,
  u.upn COLLATE NOCASE AS upn,
  u.entra_id,
  e.preferred_method AS entra_default,
  e.system_preferred_enabled AS entra_system_preferred,
  em.mobile AS entra_mobile,
  em.alternate AS entra_alternate,
  em.office AS entra_office,
  CASE WHEN e.id IS NOT NULL AND e.methods_error IS NULL THEN coalesce(em.authenticators, 0) END
    AS entra_authenticators,
  CASE WHEN e.id IS NOT NULL AND e.methods_error IS NULL THEN coalesce(em.oath_tokens, 0) END
    AS entra_oath_tokens,
  e.methods_error AS entra_methods_error,
  a.after_plan COLLATE NOCASE AS after_plan,
  coalesce(a.graph_writes, 0) AS graph_writes,
  coalesce(a.utility_rows, 0) AS utility_rows,
  coalesce(a.problems, 0) AS plan_problems,
  ad.tier,
  -- what the search box looks in, lower-cased once here: one column to scan instead of five ILIKEs
  lower(concat_ws(chr(10), m.username, nullif(trim(concat_ws(' ', m.first_name, m.last_name)), ''),
                  m.email, u.upn, m.object_sid)) AS search,
  o.username_order
FROM mfa_users m
LEFT JOIN users u USING (user_id)
LEFT JOIN grid_actions l ON l.action = u.outcome
LEFT JOIN found f USING (user_id)
LEFT JOIN devices d USING (user_id)
LEFT JOIN phones ph USING (user_id)
LEFT JOIN entra_users e ON e.id = u.entra_id
LEFT JOIN entra_methods_now em ON em.user_id = u.entra_id
LEFT JOIN after a USING (user_id)
LEFT JOIN users_after_date ad USING (user_id)
LEFT JOIN username_order o USING (user_id)

-- name: memory_attached
-- Whether the in-memory database for a read-only workspace's grid is attached to the connection.
SELECT count(*) > 0 FROM duckdb_databases() WHERE database_name = 'dashboard_mem'

-- name: memory_attach
-- A read-only workspace cannot hold the grid: it lives in memory, attached to the connection (every
-- cursor of the process sees it).
ATTACH ':memory:' AS dashboard_mem (READ_ONLY false)

-- name: index
-- The page fetch looks rows up by user id (block rows): 50 index lookups instead of a scan of every user.
CREATE INDEX __index__ ON __grid__ (user_id)

-- name: page
-- The user ids of one page of the filtered users, in the chosen order ($descending), and how many users
-- the filters keep (total, on every row). A NULL filter parameter means "no filter"; lists hold the values
-- to keep. This is the grid's only WHERE: exports and the Not ready page ask it for all ids
-- ($limit NULL) and then read rows by id.
WITH hits AS (
  SELECT g.user_id, g.__sort__ AS k
  FROM __grid__ g
  WHERE ($outcomes IS NULL OR list_contains($outcomes, g.outcome))
    AND ($statuses IS NULL OR list_contains($statuses, g.status))
    AND ($check_id IS NULL OR list_contains(g.checks, $check_id))
    AND ($severities IS NULL
         OR (list_contains($severities, 'blocker') AND g.blockers > 0)
         OR (list_contains($severities, 'warning') AND g.warnings > 0)
         OR (list_contains($severities, 'info') AND g.infos > 0))
    AND ($mfa_groups IS NULL OR list_contains($mfa_groups, g.mfa_group))
    AND ($methods IS NULL OR list_contains($methods, g.mfa_method))
    AND ($tiers IS NULL OR list_contains($tiers, coalesce(g.tier, 'none')))
    AND ($entra_group IS NULL OR g.entra_id IN (
          SELECT t.user_id FROM entra_group_transitive_users t
          JOIN entra_groups eg ON eg.id = t.group_id
          WHERE eg.id = $entra_group OR eg.display_name = $entra_group))
    AND ($text = '' OR contains(g.search, lower($text)))  -- name, username, email, UPN or SID
)
SELECT user_id, (SELECT count(*) FROM hits) AS total
FROM hits
ORDER BY CASE WHEN $descending THEN NULL ELSE k END ASC NULLS LAST,
         CASE WHEN $descending THEN k END DESC NULLS LAST,
         user_id
LIMIT $limit OFFSET $offset

-- name: rows
-- The grid rows of the users $ids, in that order (a page: through the index; an export: every id).
SELECT g.* EXCLUDE (checks, search, username_order)
FROM (SELECT unnest($ids) AS user_id, generate_subscripts($ids, 1) AS position) AS i
JOIN __grid__ g USING (user_id)
ORDER BY i.position

-- name: facets
-- The values the grid's filters offer, with how many users have each (kind, value, users).
SELECT 'outcome' AS kind, outcome AS value, count(*) AS users FROM __grid__ GROUP BY outcome
UNION ALL SELECT 'status', status, count(*) FROM __grid__ GROUP BY status
UNION ALL SELECT 'mfa_group', mfa_group, count(*) FROM __grid__ GROUP BY mfa_group
UNION ALL SELECT 'method', mfa_method, count(*) FROM __grid__ GROUP BY mfa_method
UNION ALL SELECT 'tier', coalesce(tier, 'none'), count(*) FROM __grid__ GROUP BY tier
UNION ALL SELECT 'check', c, count(*) FROM (SELECT unnest(checks) AS c FROM __grid__) GROUP BY c
ORDER BY kind, users DESC, value

-- name: entra_groups
-- Entra groups for the grid's group filter, largest first, with their transitive user members.
SELECT eg.id, coalesce(eg.display_name, eg.id) AS name, count(t.user_id) AS members
FROM entra_groups eg
LEFT JOIN entra_group_transitive_users t ON t.group_id = eg.id
GROUP BY eg.id, eg.display_name
ORDER BY members DESC, lower(name)
LIMIT 5000

-- name: not_ready_findings
-- The blocker and warning findings of the users $ids (the Not ready page's page, or every filtered user).
SELECT f.check_id, f.subject_type, f.user_id, g.username, g.upn, f.detail
FROM __findings__ f
JOIN __grid__ g ON g.user_id = f.user_id
WHERE f.user_id IN (SELECT unnest($ids)) AND g.status IN ('blocked', 'warnings')
