-- applicant_key is pseudonymous personal data: a keyed hash that ties together every case of one applicant,
-- and that whoever holds PII_HASH_KEY can link back to an ID number. The reporting role reads every column of
-- the marts except this one (column privileges); a column added to mart.fact_case later must be granted to
-- it in the migration that adds it (tests/integration/test_roles.py lists the columns from the catalogue).

REVOKE SELECT ON mart.fact_case FROM egov_sync_reporting;

DO $$
DECLARE
    readable text;
BEGIN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO readable
    FROM pg_attribute
    WHERE attrelid = 'mart.fact_case'::regclass AND attnum > 0 AND NOT attisdropped
      AND attname <> 'applicant_key';
    EXECUTE format('GRANT SELECT (%s) ON mart.fact_case TO egov_sync_reporting', readable);
END
$$;

COMMENT ON TABLE mart.fact_case IS
    'One row per real case: every valid, non-deleted new-system case and every valid Egov case that no '
    'migrated record links to. Applicants appear only pseudonymised (applicant_key), never by name, ID '
    'number, phone or e-mail; the reporting role cannot read applicant_key.';
COMMENT ON COLUMN mart.fact_case.applicant_key IS
    'Pseudonymised applicant: lowercase hex HMAC-SHA-256, keyed with PII_HASH_KEY, of the trimmed ID number; '
    'null when there is none. Personal data (pseudonymous): not readable by the reporting role.';
