-- One page of the Users grid, first step: the user ids of the filtered users in the chosen order
-- (order: a column of the grid table and a direction, from analysis/dashboard/grid.py's fixed list;
-- user_id breaks ties). Only the sort key and the filtered columns are read; grid_rows.sql then fetches
-- the page's rows through the index on user_id.
SELECT g.user_id
FROM {grid} g
{where}
ORDER BY {order}, g.user_id
LIMIT $limit OFFSET $offset
