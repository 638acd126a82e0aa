-- The blocker and warning findings of the users the Users grid's filters keep (grid_where.sql), for the "Not
-- ready" page (one page: $ids; an export: $ids NULL). {findings}: the stored report's findings.
SELECT f.check_id, f.subject_type, f.user_id, g.username, g.upn, f.detail
FROM {findings} f
JOIN {grid} g ON g.user_id = f.user_id
{where}
  AND g.status IN ('blocked', 'warnings')
  AND ($ids IS NULL OR list_contains($ids, g.user_id))
