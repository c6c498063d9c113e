-- Build statements of staging.case_link: each migrated record linked to the Egov case it copies; changed
-- links go to staging.change_log.

-- name: delete_case_link
DELETE FROM staging.case_link;

-- name: insert_case_link
INSERT INTO staging.case_link (new_case_id, egov_id, match_method, mismatch_fields)
SELECT new_case_id, egov_id, match_method, mismatch_fields FROM link_new

-- name: analyze_case_link
ANALYZE staging.case_link;

-- name: create_link_scope
-- The migrated records whose link may have changed: changed new-system records, and the migrated records
-- whose candidate Egov cases changed (same normalised case number or fingerprint as an old or new version
-- of a changed Egov case, or linked to one).
CREATE TEMP TABLE link_scope ON COMMIT DROP AS
WITH changed AS (
    SELECT * FROM pending_changes WHERE kind = 'case'
)
SELECT DISTINCT s.new_case_id
FROM (
    SELECT c.record_key AS new_case_id FROM changed AS c WHERE c.source_system = 'newsys'
    UNION ALL
    SELECT m.record_key
    FROM changed AS c
    JOIN staging."case" AS m
      ON m.source_system = 'newsys' AND m.origin = 'EGOV' AND m.legacy_case_no_norm = c.case_no_norm
    WHERE c.source_system = 'egov'
    UNION ALL
    SELECT m.record_key
    FROM changed AS c
    JOIN staging."case" AS m
      ON m.source_system = 'newsys' AND m.origin = 'EGOV' AND m.procedure_code = c.procedure_code
     AND m.applicant_id = c.applicant_id AND m.received_minute = c.received_minute
    WHERE c.source_system = 'egov'
    UNION ALL
    SELECT l.new_case_id
    FROM changed AS c
    JOIN staging.case_link AS l ON l.egov_id = c.egov_id
    WHERE c.source_system = 'egov'
) AS s;

-- name: analyze_link_scope
ANALYZE link_scope;

-- name: create_link_new
-- Template: {migrated_filter} selects the migrated records linked (`true` for all of them).
CREATE TEMP TABLE link_new ON COMMIT DROP AS
WITH migrated AS (
    SELECT record_key, legacy_case_no_norm, procedure_code, applicant_id, received_minute, unit_code
    FROM staging."case"
    WHERE source_system = 'newsys' AND NOT is_deleted AND origin = 'EGOV' AND {migrated_filter}
), by_case_no AS (
    SELECT e.case_no_norm, min(e.egov_id) AS egov_id
    FROM staging."case" AS e
    WHERE e.source_system = 'egov' AND NOT e.is_deleted
      AND e.case_no_norm IN (SELECT legacy_case_no_norm FROM migrated)
    GROUP BY e.case_no_norm
    HAVING count(*) = 1
), by_fingerprint AS (
    SELECT e.procedure_code, e.applicant_id, e.received_minute, min(e.egov_id) AS egov_id
    FROM staging."case" AS e
    WHERE e.source_system = 'egov' AND NOT e.is_deleted
      AND (e.procedure_code, e.applicant_id, e.received_minute) IN (
          SELECT procedure_code, applicant_id, received_minute FROM migrated
      )
    GROUP BY e.procedure_code, e.applicant_id, e.received_minute
    HAVING count(*) = 1
), linked AS (
    SELECT m.*, coalesce(c.egov_id, f.egov_id) AS egov_id,
           CASE WHEN c.egov_id IS NOT NULL THEN 'case_no' ELSE 'fingerprint' END AS match_method
    FROM migrated AS m
    LEFT JOIN by_case_no AS c ON c.case_no_norm = m.legacy_case_no_norm
    LEFT JOIN by_fingerprint AS f
           ON c.egov_id IS NULL
          AND f.procedure_code = m.procedure_code
          AND f.applicant_id = m.applicant_id
          AND f.received_minute = m.received_minute
)
SELECT l.record_key AS new_case_id, l.egov_id, l.match_method,
       concat_ws(',',
           CASE WHEN l.applicant_id IS DISTINCT FROM e.applicant_id THEN 'applicant_id' END,
           CASE WHEN l.procedure_code IS DISTINCT FROM e.procedure_code THEN 'procedure_code' END,
           CASE WHEN l.received_minute IS DISTINCT FROM e.received_minute THEN 'received_at' END,
           CASE WHEN l.unit_code IS DISTINCT FROM e.unit_code THEN 'unit_code' END) AS mismatch_fields
FROM linked AS l
JOIN staging."case" AS e ON e.source_system = 'egov' AND e.egov_id = l.egov_id AND NOT e.is_deleted;

-- name: log_link_changes
INSERT INTO staging.change_log (kind, record_key, egov_id, case_no, case_key)
SELECT 'link', d.new_case_id, d.egov_id, e.case_no, 'EGOV:' || e.case_no
FROM (
    (SELECT new_case_id, egov_id, match_method, mismatch_fields
     FROM staging.case_link WHERE new_case_id IN (SELECT new_case_id FROM link_scope)
     EXCEPT
     SELECT new_case_id, egov_id, match_method, mismatch_fields FROM link_new)
    UNION
    (SELECT new_case_id, egov_id, match_method, mismatch_fields FROM link_new
     EXCEPT
     SELECT new_case_id, egov_id, match_method, mismatch_fields
     FROM staging.case_link WHERE new_case_id IN (SELECT new_case_id FROM link_scope))
) AS d
LEFT JOIN staging."case" AS e ON e.source_system = 'egov' AND e.egov_id = d.egov_id;
