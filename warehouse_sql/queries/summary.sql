-- What the warehouse holds, for the summary printed at the end of a run.

-- name: table_rows
SELECT t.table_schema AS schema_name,
       t.table_name,
       meta.exact_row_count(t.table_schema, t.table_name) AS row_count
FROM information_schema.tables AS t
WHERE t.table_schema IN ('raw', 'staging', 'mart') AND t.table_type = 'BASE TABLE'
ORDER BY t.table_schema, t.table_name

-- name: open_quarantine
SELECT source, entity, count(*) AS records
FROM raw.quarantine
WHERE resolved_at IS NULL
GROUP BY source, entity
ORDER BY source, entity

-- name: feedback_feeds
-- The petition and rating feeds: keys landed (live and tombstones) and keys held in quarantine.
SELECT f.entity, f.live, f.tombstones,
       (SELECT count(*) FROM raw.quarantine AS q
        WHERE q.source = 'newsys' AND q.entity = f.entity AND q.resolved_at IS NULL) AS quarantined
FROM (
    SELECT 'petition' AS entity, count(*) FILTER (WHERE NOT is_deleted) AS live,
           count(*) FILTER (WHERE is_deleted) AS tombstones
    FROM raw.newsys_petition
    UNION ALL
    SELECT 'rating', count(*) FILTER (WHERE NOT is_deleted), count(*) FILTER (WHERE is_deleted)
    FROM raw.newsys_rating
) AS f
ORDER BY f.entity

-- name: feedback_quarantine_reasons
SELECT q.entity, r.reason, count(*) AS records
FROM raw.quarantine AS q
CROSS JOIN LATERAL unnest(q.reasons) AS r (reason)
WHERE q.source = 'newsys' AND q.entity IN ('petition', 'rating') AND q.resolved_at IS NULL
GROUP BY q.entity, r.reason
ORDER BY q.entity, records DESC, r.reason

-- name: feedback_marts
-- Rows published from the petition and rating feeds.
SELECT 'fact_petition' AS table_name, count(*) AS row_count FROM mart.fact_petition
UNION ALL
SELECT 'fact_rating', count(*) FROM mart.fact_rating

-- name: petition_indicators
-- The two petition indicators of the whole Department, in the two latest months with any indicator.
SELECT i.indicator_code, i.period_month, i.numerator, i.denominator, i.value, i.target, i.meets_target
FROM mart.indicator_monthly AS i
WHERE i.unit_code = 'ALL' AND i.indicator_code IN ('petition_on_time_rate', 'petition_satisfaction_rate')
  AND i.period_month >= (SELECT max(m.period_month) FROM mart.indicator_monthly AS m WHERE m.unit_code = 'ALL')
                        - interval '1 month'
ORDER BY i.indicator_code, i.period_month

-- name: landed_by_run
SELECT source, entity, pages, fetched, inserted, updated, quarantined, retries,
       extract(epoch FROM finished_at - started_at) AS seconds
FROM raw.load_log
WHERE run_id = :run_id
ORDER BY source, entity

-- name: outcome_counts
SELECT outcome, count(*) AS cases
FROM mart.backlog_reconciliation
GROUP BY outcome
ORDER BY outcome

-- name: failed_expectations
SELECT expectation, unexpected_count, element_count
FROM mart.dq_results
WHERE run_at = (SELECT max(run_at) FROM mart.dq_results) AND NOT success
ORDER BY expectation
