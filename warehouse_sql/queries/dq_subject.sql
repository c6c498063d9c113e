-- The subject of the row-level rules (staging.dq_subject, transform/dq_subject.py): per rule, one row per
-- record in the rule's scope with `passed` (null when a compared value is null: a comparison with a null is
-- never unexpected). Great Expectations counts it in the database.

-- name: clear_subject
TRUNCATE staging.dq_subject

-- name: subject_case_rules
-- Templates here: <case_filter>, <egov_filter>, <raw_filter>, <quarantine_filter> restrict the records (`true`
-- for all, or the changed ones); <handler_names> selects the user names in new-system case histories
-- (queries/case_handlers.sql).
INSERT INTO staging.dq_subject (
    expectation, record_key, passed, unit_code, received_at, due_at, finished_at, last_official
)
SELECT r.expectation, f.case_key, r.passed, f.unit_code, f.received_at, f.due_at, f.finished_at, s.last_official
FROM mart.fact_case AS f
LEFT JOIN staging."case" AS s
       ON s.source_system = f.source_system AND s.case_key = f.case_key AND NOT s.is_deleted
LEFT JOIN raw.newsys_procedure AS p ON p.procedure_code = f.procedure_code
CROSS JOIN LATERAL (VALUES
    ('closed_case_has_result', f.status_code IN (9, 10), f.has_result),
    ('late_case_has_apology', f.status_code IN (9, 10) AND f.finished_at > f.due_at, f.has_apology),
    ('stopped_case_has_reason', f.status_code = 8, coalesce(btrim(s.stop_reason), '') <> ''),
    ('case_dates_in_order', true, NOT (f.due_at < f.received_at OR f.finished_at < f.received_at)),
    ('case_synced_to_national_portal', f.source_system = 'newsys', f.synced_national),
    ('case_procedure_in_catalog', true,
        CASE WHEN f.procedure_code IS NOT NULL THEN p.procedure_code IS NOT NULL END)
) AS r (expectation, in_scope, passed)
WHERE r.in_scope AND {case_filter}

-- name: subject_official_account_vneid
INSERT INTO staging.dq_subject (expectation, record_key, passed, unit_code, last_official)
WITH handler AS (
    {handler_names}
)
SELECT 'official_account_vneid', o.user_name, o.account_type = 'VNEID',
       coalesce(u.current_unit_code, o.unit_code), o.user_name
FROM raw.newsys_official AS o
JOIN handler AS h ON h.user_name = o.user_name
LEFT JOIN staging.unit_current AS u ON u.unit_code = o.unit_code
WHERE o.is_active

-- name: subject_egov_no_receipt_after_cutover
INSERT INTO staging.dq_subject (
    expectation, record_key, passed, unit_code, received_at, due_at, finished_at, last_official
)
SELECT 'egov_no_receipt_after_cutover', 'EGOV:' || e.case_no, NOT (e.received_at >= :cutover_at),
       coalesce(u.current_unit_code, e.original_unit_code), e.received_at, e.due_at, e.finished_at,
       e.last_official
FROM raw.egov_case AS e
LEFT JOIN staging.unit_current AS u ON u.unit_code = e.original_unit_code
WHERE {egov_filter}

-- name: subject_newsys_case_quarantine_rate
INSERT INTO staging.dq_subject (expectation, record_key, passed)
SELECT 'newsys_case_quarantine_rate', n.case_no, true FROM raw.newsys_case AS n WHERE {raw_filter}
UNION ALL
SELECT 'newsys_case_quarantine_rate', q.record_key, false
FROM raw.quarantine AS q
WHERE q.source = 'newsys' AND q.entity = 'case' AND q.resolved_at IS NULL AND {quarantine_filter}

