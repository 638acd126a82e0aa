-- DuckDB settings for the duration of a load: the memory DuckDB may use before it spills to disk. With
-- the Arrow chunks in flight this keeps a 1,000,000-user load's peak RSS well under 4 GB.
SET memory_limit = '1800MB';
SET enable_progress_bar = false;
