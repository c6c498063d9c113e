-- Build statements of mart.backlog_reconciliation: compute into temp tables, then apply the difference.

-- name: lock_reconciliation
LOCK TABLE mart.backlog_reconciliation IN SHARE ROW EXCLUSIVE MODE;

-- name: create_reconciliation_result
CREATE TEMP TABLE recon_result ON COMMIT DROP AS
WITH egov AS (
    SELECT egov_id, case_no, unit_code, received_at, is_terminal,
           received_at < :cutover AND (finished_at IS NULL OR finished_at >= :cutover) AS is_backlog
    FROM staging."case"
    WHERE source_system = 'egov' AND NOT is_deleted
), linked AS (
    SELECT m.record_key AS new_case_id, m.unit_code, m.received_at,
           l.egov_id, l.match_method, l.mismatch_fields,
           e.case_no AS legacy_case_no, e.unit_code AS egov_unit_code, e.received_at AS egov_received_at,
           coalesce(e.is_backlog, false) AS to_backlog,
           row_number() OVER (PARTITION BY l.egov_id ORDER BY m.record_key COLLATE "C") AS rank
    FROM staging."case" AS m
    LEFT JOIN staging.case_link AS l ON l.new_case_id = m.record_key
    LEFT JOIN egov AS e ON e.egov_id = l.egov_id
    WHERE m.source_system = 'newsys' AND NOT m.is_deleted AND m.origin = 'EGOV'
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
WHERE NOT (l.to_backlog AND l.rank = 1);

-- name: create_reconciliation_new
CREATE TEMP TABLE recon_new ON COMMIT DROP AS
SELECT r.*,
       coalesce(r.new_case_id, '') AS k_new,
       coalesce(r.legacy_case_no, '') AS k_legacy,
       row_number() OVER (
           PARTITION BY r.new_case_id, r.legacy_case_no
           ORDER BY r.outcome, r.unit_code, r.received_at, r.match_method, r.mismatch_fields
       ) AS dup_no
FROM recon_result AS r;

-- name: create_reconciliation_old
CREATE TEMP TABLE recon_old ON COMMIT DROP AS
SELECT b.ctid AS tid, b.*,
       coalesce(b.new_case_id, '') AS k_new,
       coalesce(b.legacy_case_no, '') AS k_legacy,
       row_number() OVER (
           PARTITION BY b.new_case_id, b.legacy_case_no
           ORDER BY b.outcome, b.unit_code, b.received_at, b.match_method, b.mismatch_fields
       ) AS dup_no
FROM mart.backlog_reconciliation AS b;

-- name: delete_gone_reconciliation
DELETE FROM mart.backlog_reconciliation AS b
USING recon_old AS o
WHERE b.ctid = o.tid
  AND NOT EXISTS (
      SELECT 1 FROM recon_new AS n
      WHERE n.k_new = o.k_new AND n.k_legacy = o.k_legacy AND n.dup_no = o.dup_no
  );

-- name: update_changed_reconciliation
UPDATE mart.backlog_reconciliation AS b
SET outcome = n.outcome,
    match_method = n.match_method,
    mismatch_fields = n.mismatch_fields,
    unit_code = n.unit_code,
    received_at = n.received_at
FROM recon_old AS o
JOIN recon_new AS n ON n.k_new = o.k_new AND n.k_legacy = o.k_legacy AND n.dup_no = o.dup_no
WHERE b.ctid = o.tid
  AND (o.outcome, o.match_method, o.mismatch_fields, o.unit_code, o.received_at)
      IS DISTINCT FROM (n.outcome, n.match_method, n.mismatch_fields, n.unit_code, n.received_at);

-- name: insert_new_reconciliation
INSERT INTO mart.backlog_reconciliation
    (legacy_case_no, new_case_id, outcome, match_method, mismatch_fields, unit_code, received_at)
SELECT n.legacy_case_no, n.new_case_id, n.outcome, n.match_method, n.mismatch_fields, n.unit_code, n.received_at
FROM recon_new AS n
WHERE NOT EXISTS (
    SELECT 1 FROM recon_old AS o
    WHERE o.k_new = n.k_new AND o.k_legacy = n.k_legacy AND o.dup_no = n.dup_no
);

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