-- name: subject_egov_case_quarantine_rate
INSERT INTO staging.dq_subject (expectation, record_key, passed)
SELECT 'egov_case_quarantine_rate', e.egov_id::text, true FROM raw.egov_case AS e WHERE {raw_filter}
UNION ALL
SELECT 'egov_case_quarantine_rate', q.record_key, false
FROM raw.quarantine AS q
WHERE q.source = 'egov' AND q.entity = 'case' AND q.resolved_at IS NULL AND {quarantine_filter}

-- name: subject_newsys_case_ahead_of_clock
-- A record stamped after the moment it was landed (`fetched_at`, the pipeline's clock) comes from a source
-- clock running ahead or a hand-edited row: it landed, but it never moves the watermark.
INSERT INTO staging.dq_subject (expectation, record_key, passed, unit_code, received_at, due_at, finished_at)
SELECT 'newsys_case_not_ahead_of_clock', n.case_no, NOT (n.updated_at > n.fetched_at),
       coalesce(u.current_unit_code, n.original_unit_code), n.received_at, n.due_at, n.finished_at
FROM raw.newsys_case AS n
LEFT JOIN staging.unit_current AS u ON u.unit_code = n.original_unit_code
WHERE {raw_filter}

-- name: subject_egov_case_ahead_of_clock
INSERT INTO staging.dq_subject (
    expectation, record_key, passed, unit_code, received_at, due_at, finished_at, last_official
)
SELECT 'egov_case_not_ahead_of_clock', 'EGOV:' || e.case_no, NOT (e.updated_at > e.fetched_at),
       coalesce(u.current_unit_code, e.original_unit_code), e.received_at, e.due_at, e.finished_at,
       e.last_official
FROM raw.egov_case AS e
LEFT JOIN staging.unit_current AS u ON u.unit_code = e.original_unit_code
WHERE {egov_filter}

-- name: subject_petition_rules
-- Templates: <petition_filter> restricts the petitions (`true` for all, or the changed ones). A petition's
-- offender row shows its current unit, its start (received_at), its handling deadline (due_at) and its end.
INSERT INTO staging.dq_subject (expectation, record_key, passed, unit_code, received_at, due_at, finished_at)
SELECT r.expectation, p.petition_key, r.passed, p.unit_code, p.start_at, p.handle_due_at, p.ended_at
FROM mart.fact_petition AS p
CROSS JOIN LATERAL (VALUES
    ('petition_answered_has_result', p.status_code IN (6, 7), p.has_answer),
    ('petition_rejected_has_reason', p.status_code = 4, p.has_reject_reason),
    ('petition_case_exists', p.case_no IS NOT NULL, p.case_key IS NOT NULL)
) AS r (expectation, in_scope, passed)
WHERE r.in_scope AND {petition_filter}

-- name: subject_rating_case_exists
-- Template: <rating_filter> restricts the ratings.
INSERT INTO staging.dq_subject (expectation, record_key, passed)
SELECT 'rating_case_exists', r.rating_key, r.case_key IS NOT NULL
FROM mart.fact_rating AS r
WHERE {rating_filter}

-- name: subject_case_rating_matches_rating_in_force
-- The cases of mart.fact_case that have a rating in force (queries/fact_rating.sql); a null rating with one
-- is unexpected. Template: <rated_case_filter> restricts the cases; <ratings_in_force> the fragment.
INSERT INTO staging.dq_subject (
    expectation, record_key, passed, unit_code, received_at, due_at, finished_at
)
WITH in_force AS (
    {ratings_in_force}
)
SELECT 'case_rating_matches_rating_in_force', f.case_key, f.rating IS NOT DISTINCT FROM i.level,
       f.unit_code, f.received_at, f.due_at, f.finished_at
FROM in_force AS i
JOIN mart.fact_case AS f ON f.case_key = i.case_key
WHERE {rated_case_filter}

-- name: create_subject_petition
-- The petitions whose subject rows may have changed: those of changed fact_petition rows.
CREATE TEMP TABLE subject_petition ON COMMIT DROP AS
SELECT DISTINCT record_key FROM pending_changes WHERE kind = 'petition_fact' AND record_key IS NOT NULL

-- name: create_subject_rating
-- The ratings whose subject rows may have changed: those of changed fact_rating rows.
CREATE TEMP TABLE subject_rating ON COMMIT DROP AS
SELECT DISTINCT record_key FROM pending_changes WHERE kind = 'rating_fact' AND record_key IS NOT NULL

-- name: create_subject_rated_case
-- The cases whose rating in force or rating may have changed: the cases of changed fact_rating rows (old and
-- new) and of changed fact_case rows.
CREATE TEMP TABLE subject_rated_case ON COMMIT DROP AS
SELECT DISTINCT case_key FROM pending_changes
WHERE kind IN ('fact', 'rating_fact') AND case_key IS NOT NULL

-- name: create_subject_case
-- The records whose subject rows may have changed, from the pending changes: case keys of changed fact_case
-- rows and staging cases (reasons, officials), and the cases of changed procedures.
CREATE TEMP TABLE subject_case ON COMMIT DROP AS
SELECT DISTINCT s.case_key
FROM (
    SELECT c.case_key FROM pending_changes AS c WHERE c.kind IN ('fact', 'case') AND c.case_key IS NOT NULL
    UNION ALL
    SELECT f.case_key
    FROM pending_changes AS c
    JOIN mart.fact_case AS f ON f.procedure_code = c.procedure_code
    WHERE c.kind = 'procedure'
) AS s

-- name: create_subject_egov
CREATE TEMP TABLE subject_egov ON COMMIT DROP AS
SELECT DISTINCT case_no FROM pending_changes
WHERE kind = 'case' AND source_system = 'egov' AND case_no IS NOT NULL

-- name: create_subject_source_key
CREATE TEMP TABLE subject_source_key ON COMMIT DROP AS
SELECT DISTINCT source_system, record_key,
       CASE WHEN source_system = 'egov' AND record_key ~ '^-?[0-9]{1,18}$' THEN record_key::bigint END AS egov_id
FROM pending_changes
WHERE kind IN ('case', 'quarantine') AND source_system IN ('newsys', 'egov') AND record_key IS NOT NULL

-- name: delete_subject_changed
DELETE FROM staging.dq_subject AS d
WHERE (d.expectation IN ('closed_case_has_result', 'late_case_has_apology', 'stopped_case_has_reason',
                         'case_dates_in_order', 'case_synced_to_national_portal', 'case_procedure_in_catalog')
       AND d.record_key IN (SELECT case_key FROM subject_case))
   OR d.expectation = 'official_account_vneid'
   OR (d.expectation IN ('egov_no_receipt_after_cutover', 'egov_case_not_ahead_of_clock')
       AND d.record_key IN (SELECT 'EGOV:' || case_no FROM subject_egov))
   OR (d.expectation = 'newsys_case_not_ahead_of_clock'
       AND d.record_key IN (SELECT record_key FROM subject_source_key WHERE source_system = 'newsys'))
   OR (d.expectation = 'newsys_case_quarantine_rate'
       AND d.record_key IN (SELECT record_key FROM subject_source_key WHERE source_system = 'newsys'))
   OR (d.expectation = 'egov_case_quarantine_rate'
       AND d.record_key IN (SELECT record_key FROM subject_source_key WHERE source_system = 'egov'))
   OR (d.expectation IN ('petition_answered_has_result', 'petition_rejected_has_reason', 'petition_case_exists')
       AND d.record_key IN (SELECT record_key FROM subject_petition))
   OR (d.expectation = 'rating_case_exists' AND d.record_key IN (SELECT record_key FROM subject_rating))
   OR (d.expectation = 'case_rating_matches_rating_in_force'
       AND d.record_key IN (SELECT case_key FROM subject_rated_case))

-- name: analyze_subject
ANALYZE staging.dq_subject
