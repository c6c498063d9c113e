-- Build statements of mart.fact_case: compute into a temp table, then apply the difference.

-- name: lock_fact_case
LOCK TABLE mart.fact_case IN SHARE ROW EXCLUSIVE MODE;

-- name: create_fact_case_new
CREATE TEMP TABLE fact_case_new ON COMMIT DROP AS
SELECT n.case_key, n.source_system, e.case_no AS legacy_case_no, n.procedure_code, n.unit_code,
       n.original_unit_code, n.channel, n.status_code, n.received_at, n.due_at, n.finished_at,
       n.returned_at, n.has_result, n.has_e_result, n.is_digitized, n.payment, n.rating, n.has_apology,
       n.synced_national, n.applicant_key
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
           e.applicant_key
    FROM staging."case" AS e
    WHERE e.source_system = 'egov' AND NOT e.is_deleted
      AND NOT EXISTS (SELECT 1 FROM staging.case_link AS l WHERE l.egov_id = e.egov_id)
    ORDER BY e.case_key, e.egov_id
) AS egov_only;

-- name: delete_gone_fact_case
DELETE FROM mart.fact_case AS f
WHERE NOT EXISTS (SELECT 1 FROM fact_case_new AS n WHERE n.case_key = f.case_key);

-- name: update_changed_fact_case
UPDATE mart.fact_case AS f
SET source_system = n.source_system, legacy_case_no = n.legacy_case_no, procedure_code = n.procedure_code,
    unit_code = n.unit_code, original_unit_code = n.original_unit_code, channel = n.channel,
    status_code = n.status_code, received_at = n.received_at, due_at = n.due_at,
    finished_at = n.finished_at, returned_at = n.returned_at, has_result = n.has_result,
    has_e_result = n.has_e_result, is_digitized = n.is_digitized, payment = n.payment, rating = n.rating,
    has_apology = n.has_apology, synced_national = n.synced_national, applicant_key = n.applicant_key
FROM fact_case_new AS n
WHERE n.case_key = f.case_key
  AND (f.source_system, f.legacy_case_no, f.procedure_code, f.unit_code, f.original_unit_code, f.channel,
       f.status_code, f.received_at, f.due_at, f.finished_at, f.returned_at, f.has_result, f.has_e_result,
       f.is_digitized, f.payment, f.rating, f.has_apology, f.synced_national, f.applicant_key)
      IS DISTINCT FROM
      (n.source_system, n.legacy_case_no, n.procedure_code, n.unit_code, n.original_unit_code, n.channel,
       n.status_code, n.received_at, n.due_at, n.finished_at, n.returned_at, n.has_result, n.has_e_result,
       n.is_digitized, n.payment, n.rating, n.has_apology, n.synced_national, n.applicant_key);

-- name: insert_new_fact_case
INSERT INTO mart.fact_case (
    case_key, source_system, legacy_case_no, procedure_code, unit_code, original_unit_code, channel,
    status_code, received_at, due_at, finished_at, returned_at, has_result, has_e_result, is_digitized,
    payment, rating, has_apology, synced_national, applicant_key
)
SELECT n.case_key, n.source_system, n.legacy_case_no, n.procedure_code, n.unit_code, n.original_unit_code,
       n.channel, n.status_code, n.received_at, n.due_at, n.finished_at, n.returned_at, n.has_result,
       n.has_e_result, n.is_digitized, n.payment, n.rating, n.has_apology, n.synced_national, n.applicant_key
FROM fact_case_new AS n
WHERE NOT EXISTS (SELECT 1 FROM mart.fact_case AS f WHERE f.case_key = n.case_key);

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
