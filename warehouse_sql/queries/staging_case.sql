-- Build statements of the staging case universe: case-number keys, current units, cases, links.

-- name: lock_staging
LOCK TABLE staging.case_no_key, staging.unit_current, staging.unit_problem, staging."case" IN SHARE ROW EXCLUSIVE MODE;

-- name: select_unkeyed_case_numbers
SELECT DISTINCT v.case_no
FROM (
    SELECT case_no FROM raw.egov_case
    UNION ALL
    SELECT legacy_case_no_raw FROM raw.newsys_case WHERE legacy_case_no_raw IS NOT NULL
) AS v
WHERE octet_length(v.case_no) <> char_length(v.case_no)
  AND NOT EXISTS (SELECT 1 FROM staging.case_no_key AS k WHERE k.case_no = v.case_no);

-- name: insert_case_no_key
INSERT INTO staging.case_no_key (case_no, case_no_norm)
VALUES (:case_no, :case_no_norm)
ON CONFLICT (case_no) DO NOTHING;

-- name: create_unit_walk
CREATE TEMP TABLE unit_walk_end ON COMMIT DROP AS
WITH RECURSIVE unit AS (
    SELECT unit_code, nullif(successor_code, '') AS successor_code FROM raw.newsys_unit
), walk (start_code, code, hops, path, looped) AS (
    SELECT unit_code, unit_code, 0, ARRAY[unit_code], false FROM unit
    UNION ALL
    SELECT w.start_code, u.successor_code, w.hops + 1, w.path || u.successor_code,
           u.successor_code = ANY (w.path)
    FROM walk AS w
    JOIN unit AS u ON u.unit_code = w.code
    WHERE NOT w.looped AND u.successor_code IS NOT NULL
)
SELECT DISTINCT ON (w.start_code)
       w.start_code, w.code, w.hops, w.path, w.looped,
       NOT w.looped AND w.hops > 0 AND NOT EXISTS (SELECT 1 FROM unit AS u WHERE u.unit_code = w.code)
           AS broken
FROM walk AS w
ORDER BY w.start_code, w.hops DESC;

-- name: delete_unit_current
DELETE FROM staging.unit_current;

-- name: insert_unit_current
INSERT INTO staging.unit_current (unit_code, current_unit_code, hops)
SELECT start_code,
       CASE WHEN looped THEN start_code ELSE code END,
       CASE WHEN looped THEN 0 ELSE hops END
FROM unit_walk_end;

-- name: delete_unit_problem
DELETE FROM staging.unit_problem;

-- name: insert_unit_problem
INSERT INTO staging.unit_problem (unit_code, problem, chain)
SELECT start_code,
       CASE WHEN looped THEN 'cycle' ELSE 'broken_chain' END,
       array_to_string(path, ' -> ')
FROM unit_walk_end
WHERE looped OR broken;

-- name: truncate_case
TRUNCATE staging."case";

-- name: insert_case
-- Template: <newsys_filter> / <egov_filter> select the raw rows (`true` for all, or the affected keys).
INSERT INTO staging."case" (
    source_system, record_key, case_key, case_no, case_no_norm, egov_id, legacy_case_no_raw,
    legacy_case_no_norm, origin, procedure_code, original_unit_code, unit_code, channel, status_code,
    is_terminal, received_at, received_minute, due_at, finished_at, returned_at, has_result, has_e_result,
    is_digitized, payment, rating, has_apology, synced_national, stop_reason, applicant_id,
    handlers, last_official, is_deleted, updated_at
)
SELECT 'newsys', n.case_no, n.case_no, n.case_no, NULL, NULL, n.legacy_case_no_raw,
       CASE WHEN octet_length(n.legacy_case_no_raw) = char_length(n.legacy_case_no_raw)
            THEN staging.ascii_case_no_norm(n.legacy_case_no_raw) ELSE k.case_no_norm END,
       n.origin, n.procedure_code, n.original_unit_code, coalesce(u.current_unit_code, n.original_unit_code),
       n.channel, n.status_code, n.is_terminal, n.received_at,
       date_trunc('minute', n.received_at AT TIME ZONE meta.local_zone()),
       n.due_at, CASE WHEN n.is_terminal THEN n.finished_at END, n.returned_at, n.has_result, n.has_e_result,
       n.is_digitized, n.payment, n.rating, n.has_apology, n.synced_national, n.stop_reason,
       n.applicant_id, n.handlers, n.last_official, n.is_deleted, n.updated_at
