-- Build statements of mart.residue_case and of mart.backlog_residue_snapshot (built from it).

-- name: create_residue_new
-- Template: <egov_filter> selects the Egov cases computed (`true` for all).
CREATE TEMP TABLE residue_new ON COMMIT DROP AS
WITH as_of AS (
    SELECT (CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date AS as_of_date
)
SELECT e.egov_id, e.case_no AS legacy_case_no, e.unit_code, e.original_unit_code, e.procedure_code,
       e.status_code, e.received_at, e.due_at,
       a.as_of_date - (e.received_at AT TIME ZONE meta.local_zone())::date AS days_open,
       greatest(0, a.as_of_date - (e.due_at AT TIME ZONE meta.local_zone())::date) AS days_overdue,
       e.last_official
FROM staging."case" AS e
CROSS JOIN as_of AS a
WHERE e.source_system = 'egov' AND NOT e.is_deleted AND NOT e.is_terminal
  AND e.received_at < :cutover AND e.finished_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM staging.case_link AS l WHERE l.egov_id = e.egov_id)
  AND {egov_filter};

-- name: create_residue_scope
-- The Egov cases whose residue row may have changed: changed Egov cases and both sides of changed links.
CREATE TEMP TABLE residue_scope ON COMMIT DROP AS
SELECT DISTINCT egov_id FROM pending_changes
WHERE egov_id IS NOT NULL AND ((kind = 'case' AND source_system = 'egov') OR kind = 'link');

-- name: analyze_residue_scope
ANALYZE residue_scope;

-- name: create_snapshot_new
CREATE TEMP TABLE snapshot_new ON COMMIT DROP AS
WITH as_of AS (
    SELECT (CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date AS as_of_date
), today AS (
    SELECT unit_code, count(*)::integer AS residue_count FROM mart.residue_case GROUP BY unit_code
), earlier AS (
    SELECT DISTINCT s.unit_code
    FROM mart.backlog_residue_snapshot AS s
    CROSS JOIN as_of AS a
    WHERE s.as_of_date < a.as_of_date AND s.residue_count > 0
)
SELECT a.as_of_date, coalesce(t.unit_code, e.unit_code) AS unit_code,
       coalesce(t.residue_count, 0) AS residue_count
FROM today AS t
FULL JOIN earlier AS e ON coalesce(e.unit_code, '') = coalesce(t.unit_code, '')
CROSS JOIN as_of AS a;

-- name: residue_by_unit
SELECT unit_code, residue_count
FROM snapshot_new
ORDER BY residue_count DESC, unit_code COLLATE "C";

-- name: check_residue_matches_reconciliation
SELECT (SELECT count(*) FROM mart.residue_case) AS residue_cases,
       (SELECT count(*) FROM mart.backlog_reconciliation WHERE outcome = 'residue') AS residue_rows;
