-- Synthetic warehouse for benchmarks/dq_sql_vs_pandas.py: :cases cases with a sprinkling of offenders.
-- Values are derived from the row number with different moduli, so every run builds the same data.

-- name: synthetic_procedures
INSERT INTO raw.newsys_procedure (procedure_code, service_level, legal_days, has_fee, payload, fetched_at)
SELECT 'P' || g, 4, 10, true, '{}', now()
FROM generate_series(1, 200) AS g

-- name: synthetic_officials
INSERT INTO raw.newsys_official (user_name, unit_code, account_type, is_active, payload, fetched_at)
SELECT 'cb' || g, 'U' || (g % 40), CASE WHEN g % 17 = 0 THEN 'NOI_BO' ELSE 'VNEID' END, g % 23 <> 0, '{}', now()
FROM generate_series(1, 1000) AS g

-- name: synthetic_fact_case
INSERT INTO mart.fact_case (
    case_key, source_system, legacy_case_no, procedure_code, unit_code, original_unit_code, channel,
    status_code, received_at, due_at, finished_at, returned_at, has_result, has_e_result, is_digitized,
    payment, rating, has_apology, synced_national, applicant_key
)
SELECT CASE WHEN g % 10 = 0 THEN 'EGOV:SO-' || g ELSE 'N' || g END,
       CASE WHEN g % 10 = 0 THEN 'egov' ELSE 'newsys' END,
       NULL, 'P' || (g % 203 + 1), 'U' || (g % 40), 'U' || (g % 40), g % 3 + 1, g % 10 + 1,
       r.received_at, r.received_at + (g % 15 + 1) * interval '1 day',
       CASE WHEN g % 10 + 1 IN (3, 7, 8, 9, 10)
            THEN r.received_at + (g % 19 - 1) * interval '1 day' END,
       NULL, g % 97 <> 0, g % 2 = 0, g % 3 = 0,
       CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN 'offline' ELSE 'online' END,
       CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 + 1 END,
       g % 13 <> 0, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 211 <> 0 END, md5(g::text)
FROM generate_series(1, :cases) AS g
CROSS JOIN LATERAL (SELECT timestamptz '2025-01-01 08:00+07' + g * interval '17 second' AS received_at) AS r

-- name: synthetic_staging_case
INSERT INTO staging."case" (
    source_system, record_key, case_key, case_no, procedure_code, unit_code, status_code, is_terminal,
    received_at, due_at, finished_at, has_result, has_e_result, is_digitized, has_apology, synced_national,
    stop_reason, handlers, last_official, is_deleted, updated_at
)
SELECT f.source_system, f.case_key, f.case_key, f.case_key, f.procedure_code, f.unit_code, f.status_code,
       f.status_code IN (3, 7, 8, 9, 10), f.received_at, f.due_at, f.finished_at, f.has_result,
       f.has_e_result, f.is_digitized, f.has_apology, f.synced_national,
       CASE WHEN length(f.case_key) % 7 = 0 THEN NULL ELSE 'Thiếu thành phần hồ sơ' END,
       ARRAY['cb' || (abs(hashtext(f.case_key)) % 1100 + 1), 'cb' || (abs(hashtext(f.case_key)) % 50 + 1)],
       'cb' || (abs(hashtext(f.case_key)) % 50 + 1), false, f.received_at
FROM mart.fact_case AS f

-- name: synthetic_newsys_case
INSERT INTO raw.newsys_case (
    case_no, status_code, is_terminal, has_result, has_e_result, is_digitized, has_apology, is_deleted,
    updated_at, payload, fetched_at
)
SELECT f.case_key, f.status_code, false, f.has_result, false, false, f.has_apology, false, now(), '{}', now()
FROM mart.fact_case AS f
WHERE f.source_system = 'newsys'

-- name: synthetic_egov_case
INSERT INTO raw.egov_case (
    egov_id, case_no, original_unit_code, status_code, is_terminal, received_at, due_at, has_result,
    has_e_result, is_digitized, has_apology, is_deleted, moved_flag, updated_at, payload, fetched_at
)
SELECT g, 'SO-' || g, 'U' || (g % 40), 4, false,
       timestamptz '2024-12-24 00:00+07' - (g % 400 - 3) * interval '1 day', now(), false, false, false, false,
       false, false, now(), '{}', now()
FROM generate_series(1, :cases / 10) AS g

-- name: synthetic_quarantine
INSERT INTO raw.quarantine (source, entity, record_key, reasons, payload, first_seen_at, last_changed_at)
SELECT CASE WHEN g % 2 = 0 THEN 'newsys' ELSE 'egov' END, 'case', 'BAD-' || g, ARRAY['bad_code:TrangThaiHoSo'],
       '{}', now(), now()
FROM generate_series(1, :cases / 100) AS g

-- name: analyze
ANALYZE

-- name: read_fact_case
SELECT * FROM mart.fact_case

-- name: read_staging_case
SELECT source_system, case_key, stop_reason, handlers, last_official FROM staging."case" WHERE NOT is_deleted

-- name: read_procedures
SELECT procedure_code FROM raw.newsys_procedure

-- name: read_officials
SELECT user_name, unit_code, account_type, is_active FROM raw.newsys_official

-- name: read_egov_case
SELECT egov_id, case_no, original_unit_code, received_at, due_at, finished_at, last_official FROM raw.egov_case

-- name: read_newsys_keys
SELECT case_no FROM raw.newsys_case

-- name: read_open_quarantine
SELECT source, record_key FROM raw.quarantine WHERE entity = 'case' AND resolved_at IS NULL
