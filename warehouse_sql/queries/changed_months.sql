-- The months the monthly marts must recount after change-feed runs (transform/changed_months.py). The plan reads
-- the staging log like a build, from its own cursor (consumer `changed_months` in staging.build_cursor), and
-- finds the affected months with the counting driver's own statement (queries/counting.sql,
-- create_affected_month); only these statements are its own.

-- name: short_lock_timeout
-- A plan is made in a sensor's tick: it waits for a run's lock on the log at most :milliseconds.
SELECT set_config('lock_timeout', CAST(:milliseconds AS text), true)

-- name: drop_recounts
-- The months a partition run recounted are not changes: they were counted from their cases when it ran (a
-- later change of them is logged after it, and the month of as_of is in every plan).
DELETE FROM pending_changes WHERE kind = 'recount'

-- name: affected_months
SELECT period_month FROM affected_month ORDER BY period_month
