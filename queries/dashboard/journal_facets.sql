-- The values the journal filters offer, with counts.
SELECT 'kind' AS facet, kind AS value, count(*) AS n FROM journal GROUP BY kind
UNION ALL SELECT 'outcome', outcome, count(*) FROM journal WHERE outcome IS NOT NULL GROUP BY outcome
UNION ALL SELECT 'step', step, count(*) FROM journal WHERE step IS NOT NULL GROUP BY step
ORDER BY facet, n DESC
