-- Statements of the alerting: the alert log, and the facts the alert rules compare.

-- name: insert_alert
INSERT INTO meta.alert_log (kind, local_day, run_id, title_vi, title_en, payload, channel, attempts,
                            delivered, last_error)
VALUES (:kind, :local_day, :run_id, :title_vi, :title_en, CAST(:payload AS jsonb), :channel, :attempts,
        :delivered, :last_error)
RETURNING alert_id

-- name: last_alert
-- The latest alert of a kind that reached people (delivered, or logged because no webhook is configured).
SELECT local_day, payload
FROM meta.alert_log
WHERE kind = :kind AND (delivered OR channel = 'log')
ORDER BY sent_at DESC, alert_id DESC
LIMIT 1

-- name: last_alert_on_day
SELECT local_day, payload
FROM meta.alert_log
WHERE kind = :kind AND local_day = :local_day AND (delivered OR channel = 'log')
ORDER BY sent_at DESC, alert_id DESC
LIMIT 1

-- name: residue_by_unit
SELECT coalesce(unit_code, '') AS unit, count(*)::integer AS residue_count
FROM mart.residue_case
GROUP BY 1
ORDER BY residue_count DESC, coalesce(unit_code, '') COLLATE "C"

-- name: oldest_residue_cases
SELECT legacy_case_no, unit_code, days_open, last_official
FROM mart.residue_case
ORDER BY days_open DESC, received_at, legacy_case_no COLLATE "C"
LIMIT :limit

-- name: overdue_petitions_by_unit
-- Per current unit, its open petitions past their handling deadline at :as_of; the unit with the oldest first.
SELECT coalesce(unit_code, '') AS unit_code, count(*)::integer AS overdue,
       to_char(min(handle_due_at) AT TIME ZONE meta.local_zone(), 'YYYY-MM-DD') AS oldest_handle_due_on,
       max(days_overdue) AS most_days_overdue
FROM mart.overdue_open_petitions(CAST(:as_of AS timestamptz))
GROUP BY 1
ORDER BY min(handle_due_at) NULLS FIRST, coalesce(unit_code, '') COLLATE "C"

-- name: oldest_overdue_petitions
SELECT petition_key, unit_code, classification,
       to_char(handle_due_at AT TIME ZONE meta.local_zone(), 'YYYY-MM-DD HH24:MI') AS handle_due_at,
       days_overdue
FROM mart.overdue_open_petitions(CAST(:as_of AS timestamptz))
ORDER BY handle_due_at NULLS FIRST, start_at, petition_key COLLATE "C"
LIMIT :limit

-- name: previous_dq_results
-- Per expectation, its result in the latest validation before :run_at.
SELECT DISTINCT ON (expectation) expectation, run_at, success, unexpected_count
FROM mart.dq_results
WHERE run_at < :run_at AND expectation = ANY(:expectations)
ORDER BY expectation, run_at DESC
