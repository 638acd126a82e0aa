-- The values the Users grid's filters offer, with how many users have each (kind, value, users).
SELECT 'outcome' AS kind, outcome AS value, count(*) AS users FROM {grid} GROUP BY outcome
UNION ALL SELECT 'status', status, count(*) FROM {grid} GROUP BY status
UNION ALL SELECT 'mfa_group', mfa_group, count(*) FROM {grid} GROUP BY mfa_group
UNION ALL SELECT 'method', mfa_method, count(*) FROM {grid} GROUP BY mfa_method
UNION ALL SELECT 'check', c, count(*) FROM (SELECT unnest(checks) AS c FROM {grid}) GROUP BY c
ORDER BY kind, users DESC, value
