-- How many users the Users grid's filters keep.
SELECT count(*) FROM {grid} g
{where}
