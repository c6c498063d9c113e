-- The change logs and the build cursors of incremental builds.
-- A consumer locks the log it reads (SHARE ROW EXCLUSIVE: writers wait until it commits, so no change with a
-- smaller id can commit after it read the log), reads its cursor, takes the changes after it into the temp
-- table `pending_raw` / `pending_changes`, and saves the cursor in the transaction that publishes.

-- name: lock_raw_log
LOCK TABLE raw.change_log IN SHARE ROW EXCLUSIVE MODE

-- name: lock_staging_log
LOCK TABLE staging.change_log IN SHARE ROW EXCLUSIVE MODE

-- name: read_cursor
SELECT last_change_id, as_of, cutover_at, first_month
FROM staging.build_cursor
WHERE consumer = :consumer
FOR UPDATE

-- name: raw_horizon
SELECT coalesce(max(change_id), 0) FROM raw.change_log

-- name: staging_horizon
SELECT coalesce(max(change_id), 0) FROM staging.change_log

-- name: drop_pending_raw
DROP TABLE IF EXISTS pending_raw

-- name: drop_pending_changes
DROP TABLE IF EXISTS pending_changes

-- name: drop_affected_month
DROP TABLE IF EXISTS affected_month

-- name: create_pending_raw
CREATE TEMP TABLE pending_raw ON COMMIT DROP AS
SELECT change_id, source, entity, record_key, change,
       CASE WHEN source = 'egov' AND record_key ~ '^-?[0-9]{1,18}$' THEN record_key::bigint END AS egov_id
FROM raw.change_log
WHERE change_id > :last_change_id AND change_id <= :horizon

-- name: create_pending_changes
CREATE TEMP TABLE pending_changes ON COMMIT DROP AS
SELECT * FROM staging.change_log WHERE change_id > :last_change_id AND change_id <= :horizon

-- name: analyze_pending_raw
ANALYZE pending_raw

-- name: analyze_pending_changes
ANALYZE pending_changes

-- name: pending_raw_count
SELECT count(*) FROM pending_raw

-- name: pending_counts
SELECT count(*) AS changes,
       count(*) FILTER (WHERE kind = 'full' AND record_key = ANY (CAST(:upstream AS text[]))) AS full_rebuilds
FROM pending_changes

-- name: save_cursor
INSERT INTO staging.build_cursor AS c (consumer, last_change_id, as_of, cutover_at, first_month, built_at)
VALUES (:consumer, :last_change_id, :as_of, :cutover_at, :first_month, now())
ON CONFLICT (consumer) DO UPDATE SET
    last_change_id = EXCLUDED.last_change_id, as_of = EXCLUDED.as_of, cutover_at = EXCLUDED.cutover_at,
    first_month = EXCLUDED.first_month, built_at = EXCLUDED.built_at

-- name: log_full_rebuild
INSERT INTO staging.change_log (kind, record_key) VALUES ('full', :producer)

-- name: prune_raw_log
DELETE FROM raw.change_log WHERE change_id <= :last_change_id

-- name: consumed_by_all
SELECT CASE WHEN count(*) = cardinality(CAST(:consumers AS text[])) THEN min(last_change_id) END
FROM staging.build_cursor
WHERE consumer = ANY (CAST(:consumers AS text[]))

-- name: prune_staging_log
DELETE FROM staging.change_log WHERE change_id <= :last_change_id

-- name: first_month
SELECT date_trunc('month', min(received_at) AT TIME ZONE meta.local_zone())::date
FROM mart.fact_case
WHERE status_code NOT IN (1, 3)

