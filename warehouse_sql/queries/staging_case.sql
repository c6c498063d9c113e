-- Build statements of staging.case: case-number keys, current units, the cases and their handlers; what
-- changed goes to staging.change_log.

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
LEFT JOIN staging.unit_current AS u ON u.unit_code = e.original_unit_code
LEFT JOIN staging.case_no_key AS k
       ON k.case_no = e.case_no
      AND octet_length(e.case_no) <> char_length(e.case_no)
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
-- Changed officials, petitions and ratings (whatever the change) and quarantined or released case keys
-- (changed rows), changed procedures (remaps).
INSERT INTO staging.change_log (kind, source_system, record_key, procedure_code)
SELECT DISTINCT
       CASE WHEN p.entity IN ('official', 'procedure', 'petition', 'rating') THEN p.entity ELSE 'quarantine' END,
       p.source, p.record_key, CASE WHEN p.entity = 'procedure' THEN p.record_key END
FROM pending_raw AS p
WHERE p.entity IN ('official', 'procedure', 'petition', 'rating')
   OR (p.entity = 'case' AND p.change IN ('quarantined', 'released'));

-- name: forward_unit_changes
-- The current units changed (a remap): officials count under other units.
INSERT INTO staging.change_log (kind, source_system)
SELECT 'unit', 'newsys' WHERE EXISTS (SELECT 1 FROM changed_unit);

-- name: case_counts
SELECT source_system, count(*) AS cases, count(*) FILTER (WHERE is_deleted) AS deleted,
       count(*) FILTER (WHERE origin = 'EGOV' AND NOT is_deleted) AS migrated
FROM staging."case"
GROUP BY source_system
ORDER BY source_system;

-- name: unit_problems
SELECT unit_code, problem, chain FROM staging.unit_problem ORDER BY unit_code COLLATE "C";
