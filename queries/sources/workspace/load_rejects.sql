-- Rejected rows of the current load by source and reason, most frequent first.
SELECT source, reason, count(*) AS "rows"
FROM rejects
GROUP BY source, reason
ORDER BY source, count(*) DESC, reason
