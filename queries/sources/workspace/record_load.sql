-- The load's own record, kept across loads: one `loads` row and one `load_sources` row per input file
-- (from the registered frame load_source_rows(source, path, sha256, rows)).
INSERT INTO loads (load_id, loaded_at, datafile_kind, tool_version)
VALUES ($load_id, $loaded_at, $datafile_kind, $tool_version);

INSERT INTO load_sources (load_id, source, path, sha256, rows)
SELECT $load_id, source, path, sha256, rows FROM load_source_rows;
