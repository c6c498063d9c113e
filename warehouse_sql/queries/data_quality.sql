-- Data quality: the validations' lock, the results history and the offenders (the subject of the row-level
-- rules is built by transform/dq_subject.py, queries/dq_subject.sql).

-- name: lock_validation
SELECT pg_advisory_lock(:lock_id)

-- name: unlock_validation
SELECT pg_advisory_unlock(:lock_id)

-- name: upsert_result
INSERT INTO mart.dq_results (run_at, suite, expectation, success, element_count, unexpected_count)
VALUES (:run_at, :suite, :expectation, :success, :element_count, :unexpected_count)
ON CONFLICT (run_at, expectation) DO UPDATE SET
    suite = EXCLUDED.suite,
    success = EXCLUDED.success,
    element_count = EXCLUDED.element_count,
    unexpected_count = EXCLUDED.unexpected_count

-- name: create_offender_batch
CREATE TEMP TABLE dq_offender_batch (LIKE mart.dq_offender) ON COMMIT DROP

-- name: stage_subject_offenders
INSERT INTO dq_offender_batch (
    first_found_at, expectation, record_key, unit_code, received_at, due_at, finished_at, last_official
)
SELECT DISTINCT ON (s.expectation, s.record_key)
       :run_at, s.expectation, s.record_key, s.unit_code, s.received_at, s.due_at, s.finished_at, s.last_official
FROM staging.dq_subject AS s
WHERE s.passed IS FALSE AND s.record_key IS NOT NULL AND s.expectation = ANY (:expectations)
ORDER BY s.expectation, s.record_key

-- name: stage_fact_case_offenders
INSERT INTO dq_offender_batch (
    first_found_at, expectation, record_key, unit_code, received_at, due_at, finished_at, last_official
)
SELECT DISTINCT ON (f.case_key)
       :run_at, :expectation, f.case_key, f.unit_code, f.received_at, f.due_at, f.finished_at, s.last_official
FROM mart.fact_case AS f
LEFT JOIN staging."case" AS s
       ON s.source_system = f.source_system AND s.case_key = f.case_key AND NOT s.is_deleted
WHERE f.case_key = ANY (:case_keys)
ORDER BY f.case_key

-- name: run_result
SELECT suite, success, element_count, unexpected_count
FROM mart.dq_results
WHERE run_at = :run_at AND expectation = :expectation

-- name: offender_sample
SELECT record_key
FROM mart.dq_offender
WHERE expectation = :expectation
ORDER BY record_key
LIMIT :limit

-- name: results_of_run
SELECT expectation, success, element_count, unexpected_count
FROM mart.dq_results
WHERE run_at = :run_at AND expectation = ANY (CAST(:names AS text[]))
