-- Build statements of mart.fact_case: computed into a temp table, published (publication.sql); what changed
-- goes to staging.change_log.
-- The applicant key is the HMAC of the staged ID number under :applicant_hash_key (PII_HASH_KEY, UTF-8 bytes).

-- name: create_fact_case_new
-- Template: <newsys_filter> / <egov_filter> select the case keys computed (`true` for all).
CREATE TEMP TABLE fact_case_new ON COMMIT DROP AS
SELECT n.case_key, n.source_system, e.case_no AS legacy_case_no, n.procedure_code, n.unit_code,
       n.original_unit_code, n.channel, n.status_code, n.received_at, n.due_at, n.finished_at,
       n.returned_at, n.has_result, n.has_e_result, n.is_digitized, n.payment, n.rating, n.has_apology,
       n.synced_national, meta.applicant_key(n.applicant_id, :applicant_hash_key) AS applicant_key
FROM staging."case" AS n
LEFT JOIN staging.case_link AS l ON l.new_case_id = n.record_key
LEFT JOIN staging."case" AS e ON e.source_system = 'egov' AND e.record_key = l.egov_id::text
WHERE n.source_system = 'newsys' AND NOT n.is_deleted AND {newsys_filter}
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
      AND {egov_filter}
    ORDER BY e.case_key, e.egov_id
) AS egov_only;

-- name: create_fact_scope
-- The case keys whose row may have changed: changed staging cases (old and new keys), both sides of changed
-- links, and the new-system records linked to a changed Egov case (their legacy_case_no).
CREATE TEMP TABLE fact_scope ON COMMIT DROP AS
SELECT DISTINCT s.case_key
FROM (
    SELECT c.case_key FROM pending_changes AS c WHERE c.kind IN ('case', 'link')
    UNION ALL
    SELECT c.record_key FROM pending_changes AS c WHERE c.kind = 'link'
    UNION ALL
    SELECT l.new_case_id
    FROM pending_changes AS c
    JOIN staging.case_link AS l ON l.egov_id = c.egov_id
    WHERE c.kind = 'case' AND c.source_system = 'egov'
) AS s
WHERE s.case_key IS NOT NULL;

-- name: analyze_fact_scope
ANALYZE fact_scope;

-- name: log_fact_changes
-- Old and new versions of the changed rows (their images, for the builds that count cases), with the months
-- each counts in (month_to null while open). Template: {image_columns} and {d_image_columns} (prefixed `d.`)
-- are the image columns (transform.change_log.FACT_IMAGE_COLUMNS).
INSERT INTO staging.change_log (kind, image, {image_columns}, month_from, month_to)
SELECT 'fact', d.image, {d_image_columns},
       date_trunc('month', least(d.received_at, d.finished_at) AT TIME ZONE meta.local_zone())::date,
       CASE WHEN d.finished_at IS NOT NULL THEN
           date_trunc('month', greatest(d.received_at, d.finished_at) AT TIME ZONE meta.local_zone())::date
       END
FROM (
    SELECT 'old' AS image, o.*
    FROM (SELECT * FROM mart.fact_case WHERE case_key IN (SELECT case_key FROM fact_scope)
          EXCEPT ALL
          SELECT * FROM fact_case_new) AS o
    UNION ALL
    SELECT 'new' AS image, n.*
    FROM (SELECT * FROM fact_case_new
          EXCEPT ALL
          SELECT * FROM mart.fact_case WHERE case_key IN (SELECT case_key FROM fact_scope)) AS n
) AS d;

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

-- name: applicant_key_changed
-- True when a published applicant key was made under another key than :applicant_hash_key (rotated).
SELECT EXISTS (
    SELECT 1
    FROM (SELECT case_key, source_system, applicant_key FROM mart.fact_case
          WHERE applicant_key IS NOT NULL LIMIT 1) AS f
    JOIN staging."case" AS s ON s.source_system = f.source_system AND s.case_key = f.case_key AND NOT s.is_deleted
    WHERE meta.applicant_key(s.applicant_id, :applicant_hash_key) IS DISTINCT FROM f.applicant_key
)
