-- Build statements of mart.fact_case: computed into a temp table, published as a difference (difference.sql).
-- The applicant key is the HMAC of the staged ID number under :applicant_hash_key (PII_HASH_KEY, UTF-8 bytes).

-- name: lock_fact_case
LOCK TABLE mart.fact_case IN SHARE ROW EXCLUSIVE MODE;

-- name: create_fact_case_new
CREATE TEMP TABLE fact_case_new ON COMMIT DROP AS
SELECT n.case_key, n.source_system, e.case_no AS legacy_case_no, n.procedure_code, n.unit_code,
       n.original_unit_code, n.channel, n.status_code, n.received_at, n.due_at, n.finished_at,
       n.returned_at, n.has_result, n.has_e_result, n.is_digitized, n.payment, n.rating, n.has_apology,
       n.synced_national, meta.applicant_key(n.applicant_id, :applicant_hash_key) AS applicant_key
FROM staging."case" AS n
LEFT JOIN staging.case_link AS l ON l.new_case_id = n.record_key
LEFT JOIN staging."case" AS e ON e.source_system = 'egov' AND e.record_key = l.egov_id::text
WHERE n.source_system = 'newsys' AND NOT n.is_deleted
UNION ALL
SELECT * FROM (
    SELECT DISTINCT ON (e.case_key)
           e.case_key, e.source_system, e.case_no, e.procedure_code, e.unit_code, e.original_unit_code,
           e.channel, e.status_code, e.received_at, e.due_at, e.finished_at, e.returned_at, e.has_result,
           e.has_e_result, e.is_digitized, e.payment, e.rating, e.has_apology, e.synced_national,
           meta.applicant_key(e.applicant_id, :applicant_hash_key)
    FROM staging."case" AS e
    WHERE e.source_system = 'egov' AND NOT e.is_deleted
      AND NOT EXISTS (SELECT 1 FROM staging.case_link AS l WHERE l.egov_id = e.egov_id)
    ORDER BY e.case_key, e.egov_id
) AS egov_only;

-- name: fact_case_counts
SELECT source_system, count(*) AS cases, count(legacy_case_no) AS with_legacy_no
FROM mart.fact_case
GROUP BY source_system
ORDER BY source_system;

-- name: check_fact_case_keys
SELECT case_key, count(*) AS n
FROM mart.fact_case
GROUP BY case_key
HAVING count(*) > 1
ORDER BY case_key COLLATE "C"
LIMIT 20;
