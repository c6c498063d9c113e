-- Landing of newsys official records into raw.newsys_official: valid versions upserted; bad ones go
-- through the shared `quarantine_bad` of landing.sql.
-- Every statement runs inside the batch's transaction, after the batch was COPYed into the temp tables.

-- name: create_valid_temp
CREATE TEMP TABLE land_valid (LIKE raw.newsys_official) ON COMMIT DROP

-- name: copy_valid
COPY land_valid (
    user_name, full_name, unit_code, account_type, vneid_level, is_active, updated_at, payload,
    fetched_at, run_id
) FROM STDIN

-- name: upsert_valid
INSERT INTO raw.newsys_official AS r (
    user_name, full_name, unit_code, account_type, vneid_level, is_active, updated_at, payload,
    fetched_at, run_id
)
SELECT
    v.user_name, v.full_name, v.unit_code, v.account_type, v.vneid_level, v.is_active,
    v.updated_at, v.payload, v.fetched_at, v.run_id
FROM land_valid AS v
WHERE NOT EXISTS (
    SELECT 1 FROM raw.quarantine AS q
    WHERE q.source = 'newsys' AND q.entity = 'official' AND q.record_key = v.user_name
      AND q.resolved_at IS NULL AND q.updated_at > v.updated_at
)
ON CONFLICT (user_name) DO UPDATE SET
    full_name = EXCLUDED.full_name,
    unit_code = EXCLUDED.unit_code,
    account_type = EXCLUDED.account_type,
    vneid_level = EXCLUDED.vneid_level,
    is_active = EXCLUDED.is_active,
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
WHERE q.source = 'newsys' AND q.entity = 'official' AND q.record_key = v.user_name
  AND q.resolved_at IS NULL AND (q.updated_at IS NULL OR v.updated_at IS NULL OR q.updated_at <= v.updated_at)

-- name: discard_stale_bad
DELETE FROM land_bad AS b
USING raw.newsys_official AS r
WHERE r.user_name = b.record_key AND b.updated_at IS NOT NULL AND r.updated_at > b.updated_at

-- name: drop_superseded_valid
DELETE FROM raw.newsys_official AS r
USING land_bad AS b
WHERE r.user_name = b.record_key AND (b.updated_at IS NULL OR r.updated_at IS NULL OR r.updated_at <= b.updated_at)
  AND EXISTS (
      SELECT 1 FROM raw.quarantine AS q
      WHERE q.source = b.source AND q.entity = b.entity AND q.record_key = b.record_key AND q.resolved_at IS NULL
  )
