-- Migration groups named in the batches' execution options.
SELECT DISTINCT json_extract_string(options_json, '$.migration_group') FROM batches