-- name: create_affected_month
CREATE TEMP TABLE affected_month ON COMMIT DROP AS
WITH bounds AS (
    SELECT date_trunc('month', CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date AS as_of_month,
           date_trunc('month', CAST(:previous_as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date
               AS previous_month,
           CAST(:first_month AS date) AS first_month,
           CAST(:previous_first_month AS date) AS previous_first_month
), ranges AS (
    SELECT c.month_from, coalesce(c.month_to, greatest(b.as_of_month, b.previous_month)) AS month_to
    FROM pending_changes AS c
    CROSS JOIN bounds AS b
    WHERE c.kind = 'fact' AND c.month_from IS NOT NULL
    UNION ALL
    SELECT date_trunc('month', least(f.received_at, f.finished_at) AT TIME ZONE meta.local_zone())::date,
           CASE WHEN f.finished_at IS NOT NULL
                THEN date_trunc('month', greatest(f.received_at, f.finished_at) AT TIME ZONE meta.local_zone())::date
                ELSE greatest(b.as_of_month, b.previous_month)
           END
    FROM pending_changes AS c
    JOIN mart.fact_case AS f ON f.procedure_code = c.procedure_code
    CROSS JOIN bounds AS b
    WHERE CAST(:with_procedures AS boolean) AND c.kind = 'procedure'
    UNION ALL
    SELECT least(b.as_of_month, b.previous_month), greatest(b.as_of_month, b.previous_month)
    FROM bounds AS b
    WHERE CAST(:as_of AS timestamptz) IS DISTINCT FROM CAST(:previous_as_of AS timestamptz)
    UNION ALL
    SELECT b.as_of_month, b.as_of_month
    FROM bounds AS b
    WHERE EXISTS (
        SELECT 1 FROM pending_changes AS c
        WHERE c.kind = 'official' OR (c.kind = 'case' AND c.source_system = 'newsys')
    )
    UNION ALL
    SELECT least(b.first_month, b.previous_first_month), greatest(b.first_month, b.previous_first_month)
    FROM bounds AS b
    WHERE b.first_month IS DISTINCT FROM b.previous_first_month
)
SELECT DISTINCT m::date AS period_month,
       m AT TIME ZONE meta.local_zone() AS p_start,
       (m + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
FROM ranges AS r
CROSS JOIN LATERAL generate_series(r.month_from::timestamp, r.month_to::timestamp, interval '1 month') AS m
WHERE r.month_from IS NOT NULL AND r.month_to IS NOT NULL

-- name: affected_month_count
SELECT count(*) FROM affected_month

-- name: drop_affected_span
DROP TABLE IF EXISTS affected_span

-- name: drop_span_case
DROP TABLE IF EXISTS span_case

-- name: create_span_case
-- The received cases of `mart.fact_case` that count in any span of `affected_span` (open during it, or
-- finished in it), found through the span and finish-time indexes.
CREATE TEMP TABLE span_case ON COMMIT DROP AS
SELECT c.*
FROM mart.fact_case AS c
WHERE c.case_key IN (
    SELECT f.case_key
    FROM affected_span AS s
    CROSS JOIN LATERAL (
        SELECT f.case_key FROM mart.fact_case AS f
        WHERE f.status_code NOT IN (1, 3)
          AND mart.case_span(f.received_at, f.finished_at) && tstzrange(s.p_start, s.p_end, '[)')
        UNION ALL
        SELECT f.case_key FROM mart.fact_case AS f
        WHERE f.status_code IN (9, 10) AND f.finished_at >= s.p_start AND f.finished_at < s.p_end
    ) AS f
)

-- name: fact_changes_without_images
SELECT count(*) FROM pending_changes WHERE kind = 'fact' AND image IS NULL

-- name: drop_fact_delta
DROP TABLE IF EXISTS fact_delta

-- name: create_fact_delta
-- The pending fact_case changes as signed rows: each new image counts +1, each old image -1. Summed over the
-- log, a case's images telescope to its current row minus the row the consumer last counted.
CREATE TEMP TABLE fact_delta ON COMMIT DROP AS
SELECT CASE WHEN c.image = 'new' THEN 1 ELSE -1 END AS weight, c.source_system, c.case_key, c.procedure_code,
       c.unit_code, c.status_code, c.channel, c.received_at, c.due_at, c.finished_at, c.has_e_result,
       c.is_digitized, c.payment, c.rating, c.has_apology, c.synced_national
FROM pending_changes AS c
WHERE c.kind = 'fact'

-- name: drop_difference_and_recomputed_months
DROP TABLE IF EXISTS difference_month, recomputed_month

-- name: create_difference_month
-- The affected months that began by :carried_since (the earlier of this build's as_of and the last one's):
-- they were counted at the last build, so they take the changes as a difference of counts (none when it is
-- null).
CREATE TEMP TABLE difference_month ON COMMIT DROP AS
SELECT * FROM affected_month WHERE p_start <= coalesce(CAST(:carried_since AS timestamptz), '-infinity')

-- name: create_recomputed_month
-- The other affected months: recomputed from their cases.
CREATE TEMP TABLE recomputed_month ON COMMIT DROP AS
SELECT * FROM affected_month WHERE p_start > coalesce(CAST(:carried_since AS timestamptz), '-infinity')

-- name: create_affected_span_of_recomputed_months
CREATE TEMP TABLE affected_span ON COMMIT DROP AS SELECT p_start, p_end FROM recomputed_month

-- name: drop_as_of_flip
DROP TABLE IF EXISTS as_of_flip

-- name: create_as_of_flip
-- The received cases due between the last build's as_of and this one's: the only cases a count can judge
-- differently at the two (on time at one, late at the other), found through the due-time index.
CREATE TEMP TABLE as_of_flip ON COMMIT DROP AS
SELECT c.*
FROM mart.fact_case AS c
WHERE c.status_code NOT IN (1, 3)
  AND c.due_at >= least(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
  AND c.due_at < greatest(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))

-- name: procedure_changes_pending
SELECT count(*) FROM pending_changes WHERE kind = 'procedure'
