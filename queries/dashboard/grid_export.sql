-- Every user the Users grid's filters keep, in the grid's order, with the export's columns ({columns}:
-- analysis/dashboard/grid.py's fixed list).
SELECT {columns}
FROM {grid} g
{where}
ORDER BY {order}, g.user_id
