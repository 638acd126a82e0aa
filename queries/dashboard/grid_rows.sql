-- One page of the Users grid, second step: the rows of the users grid_page.sql picked (index lookups).
SELECT * EXCLUDE (checks) FROM {grid} WHERE user_id IN (SELECT unnest($ids))
