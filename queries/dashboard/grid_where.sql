-- The Users grid's filters (composed into grid_page.sql, grid_count.sql and grid_export.sql by
-- analysis/dashboard/grid.py). A NULL parameter means "no filter"; lists hold the values to keep.
WHERE ($outcomes IS NULL OR list_contains($outcomes, g.outcome))
  AND ($statuses IS NULL OR list_contains($statuses, g.status))
  AND ($check_id IS NULL OR list_contains(g.checks, $check_id))
  AND ($severities IS NULL
       OR (list_contains($severities, 'blocker') AND g.blockers > 0)
       OR (list_contains($severities, 'warning') AND g.warnings > 0)
       OR (list_contains($severities, 'info') AND g.infos > 0))
  AND ($mfa_groups IS NULL OR list_contains($mfa_groups, g.mfa_group))
  AND ($methods IS NULL OR list_contains($methods, g.mfa_method))
  AND ($entra_group IS NULL OR g.entra_id IN (
        SELECT t.user_id FROM entra_group_transitive_users t
        JOIN entra_groups eg ON eg.id = t.group_id
        WHERE eg.id = $entra_group OR eg.display_name = $entra_group))
  AND ($text = '' OR g.username ILIKE '%' || $text || '%' OR g.name ILIKE '%' || $text || '%'
       OR g.email ILIKE '%' || $text || '%' OR g.upn ILIKE '%' || $text || '%'
       OR g.sid ILIKE '%' || $text || '%')
