-- Helper functions for run summaries and checks.

CREATE OR REPLACE FUNCTION meta.exact_row_count(schema_name text, table_name text)
RETURNS bigint
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
    counted bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %I.%I', schema_name, table_name) INTO counted;
    RETURN counted;
END;
$$;

COMMENT ON FUNCTION meta.exact_row_count(text, text) IS 'Exact row count of one table, for run summaries.';
