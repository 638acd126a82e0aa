-- Ids that must be unique in the snapshot, as (file, id, lines, count); the loader stops with one error
-- listing the first few.
SELECT * FROM (
  SELECT 'users.jsonl' AS file, id, list(source_line ORDER BY source_line)[1:5] AS lines, count(*) AS n
  FROM entra_users GROUP BY id HAVING count(*) > 1
  UNION ALL
  SELECT 'groups.jsonl', id, list(line ORDER BY line)[1:5], count(*)
  FROM entra_groups_stage WHERE is_object AND present(id) GROUP BY id HAVING count(*) > 1
)
ORDER BY file DESC, lines[1]
LIMIT 5
