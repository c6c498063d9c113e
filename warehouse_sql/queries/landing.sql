-- The landing protocol of every entity, run per batch inside one transaction after the batch was COPYed
-- into the temp tables `land_valid` (valid rows) and `land_bad` (bad records).
-- Templates: {table} is the raw table, {key} its key column, {columns} its columns, {assignments} every
-- non-key column set from EXCLUDED, {v_version} / {r_version} the version column of `land_valid` / the raw
-- table (NULL::timestamptz for entities without one, which turns every version condition into "true"),
-- {bad_key} a quarantined record's key as a value of the raw key's type (NULL when it cannot be one), so that
-- the raw table is searched by its primary key.
-- Values are bound parameters: :source, :entity, :now, :run_id. Every statement that changes a raw row or a
-- quarantine row logs the key in `raw.change_log` in the same statement (its RETURNING rows); only a re-stamp
-- (`restamp_valid`: a newer version with the same canonical content) moves a row's stamp unlogged.

-- name: create_valid_temp
CREATE TEMP TABLE land_valid (LIKE {table}) ON COMMIT DROP

-- name: copy_valid
COPY land_valid ({columns}) FROM STDIN (FORMAT BINARY)

-- name: column_types
SELECT attname::text, atttypid::int FROM pg_attribute
WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 AND NOT attisdropped

-- name: restamp_valid
-- A new version whose canonical content equals the landed row (every row column but the key and
-- the version) is no change: only its stamp moves (version, payload, fetched_at, run_id), nothing is logged
-- and the table's version stays, so nothing downstream runs. Both versions must be within their landing
-- time: a version ahead of the clock (or one leaving it) is a change the data-quality rules see.
-- `upsert_valid` leaves these versions (the same condition) to this statement, run after it, and only when
-- some valid record of the batch was not inserted (a first landing never probes for them).
UPDATE {table} AS r
SET {version} = v.{version}, payload = v.payload, fetched_at = v.fetched_at, run_id = v.run_id
FROM land_valid AS v
WHERE r.{key} = v.{key}
  AND {r_version} < {v_version} AND {r_version} <= r.fetched_at AND {v_version} <= v.fetched_at
  AND ({r_content}) IS NOT DISTINCT FROM ({v_content})
  AND NOT EXISTS (
      SELECT 1 FROM raw.quarantine AS q
      WHERE q.source = :source AND q.entity = :entity AND q.record_key = v.{key}::text
        AND q.resolved_at IS NULL AND q.updated_at > {v_version}
  )

-- name: upsert_valid
WITH upserted AS (
INSERT INTO {table} AS r ({columns})
SELECT {v_columns}
FROM land_valid AS v
WHERE NOT EXISTS (
    SELECT 1 FROM raw.quarantine AS q
    WHERE q.source = :source AND q.entity = :entity AND q.record_key = v.{key}::text
      AND q.resolved_at IS NULL AND q.updated_at > {v_version}
)
ON CONFLICT ({key}) DO UPDATE SET {assignments}
WHERE ({r_version} IS NULL OR {excluded_version} IS NULL OR {r_version} <= {excluded_version})
  AND r.payload IS DISTINCT FROM EXCLUDED.payload
  AND NOT coalesce(
      {r_version} < {excluded_version} AND {r_version} <= r.fetched_at AND {excluded_version} <= EXCLUDED.fetched_at
      AND ({r_content}) IS NOT DISTINCT FROM ({excluded_content}), false
  )
RETURNING r.{key}::text AS record_key, (xmax = 0) AS inserted
), logged AS (
    INSERT INTO raw.change_log (run_id, source, entity, record_key, change, logged_at)
    SELECT :run_id, :source, :entity, u.record_key, CASE WHEN u.inserted THEN 'inserted' ELSE 'updated' END, :now
    FROM upserted AS u
)
SELECT count(*) FILTER (WHERE inserted) AS inserted, count(*) FILTER (WHERE NOT inserted) AS updated
FROM upserted

-- name: resolve_quarantine
WITH released AS (
    UPDATE raw.quarantine AS q
    SET resolved_at = :now, run_id = :run_id
    FROM land_valid AS v
    WHERE q.source = :source AND q.entity = :entity AND q.record_key = v.{key}::text
      AND q.resolved_at IS NULL AND (q.updated_at IS NULL OR {v_version} IS NULL OR q.updated_at <= {v_version})
    RETURNING q.record_key
)
INSERT INTO raw.change_log (run_id, source, entity, record_key, change, logged_at)
SELECT :run_id, :source, :entity, record_key, 'released', :now FROM released

