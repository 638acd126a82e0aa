-- The file's own tables (main database, any schema), to tell a workspace from another program's file.
SELECT table_name
FROM information_schema.tables
WHERE table_catalog = current_database()
ORDER BY table_name;
