-- The Users grid: one row per MFA Server user with what the page filters, sorts and shows (docs/dashboard.md).
-- Built once per stored report (the key is in dashboard_cache, kind 'grid') so that paging, filtering and
-- sorting 1,000,000 users read one narrow table. Placeholders (in braces below): grid, the table to
-- create; plan, the plan table; findings, the report's findings. grid_checks (check_id, severity, title,
-- rank) and grid_actions (action, label, tone) are registered by analysis/dashboard/grid.py.
-- $skip_disabled: the settings' [scope] skip_disabled (who the score counts).
CREATE OR REPLACE TABLE {grid} AS
WITH per_check AS (
  SELECT f.user_id, f.check_id, any_value(c.severity) AS severity, any_value(c.title) AS title,
         any_value(c.rank) AS rank, count(*) AS n
  FROM {findings} f
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
  FROM {plan} p
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
  FROM {plan} p
  WHERE p.item = 'user'
)
SELECT
  m.user_id,
  m.username,
  nullif(trim(concat_ws(' ', m.first_name, m.last_name)), '') AS name,
  m.email,
  m.object_sid AS sid,
  coalesce(nullif(m.user_group, ''), '(no group)') AS mfa_group,
  m.enabled,
  u.outcome,
  coalesce(l.label, u.outcome) AS outcome_label,
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
  u.upn,
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
  a.after_plan,
  coalesce(a.graph_writes, 0) AS graph_writes,
  coalesce(a.utility_rows, 0) AS utility_rows,
  coalesce(a.problems, 0) AS plan_problems
FROM mfa_users m
LEFT JOIN users u USING (user_id)
LEFT JOIN grid_actions l ON l.action = u.outcome
LEFT JOIN found f USING (user_id)
LEFT JOIN devices d USING (user_id)
LEFT JOIN phones ph USING (user_id)
LEFT JOIN entra_users e ON e.id = u.entra_id
LEFT JOIN entra_methods_now em ON em.user_id = u.entra_id
LEFT JOIN after a USING (user_id)