-- name: discard_stale_bad
DELETE FROM land_bad AS b
USING {table} AS r
WHERE r.{key} = {bad_key} AND b.updated_at IS NOT NULL AND {r_version} > b.updated_at

-- name: drop_superseded_valid
WITH dropped AS (
    DELETE FROM {table} AS r
    USING land_bad AS b
    WHERE r.{key} = {bad_key}
      AND (b.updated_at IS NULL OR {r_version} IS NULL OR {r_version} <= b.updated_at)
      AND EXISTS (
          SELECT 1 FROM raw.quarantine AS q
          WHERE q.source = b.source AND q.entity = b.entity AND q.record_key = b.record_key
            AND q.resolved_at IS NULL
      )
    RETURNING r.{key}::text AS record_key
)
INSERT INTO raw.change_log (run_id, source, entity, record_key, change, logged_at)
SELECT :run_id, :source, :entity, record_key, 'deleted', :now FROM dropped

-- name: create_bad_temp
CREATE TEMP TABLE land_bad (LIKE raw.quarantine) ON COMMIT DROP

-- name: copy_bad
COPY land_bad (source, entity, record_key, reasons, payload, updated_at, first_seen_at, last_changed_at, run_id)
FROM STDIN

-- name: quarantine_bad
WITH quarantined AS (
INSERT INTO raw.quarantine AS q (
    source, entity, record_key, reasons, payload, updated_at, first_seen_at, last_changed_at, resolved_at, run_id
)
SELECT b.source, b.entity, b.record_key, b.reasons, b.payload, b.updated_at, b.first_seen_at, b.last_changed_at,
       NULL, b.run_id
FROM land_bad AS b
ON CONFLICT (source, entity, record_key) DO UPDATE SET
    reasons = EXCLUDED.reasons,
    payload = EXCLUDED.payload,
    updated_at = EXCLUDED.updated_at,
    last_changed_at = EXCLUDED.last_changed_at,
    resolved_at = NULL,
    run_id = EXCLUDED.run_id
WHERE (q.resolved_at IS NOT NULL OR q.payload IS DISTINCT FROM EXCLUDED.payload
       OR q.reasons IS DISTINCT FROM EXCLUDED.reasons)
  AND (q.updated_at IS NULL OR EXCLUDED.updated_at IS NULL OR q.updated_at <= EXCLUDED.updated_at)
RETURNING q.source, q.entity, q.record_key
), logged AS (
    INSERT INTO raw.change_log (run_id, source, entity, record_key, change, logged_at)
    SELECT :run_id, source, entity, record_key, 'quarantined', :now FROM quarantined
)
SELECT count(*) FROM quarantined

-- name: get_watermark
SELECT value FROM raw.watermark WHERE source = :source AND entity = :entity

-- name: newest_sane_version
-- The newest version landed at or before its own landing time (records stamped ahead of the pipeline's clock
-- excluded), in the raw table and in quarantine: where a watermark carried ahead of the clock is set back to.
SELECT max(v.version) FROM (
    SELECT max({r_version}) AS version FROM {table} AS r WHERE {r_version} <= r.fetched_at
    UNION ALL
    SELECT max(q.updated_at) FROM raw.quarantine AS q
    WHERE q.source = :source AND q.entity = :entity AND q.updated_at <= q.last_changed_at
) AS v

-- name: set_back_watermark
UPDATE raw.watermark SET value = :value, committed_at = :now
WHERE source = :source AND entity = :entity

-- name: forget_watermark
DELETE FROM raw.watermark WHERE source = :source AND entity = :entity

-- name: advance_watermark
INSERT INTO raw.watermark AS w (source, entity, value, committed_at, run_id)
VALUES (:source, :entity, :value, :now, :run_id)
ON CONFLICT (source, entity) DO UPDATE SET
    value = EXCLUDED.value, committed_at = EXCLUDED.committed_at, run_id = EXCLUDED.run_id
WHERE w.value < EXCLUDED.value

-- name: start_load
INSERT INTO raw.load_log (run_id, source, entity, started_at, watermark_before)
VALUES (:run_id, :source, :entity, :now, :watermark)
ON CONFLICT (run_id, source, entity) DO UPDATE SET started_at = EXCLUDED.started_at, status = 'running'

-- name: finish_load
UPDATE raw.load_log SET
    finished_at = :now, pages = :pages, fetched = :fetched, inserted = :inserted, updated = :updated,
    quarantined = :quarantined, retries = :retries, watermark_after = :watermark, status = :status
WHERE run_id = :run_id AND source = :source AND entity = :entity

-- name: open_quarantine_count
SELECT count(*) FROM raw.quarantine
WHERE source = :source AND entity = :entity AND resolved_at IS NULL
