-- The change logs and the build cursors (transform/change_log.py, transform/builds.py).
-- A build locks the log it reads (SHARE ROW EXCLUSIVE: writers wait until it commits, so no change with a
-- smaller id can commit after it read the log), reads its cursor, takes the changes after it into the temp
-- table `pending_raw` / `pending_changes`, and saves the cursor in the transaction that publishes. It first
-- locks the tables it writes (lock_tables, a template: {tables} their names).

-- name: lock_raw_log
LOCK TABLE raw.change_log IN SHARE ROW EXCLUSIVE MODE

-- name: lock_staging_log
LOCK TABLE staging.change_log IN SHARE ROW EXCLUSIVE MODE

-- name: raw_horizon
SELECT coalesce(max(change_id), 0) FROM raw.change_log

-- name: staging_horizon
SELECT coalesce(max(change_id), 0) FROM staging.change_log

-- name: drop_pending_raw
DROP TABLE IF EXISTS pending_raw

-- name: create_pending_raw
CREATE TEMP TABLE pending_raw ON COMMIT DROP AS
SELECT change_id, source, entity, record_key, change,
       CASE WHEN source = 'egov' AND record_key ~ '^-?[0-9]{1,18}$' THEN record_key::bigint END AS egov_id
FROM raw.change_log
WHERE change_id > :last_change_id AND change_id <= :horizon

-- name: analyze_pending_raw
ANALYZE pending_raw

-- name: pending_raw_count
SELECT count(*) AS changes, 0 AS rebuilds FROM pending_raw

-- name: drop_pending_changes
DROP TABLE IF EXISTS pending_changes

-- name: create_pending_changes
CREATE TEMP TABLE pending_changes ON COMMIT DROP AS
SELECT * FROM staging.change_log WHERE change_id > :last_change_id AND change_id <= :horizon

-- name: analyze_pending_changes
ANALYZE pending_changes

-- name: pending_changes_count
-- The pending entries, and the rebuilds among them of the builds in :after.
SELECT count(*) AS changes,
       count(*) FILTER (WHERE kind = 'rebuild' AND build = ANY (CAST(:after AS text[]))) AS rebuilds
FROM pending_changes

-- name: pending_of_kind
SELECT count(*) FROM pending_changes WHERE kind = :kind

-- name: log_rebuild
INSERT INTO staging.change_log (kind, build) VALUES ('rebuild', :build)

-- name: log_recount
INSERT INTO staging.change_log (kind, build, month_from, month_to) VALUES ('recount', :build, :month_from, :month_to)

-- name: prune_raw_log
DELETE FROM raw.change_log WHERE change_id <= :last_change_id

-- name: consumed_by_all
SELECT CASE WHEN count(*) = cardinality(CAST(:consumers AS text[])) THEN min(last_change_id) END
FROM staging.build_cursor
WHERE consumer = ANY (CAST(:consumers AS text[]))

-- name: prune_staging_log
DELETE FROM staging.change_log WHERE change_id <= :last_change_id

-- name: lock_tables
LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE

-- name: read_cursor
SELECT last_change_id, as_of, cutover_at, first_month, code_version
FROM staging.build_cursor
WHERE consumer = :consumer
FOR UPDATE

-- name: save_cursor
INSERT INTO staging.build_cursor AS c
    (consumer, last_change_id, as_of, cutover_at, first_month, code_version, built_at)
VALUES (:consumer, :last_change_id, :as_of, :cutover_at, :first_month, :code_version, now())
ON CONFLICT (consumer) DO UPDATE SET
    last_change_id = EXCLUDED.last_change_id, as_of = EXCLUDED.as_of, cutover_at = EXCLUDED.cutover_at,
    first_month = EXCLUDED.first_month, code_version = EXCLUDED.code_version, built_at = EXCLUDED.built_at
