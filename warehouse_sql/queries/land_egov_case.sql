-- Landing of egov case records into raw.egov_case: valid versions upserted; bad ones go
-- through the shared `quarantine_bad` of landing.sql.
-- Every statement runs inside the batch's transaction, after the batch was COPYed into the temp tables.

-- name: create_valid_temp
CREATE TEMP TABLE land_valid (LIKE raw.egov_case) ON COMMIT DROP

-- name: copy_valid
COPY land_valid (
    egov_id, case_no, legacy_case_no_raw, origin, procedure_code, procedure_name, field_code,
    original_unit_code, channel, status_code, is_terminal, received_at, due_at, finished_at,
    returned_at, has_result, has_e_result, is_digitized, payment, rating, has_apology,
    synced_national, stop_reason, applicant_id, applicant_key, applicant_type, applicant_vneid,
    handlers, last_official, is_deleted, moved_flag, updated_at, payload, fetched_at, run_id
) FROM STDIN

-- name: upsert_valid
INSERT INTO raw.egov_case AS r (
    egov_id, case_no, legacy_case_no_raw, origin, procedure_code, procedure_name, field_code,
    original_unit_code, channel, status_code, is_terminal, received_at, due_at, finished_at,
    returned_at, has_result, has_e_result, is_digitized, payment, rating, has_apology,
    synced_national, stop_reason, applicant_id, applicant_key, applicant_type, applicant_vneid,
    handlers, last_official, is_deleted, moved_flag, updated_at, payload, fetched_at, run_id
)
SELECT
    v.egov_id, v.case_no, v.legacy_case_no_raw, v.origin, v.procedure_code, v.procedure_name,
    v.field_code, v.original_unit_code, v.channel, v.status_code, v.is_terminal, v.received_at,
    v.due_at, v.finished_at, v.returned_at, v.has_result, v.has_e_result, v.is_digitized,
    v.payment, v.rating, v.has_apology, v.synced_national, v.stop_reason, v.applicant_id,
    v.applicant_key, v.applicant_type, v.applicant_vneid, v.handlers, v.last_official,
    v.is_deleted, v.moved_flag, v.updated_at, v.payload, v.fetched_at, v.run_id
FROM land_valid AS v
WHERE NOT EXISTS (
    SELECT 1 FROM raw.quarantine AS q
    WHERE q.source = 'egov' AND q.entity = 'case' AND q.record_key = v.egov_id::text
      AND q.resolved_at IS NULL AND q.updated_at > v.updated_at
)
ON CONFLICT (egov_id) DO UPDATE SET
    case_no = EXCLUDED.case_no,
    legacy_case_no_raw = EXCLUDED.legacy_case_no_raw,
    origin = EXCLUDED.origin,
    procedure_code = EXCLUDED.procedure_code,
    procedure_name = EXCLUDED.procedure_name,
    field_code = EXCLUDED.field_code,
    original_unit_code = EXCLUDED.original_unit_code,
    channel = EXCLUDED.channel,
    status_code = EXCLUDED.status_code,
    is_terminal = EXCLUDED.is_terminal,
    received_at = EXCLUDED.received_at,
    due_at = EXCLUDED.due_at,
    finished_at = EXCLUDED.finished_at,
    returned_at = EXCLUDED.returned_at,
    has_result = EXCLUDED.has_result,
    has_e_result = EXCLUDED.has_e_result,
    is_digitized = EXCLUDED.is_digitized,
    payment = EXCLUDED.payment,
    rating = EXCLUDED.rating,
    has_apology = EXCLUDED.has_apology,
    synced_national = EXCLUDED.synced_national,
    stop_reason = EXCLUDED.stop_reason,
    applicant_id = EXCLUDED.applicant_id,
    applicant_key = EXCLUDED.applicant_key,
    applicant_type = EXCLUDED.applicant_type,
    applicant_vneid = EXCLUDED.applicant_vneid,
    handlers = EXCLUDED.handlers,
    last_official = EXCLUDED.last_official,
    is_deleted = EXCLUDED.is_deleted,
    moved_flag = EXCLUDED.moved_flag,
    updated_at = EXCLUDED.updated_at,
    payload = EXCLUDED.payload,
    fetched_at = EXCLUDED.fetched_at,
    run_id = EXCLUDED.run_id
WHERE (r.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR r.updated_at <= EXCLUDED.updated_at)
  AND r.payload IS DISTINCT FROM EXCLUDED.payload
RETURNING (xmax = 0) AS inserted

-- name: resolve_quarantine
UPDATE raw.quarantine AS q
SET resolved_at = :now, run_id = :run_id
FROM land_valid AS v
WHERE q.source = 'egov' AND q.entity = 'case' AND q.record_key = v.egov_id::text
  AND q.resolved_at IS NULL AND (q.updated_at IS NULL OR v.updated_at IS NULL OR q.updated_at <= v.updated_at)

-- name: discard_stale_bad
DELETE FROM land_bad AS b
USING raw.egov_case AS r
WHERE r.egov_id::text = b.record_key AND b.updated_at IS NOT NULL AND r.updated_at > b.updated_at

-- name: drop_superseded_valid
DELETE FROM raw.egov_case AS r
USING land_bad AS b
WHERE r.egov_id::text = b.record_key AND (b.updated_at IS NULL OR r.updated_at IS NULL OR r.updated_at <= b.updated_at)
  AND EXISTS (
      SELECT 1 FROM raw.quarantine AS q
      WHERE q.source = b.source AND q.entity = b.entity AND q.record_key = b.record_key AND q.resolved_at IS NULL
  )
