-- Landing of newsys procedure records into raw.newsys_procedure: valid versions upserted; bad ones go
-- through the shared `quarantine_bad` of landing.sql.
-- Every statement runs inside the batch's transaction, after the batch was COPYed into the temp tables.

-- name: create_valid_temp
CREATE TEMP TABLE land_valid (LIKE raw.newsys_procedure) ON COMMIT DROP

-- name: copy_valid
COPY land_valid (
    procedure_code, name, field_code, field_name, service_level, legal_days, has_fee, payload,
    fetched_at, run_id
) FROM STDIN

-- name: upsert_valid
INSERT INTO raw.newsys_procedure AS r (
    procedure_code, name, field_code, field_name, service_level, legal_days, has_fee, payload,
    fetched_at, run_id
)
SELECT
    v.procedure_code, v.name, v.field_code, v.field_name, v.service_level, v.legal_days, v.has_fee,
    v.payload, v.fetched_at, v.run_id
FROM land_valid AS v
ON CONFLICT (procedure_code) DO UPDATE SET
    name = EXCLUDED.name,
    field_code = EXCLUDED.field_code,
    field_name = EXCLUDED.field_name,
    service_level = EXCLUDED.service_level,
    legal_days = EXCLUDED.legal_days,
    has_fee = EXCLUDED.has_fee,
    payload = EXCLUDED.payload,
    fetched_at = EXCLUDED.fetched_at,
    run_id = EXCLUDED.run_id
WHERE r.payload IS DISTINCT FROM EXCLUDED.payload
RETURNING (xmax = 0) AS inserted

-- name: resolve_quarantine
UPDATE raw.quarantine AS q
SET resolved_at = :now, run_id = :run_id
FROM land_valid AS v
WHERE q.source = 'newsys' AND q.entity = 'procedure' AND q.record_key = v.procedure_code
  AND q.resolved_at IS NULL

-- name: drop_superseded_valid
DELETE FROM raw.newsys_procedure AS r
USING land_bad AS b
WHERE r.procedure_code = b.record_key
  AND EXISTS (
      SELECT 1 FROM raw.quarantine AS q
      WHERE q.source = b.source AND q.entity = b.entity AND q.record_key = b.record_key AND q.resolved_at IS NULL
  )
