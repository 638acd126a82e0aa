-- After the snapshot is staged (the only step whose row order matters: record ordinal = line number),
-- let DuckDB insert in parallel without keeping the input order.
SET preserve_insertion_order = false;
