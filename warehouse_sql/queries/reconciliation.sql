-- Build statements of mart.backlog_reconciliation: computed into a temp table, then published.

-- name: create_reconciliation_result
-- Template: <egov_filter> / <migrated_filter> restrict the Egov cases and migrated records read, and
-- <result_filter> (a condition on alias r) the rows kept (`true` for a full build).
CREATE TEMP TABLE recon_result ON COMMIT DROP AS
SELECT * FROM (
WITH egov AS (
    SELECT egov_id, case_no, unit_code, received_at, is_terminal,
           received_at < :cutover AND (finished_at IS NULL OR finished_at >= :cutover) AS is_backlog
    FROM staging."case"
    WHERE source_system = 'egov' AND NOT is_deleted AND {egov_filter}
), linked AS (
    SELECT m.record_key AS new_case_id, m.unit_code, m.received_at,
           l.egov_id, l.match_method, l.mismatch_fields,
           e.case_no AS legacy_case_no, e.unit_code AS egov_unit_code, e.received_at AS egov_received_at,
           coalesce(e.is_backlog, false) AS to_backlog,
           row_number() OVER (PARTITION BY l.egov_id ORDER BY m.record_key COLLATE "C") AS rank
    FROM staging."case" AS m
    LEFT JOIN staging.case_link AS l ON l.new_case_id = m.record_key
    LEFT JOIN egov AS e ON e.egov_id = l.egov_id
    WHERE m.source_system = 'newsys' AND NOT m.is_deleted AND m.origin = 'EGOV' AND {migrated_filter}
)
SELECT e.case_no AS legacy_case_no,
       p.new_case_id,
       CASE WHEN p.new_case_id IS NULL THEN
                CASE WHEN e.is_terminal THEN 'finished_in_egov' ELSE 'residue' END
            WHEN e.is_terminal THEN 'double_handled'
            WHEN p.mismatch_fields = '' THEN 'migrated'
            ELSE 'migrated_mismatch'
       END AS outcome,
       p.match_method,
       p.mismatch_fields,
       e.unit_code,
       e.received_at
FROM egov AS e
LEFT JOIN linked AS p ON p.egov_id = e.egov_id AND p.rank = 1
WHERE e.is_backlog
UNION ALL
SELECT l.legacy_case_no,
       l.new_case_id,
       CASE WHEN l.to_backlog THEN 'duplicate_migrated' ELSE 'orphan_migrated' END,
       l.match_method,
       l.mismatch_fields,
       CASE WHEN l.to_backlog THEN l.egov_unit_code ELSE l.unit_code END,
       CASE WHEN l.to_backlog THEN l.egov_received_at ELSE l.received_at END
FROM linked AS l
WHERE NOT (l.to_backlog AND l.rank = 1)
) AS r
WHERE {result_filter};

-- name: create_recon_case_no
-- The rows that may have changed: those of the Egov case numbers of changed Egov cases and links (old and
-- new), and those of changed migrated records; then every Egov case and migrated record they are built from.
CREATE TEMP TABLE recon_case_no ON COMMIT DROP AS
SELECT DISTINCT case_no FROM pending_changes
WHERE ((kind = 'case' AND source_system = 'egov') OR kind = 'link') AND case_no IS NOT NULL;

-- name: create_recon_record
CREATE TEMP TABLE recon_record ON COMMIT DROP AS
SELECT DISTINCT record_key FROM pending_changes
WHERE ((kind = 'case' AND source_system = 'newsys') OR kind = 'link') AND record_key IS NOT NULL;

-- name: create_recon_egov
CREATE TEMP TABLE recon_egov ON COMMIT DROP AS
SELECT e.egov_id FROM staging."case" AS e
WHERE e.case_key IN (SELECT 'EGOV:' || case_no FROM recon_case_no) AND e.source_system = 'egov'
UNION
SELECT l.egov_id FROM staging.case_link AS l WHERE l.new_case_id IN (SELECT record_key FROM recon_record);

-- name: create_recon_migrated
CREATE TEMP TABLE recon_migrated ON COMMIT DROP AS
SELECT record_key FROM recon_record
UNION
SELECT l.new_case_id FROM staging.case_link AS l WHERE l.egov_id IN (SELECT egov_id FROM recon_egov);

-- name: outcome_counts
SELECT outcome, count(*) AS cases
FROM mart.backlog_reconciliation
GROUP BY outcome
ORDER BY outcome;

-- name: mismatch_sample
SELECT legacy_case_no, new_case_id, outcome, match_method, mismatch_fields
FROM mart.backlog_reconciliation
WHERE mismatch_fields <> ''
ORDER BY legacy_case_no COLLATE "C", new_case_id COLLATE "C"
LIMIT :limit;

-- name: check_backlog_conservation
WITH backlog AS (
    SELECT case_no, count(*) AS n
    FROM staging."case"
    WHERE source_system = 'egov' AND NOT is_deleted
      AND received_at < :cutover AND (finished_at IS NULL OR finished_at >= :cutover)
    GROUP BY case_no
), published AS (
    SELECT legacy_case_no, count(*) AS n
    FROM mart.backlog_reconciliation
    WHERE outcome IN ('finished_in_egov', 'residue', 'migrated', 'migrated_mismatch', 'double_handled')
    GROUP BY legacy_case_no
)
SELECT coalesce(b.case_no, p.legacy_case_no) AS legacy_case_no,
       coalesce(b.n, 0) AS backlog_cases, coalesce(p.n, 0) AS backlog_rows
FROM backlog AS b
FULL JOIN published AS p ON p.legacy_case_no = b.case_no
WHERE coalesce(b.n, 0) <> coalesce(p.n, 0)
ORDER BY coalesce(b.case_no, p.legacy_case_no) COLLATE "C"
LIMIT 20;

-- name: check_migrated_conservation
WITH migrated AS (
    SELECT record_key AS new_case_id
    FROM staging."case"
    WHERE source_system = 'newsys' AND NOT is_deleted AND origin = 'EGOV'
), published AS (
    SELECT new_case_id, count(*) AS n
    FROM mart.backlog_reconciliation
    WHERE new_case_id IS NOT NULL
    GROUP BY new_case_id
)
SELECT coalesce(m.new_case_id, p.new_case_id) AS new_case_id, coalesce(p.n, 0) AS rows
FROM migrated AS m
FULL JOIN published AS p ON p.new_case_id = m.new_case_id
WHERE m.new_case_id IS NULL OR coalesce(p.n, 0) <> 1
ORDER BY coalesce(m.new_case_id, p.new_case_id) COLLATE "C"
LIMIT 20;