FROM raw.newsys_case AS n
LEFT JOIN staging.case_no_key AS k
       ON k.case_no = n.legacy_case_no_raw
      AND octet_length(n.legacy_case_no_raw) <> char_length(n.legacy_case_no_raw)
LEFT JOIN staging.unit_current AS u ON u.unit_code = n.original_unit_code
WHERE {newsys_filter}
UNION ALL
SELECT 'egov', e.egov_id::text, 'EGOV:' || e.case_no, e.case_no,
       CASE WHEN octet_length(e.case_no) = char_length(e.case_no)
            THEN staging.ascii_case_no_norm(e.case_no) ELSE k.case_no_norm END,
       e.egov_id, NULL, NULL, NULL, e.procedure_code, e.original_unit_code,
       coalesce(u.current_unit_code, e.original_unit_code),
       e.channel, e.status_code, e.is_terminal, e.received_at,
       date_trunc('minute', e.received_at AT TIME ZONE meta.local_zone()),
       e.due_at, CASE WHEN e.is_terminal THEN e.finished_at END, e.returned_at, e.has_result, e.has_e_result,
       e.is_digitized, e.payment, e.rating, e.has_apology, NULL, e.stop_reason,
       e.applicant_id, e.handlers, e.last_official, e.is_deleted, e.updated_at
FROM raw.egov_case AS e
LEFT JOIN staging.case_no_key AS k
       ON k.case_no = e.case_no
      AND octet_length(e.case_no) <> char_length(e.case_no)
LEFT JOIN staging.unit_current AS u ON u.unit_code = e.original_unit_code
WHERE {egov_filter};

-- name: analyze_case
ANALYZE staging."case";

-- name: snapshot_unit_current
CREATE TEMP TABLE unit_current_before ON COMMIT DROP AS
SELECT unit_code, current_unit_code FROM staging.unit_current;

-- name: create_changed_unit
CREATE TEMP TABLE changed_unit ON COMMIT DROP AS
SELECT coalesce(n.unit_code, o.unit_code) AS unit_code
FROM staging.unit_current AS n
FULL JOIN unit_current_before AS o ON o.unit_code = n.unit_code
WHERE n.current_unit_code IS DISTINCT FROM o.current_unit_code;

-- name: units_changed
SELECT EXISTS (SELECT 1 FROM pending_raw WHERE source = 'newsys' AND entity = 'unit');

-- name: create_affected_case
CREATE TEMP TABLE affected_case (
    source_system  text NOT NULL,
    record_key     text NOT NULL,
    egov_id        bigint,
    PRIMARY KEY (source_system, record_key)
) ON COMMIT DROP;

-- name: affect_landed_cases
INSERT INTO affected_case (source_system, record_key, egov_id)
SELECT DISTINCT source, record_key, egov_id FROM pending_raw WHERE entity = 'case'
ON CONFLICT DO NOTHING;

-- name: affect_unit_cases
INSERT INTO affected_case (source_system, record_key, egov_id)
SELECT s.source_system, s.record_key, s.egov_id
FROM staging."case" AS s
WHERE s.original_unit_code IN (SELECT unit_code FROM changed_unit)
ON CONFLICT DO NOTHING;

-- name: analyze_affected_case
ANALYZE affected_case;

