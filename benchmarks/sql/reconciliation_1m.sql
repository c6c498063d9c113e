-- Synthetic raw data for the reconciliation benchmark (benchmarks/reconciliation_1m.py), made in the server.

-- name: generate_units
INSERT INTO raw.newsys_unit (unit_code, name, level, successor_code, payload, fetched_at)
SELECT 'U' || g, 'Unit ' || g, 'SO', CASE WHEN g > 30 THEN 'U' || (g - 30) END, '{}'::jsonb, now()
FROM generate_series(1, 40) AS g;

-- name: generate_egov
INSERT INTO raw.egov_case (
    egov_id, case_no, procedure_code, original_unit_code, channel, status_code, is_terminal, received_at,
    due_at, finished_at, has_result, has_e_result, is_digitized, has_apology, applicant_id,
    handlers, last_official, is_deleted, moved_flag, updated_at, payload, fetched_at
)
SELECT g,
       CASE WHEN g % 100 = 0 THEN 'Đ' ELSE '' END || '000.00.' || (g % 40 + 1) || '.H19-' || lpad(g::text, 8, '0'),
       'P' || (g % 50), 'U' || (g % 40 + 1), 1 + g % 3,
       CASE WHEN g % 10 < 7 THEN 10 ELSE 4 END, g % 10 < 7,
       t.received, t.received + interval '15 days',
       CASE WHEN g % 10 < 7 THEN t.received + (g % 90) * interval '1 day' END,
       g % 10 < 7, false, false, false,
       lpad((g % 700001)::text, 12, '0'), '{}', 'cb' || (g % 300), false, false,
       now(), '{}'::jsonb, now()
FROM generate_series(1, :rows) AS g
CROSS JOIN LATERAL (
    SELECT timestamptz '2022-01-01 08:00+07' + (g * interval '90 seconds') AS received
) AS t;

-- name: generate_newsys
INSERT INTO raw.newsys_case (
    case_no, legacy_case_no_raw, origin, procedure_code, original_unit_code, channel, status_code,
    is_terminal, received_at, due_at, finished_at, has_result, has_e_result, is_digitized, has_apology,
    synced_national, applicant_id, handlers, last_official, is_deleted, updated_at,
    payload, fetched_at
)
SELECT 'H19.' || lpad(g::text, 9, '0'),
       CASE WHEN m.src IS NULL OR g % 8 = 0 THEN NULL
            WHEN g % 8 = 1 THEN lower(replace(e.case_no, '.', ' '))
            ELSE e.case_no END,
       CASE WHEN m.src IS NULL THEN 'MOI' ELSE 'EGOV' END,
       coalesce(e.procedure_code, 'P' || (g % 50)),
       coalesce(e.original_unit_code, 'U' || (g % 40 + 1)), 2, 5, false,
       coalesce(e.received_at + (g % 50) * interval '1 second',
                timestamptz '2024-12-24 08:00+07' + g * interval '30 seconds'),
       timestamptz '2026-01-01 00:00+07', NULL, false, false, true, false, true,
       coalesce(e.applicant_id, lpad((g % 900001)::text, 12, '0')), '{}', 'cb' || (g % 300),
       g % 97 = 0, now(), '{}'::jsonb, now()
FROM generate_series(1, :rows) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g % 35 = 0 THEN :rows - ((g - 5) / 5) * 3 + ((g - 5) % 2)
                WHEN g % 5 = 0 THEN :rows - (g / 5) * 3 + (g % 2) END AS src
) AS m
LEFT JOIN raw.egov_case AS e ON e.egov_id = m.src;

-- name: analyze_raw
ANALYZE raw.egov_case, raw.newsys_case, raw.newsys_unit;

-- name: read_egov
SELECT egov_id, case_no, procedure_code, applicant_id, received_at, finished_at, is_terminal,
       original_unit_code
FROM raw.egov_case;

-- name: read_newsys
SELECT case_no, legacy_case_no_raw, procedure_code, applicant_id, received_at, original_unit_code
FROM raw.newsys_case
WHERE origin = 'EGOV' AND NOT is_deleted;

-- name: read_units
SELECT unit_code, current_unit_code FROM staging.unit_current;

-- name: read_reconciliation
SELECT legacy_case_no, new_case_id, outcome, match_method, mismatch_fields FROM mart.backlog_reconciliation;

-- name: create_pandas_result
CREATE TEMP TABLE pandas_result (
    legacy_case_no text, new_case_id text, outcome text, match_method text, mismatch_fields text
) ON COMMIT DROP;

-- name: copy_pandas_result
COPY pandas_result (legacy_case_no, new_case_id, outcome, match_method, mismatch_fields) FROM STDIN;

-- name: temp_bytes
SELECT temp_bytes, temp_files FROM pg_stat_database WHERE datname = current_database();
