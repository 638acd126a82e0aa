-- The Users grid's page fetch looks rows up by user id (grid_rows.sql): an index makes that 50 lookups
-- instead of a scan of every user.
CREATE INDEX {index} ON {grid} (user_id)
