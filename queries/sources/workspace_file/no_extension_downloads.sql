-- Every connection the product opens: DuckDB never downloads or loads an extension on its own (json and
-- parquet, which the product uses, are built into the duckdb package). The settings hold for the whole
-- database instance, so every cursor and later connection to the same file in this process has them.
SET autoinstall_known_extensions = false;
SET autoload_known_extensions = false;