-- name: select_unkeyed_affected_case_numbers
SELECT DISTINCT v.case_no
FROM (
    SELECT e.case_no FROM raw.egov_case AS e
    WHERE e.egov_id IN (SELECT egov_id FROM affected_case WHERE source_system = 'egov')
    UNION ALL
    SELECT n.legacy_case_no_raw FROM raw.newsys_case AS n
    WHERE n.case_no IN (SELECT record_key FROM affected_case WHERE source_system = 'newsys')
      AND n.legacy_case_no_raw IS NOT NULL
) AS v
WHERE octet_length(v.case_no) <> char_length(v.case_no)
  AND NOT EXISTS (SELECT 1 FROM staging.case_no_key AS k WHERE k.case_no = v.case_no);

-- name: log_affected_case_versions
INSERT INTO staging.change_log (
    kind, source_system, record_key, case_key, egov_id, case_no, case_no_norm, legacy_case_no_norm,
    procedure_code, applicant_id, received_minute
)
SELECT 'case', s.source_system, s.record_key, s.case_key, s.egov_id, s.case_no, s.case_no_norm,
       s.legacy_case_no_norm, s.procedure_code, s.applicant_id, s.received_minute
FROM staging."case" AS s
JOIN affected_case AS a ON a.source_system = s.source_system AND a.record_key = s.record_key;

-- name: delete_affected_cases
DELETE FROM staging."case" AS s
USING affected_case AS a
WHERE a.source_system = s.source_system AND a.record_key = s.record_key;

-- name: delete_affected_handlers
DELETE FROM staging.case_handler AS h
USING affected_case AS a
WHERE a.source_system = 'newsys' AND a.record_key = h.case_key;

-- name: insert_affected_handlers
INSERT INTO staging.case_handler (case_key, user_name)
SELECT DISTINCT s.case_key, h.user_name
FROM staging."case" AS s
JOIN affected_case AS a ON a.source_system = s.source_system AND a.record_key = s.record_key
CROSS JOIN LATERAL unnest(s.handlers) AS h (user_name)
WHERE s.source_system = 'newsys' AND NOT s.is_deleted AND h.user_name IS NOT NULL;

-- name: truncate_handlers
TRUNCATE staging.case_handler;

-- name: insert_all_handlers
INSERT INTO staging.case_handler (case_key, user_name)
SELECT DISTINCT s.case_key, h.user_name
FROM staging."case" AS s
CROSS JOIN LATERAL unnest(s.handlers) AS h (user_name)
WHERE s.source_system = 'newsys' AND NOT s.is_deleted AND h.user_name IS NOT NULL;

-- name: forward_source_changes
INSERT INTO staging.change_log (kind, source_system, record_key, procedure_code)
SELECT DISTINCT
       CASE p.entity WHEN 'official' THEN 'official' WHEN 'procedure' THEN 'procedure' ELSE 'quarantine' END,
       p.source, p.record_key, CASE WHEN p.entity = 'procedure' THEN p.record_key END
FROM pending_raw AS p
WHERE p.entity IN ('official', 'procedure') OR (p.entity = 'case' AND p.change IN ('quarantined', 'released'));

-- name: forward_unit_changes
INSERT INTO staging.change_log (kind, source_system)
SELECT 'official', 'newsys' WHERE EXISTS (SELECT 1 FROM changed_unit);

-- name: case_counts
SELECT source_system, count(*) AS cases, count(*) FILTER (WHERE is_deleted) AS deleted,
       count(*) FILTER (WHERE origin = 'EGOV' AND NOT is_deleted) AS migrated
FROM staging."case"
GROUP BY source_system
ORDER BY source_system;

-- name: unit_problems
SELECT unit_code, problem, chain FROM staging.unit_problem ORDER BY unit_code COLLATE "C";

-- name: lock_case_link
LOCK TABLE staging.case_link IN SHARE ROW EXCLUSIVE MODE;

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
