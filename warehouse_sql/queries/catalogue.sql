-- The warehouse's data dictionary as the migrations leave it: every table of raw, staging and mart, its
-- comment, and its columns in order with their type, nullability and comment (COMMENT ON COLUMN).

-- name: table_columns
SELECT n.nspname || '.' || c.relname AS table_name,
       obj_description(c.oid, 'pg_class') AS table_comment,
       a.attname AS column_name,
       format_type(a.atttypid, a.atttypmod) AS column_type,
       NOT a.attnotnull AS nullable,
       col_description(c.oid, a.attnum) AS column_comment
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname IN ('raw', 'staging', 'mart') AND c.relkind IN ('r', 'p')
ORDER BY n.nspname, c.relname, a.attnum
