-- Landing of newsys unit records into raw.newsys_unit: valid versions upserted; bad ones go
-- through the shared `quarantine_bad` of landing.sql.
-- Every statement runs inside the batch's transaction, after the batch was COPYed into the temp tables.

-- name: create_valid_temp
CREATE TEMP TABLE land_valid (LIKE raw.newsys_unit) ON COMMIT DROP

-- name: copy_valid
COPY land_valid (
    unit_code, name, level, successor_code, ceased_at, payload, fetched_at, run_id
) FROM STDIN

-- name: upsert_valid
INSERT INTO raw.newsys_unit AS r (
    unit_code, name, level, successor_code, ceased_at, payload, fetched_at, run_id
)
SELECT
    v.unit_code, v.name, v.level, v.successor_code, v.ceased_at, v.payload, v.fetched_at, v.run_id
FROM land_valid AS v
ON CONFLICT (unit_code) DO UPDATE SET
    name = EXCLUDED.name,
    level = EXCLUDED.level,
    successor_code = EXCLUDED.successor_code,
    ceased_at = EXCLUDED.ceased_at,
    payload = EXCLUDED.payload,
    fetched_at = EXCLUDED.fetched_at,
    run_id = EXCLUDED.run_id
WHERE r.payload IS DISTINCT FROM EXCLUDED.payload
RETURNING (xmax = 0) AS inserted

-- name: resolve_quarantine
UPDATE raw.quarantine AS q
SET resolved_at = :now, run_id = :run_id
FROM land_valid AS v
WHERE q.source = 'newsys' AND q.entity = 'unit' AND q.record_key = v.unit_code
  AND q.resolved_at IS NULL

-- name: drop_superseded_valid
DELETE FROM raw.newsys_unit AS r
USING land_bad AS b
WHERE r.unit_code = b.record_key
  AND EXISTS (
      SELECT 1 FROM raw.quarantine AS q
      WHERE q.source = b.source AND q.entity = b.entity AND q.record_key = b.record_key AND q.resolved_at IS NULL
  )
