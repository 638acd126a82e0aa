-- Whether a workspace table exists (execution's tables appear with the first batch).
SELECT count(*) > 0 FROM information_schema.tables WHERE table_name = $table_name AND table_schema = 'main'
