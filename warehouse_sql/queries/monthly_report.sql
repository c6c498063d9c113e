-- Read-only queries of the monthly HTML report.
-- Bind parameters: :as_of (timestamptz), :month_start (date, the report month: the last complete month),
-- :cutover (timestamptz), :top_n (rows listed per unit in the long lists).

-- name: relation_exists
SELECT to_regclass(:name) IS NOT NULL

-- name: report_month
SELECT (date_trunc('month', CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone()) - interval '1 month')::date

-- name: targets
SELECT indicator_code, target FROM mart.indicator_targets ORDER BY indicator_code

-- name: unit_names
SELECT unit_code, name FROM raw.newsys_unit WHERE name IS NOT NULL

-- name: month_indicators
SELECT unit_code, indicator_code, numerator, denominator, value, target, meets_target
  FROM mart.indicator_monthly
 WHERE period_month = CAST(:month_start AS date)
 ORDER BY unit_code = 'ALL' DESC, unit_code, indicator_code

-- name: trend_all
SELECT period_month, indicator_code, value, target
  FROM mart.indicator_monthly
 WHERE unit_code = 'ALL'
   AND period_month > CAST(:month_start AS date) - interval '12 months'
   AND period_month <= CAST(:month_start AS date) + interval '1 month'
 ORDER BY indicator_code, period_month

-- name: residue_snapshots
SELECT as_of_date, sum(residue_count)::bigint AS residue
  FROM mart.backlog_residue_snapshot
 GROUP BY as_of_date
 ORDER BY as_of_date

-- name: backlog_open_by_day
-- Per local day since the cutover, the backlog cases not finished by the end of that day: all of them less
-- those finished on or before it (counted once per finish date, not once per day).
WITH backlog AS (
    SELECT least(fn.finished_at, fe.finished_at) AS finished_at
      FROM mart.backlog_reconciliation AS r
      LEFT JOIN mart.fact_case AS fn ON fn.case_key = r.new_case_id
      LEFT JOIN mart.fact_case AS fe ON fe.case_key = 'EGOV:' || r.legacy_case_no
     WHERE r.outcome IN ('finished_in_egov', 'residue', 'migrated', 'migrated_mismatch', 'double_handled')
),
days AS (
    SELECT d::date AS day
      FROM generate_series(
               (CAST(:cutover AS timestamptz) AT TIME ZONE meta.local_zone())::date::timestamp,
               (CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date::timestamp,
               interval '1 day') AS d
),
finished_by_date AS (
    SELECT (b.finished_at AT TIME ZONE meta.local_zone())::date AS finished_on, count(*) AS finished
      FROM backlog AS b
     WHERE b.finished_at IS NOT NULL
     GROUP BY 1
)
SELECT d.day,
       (SELECT count(*) FROM backlog)
           - coalesce((SELECT sum(f.finished) FROM finished_by_date AS f WHERE f.finished_on <= d.day), 0)::bigint
           AS still_open
  FROM days AS d
 ORDER BY d.day

-- name: late_cases_ranked
-- The ten units and the ten officials (last handler) with the most cases not on time in the month, counted
-- as on_time_rate counts them: `ranking` says which list a row belongs to. The span condition (a superset of
-- the month's cases) lets the span index find them.
WITH bounds AS (
    SELECT CAST(:month_start AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:month_start AS date) + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end,
           CAST(:as_of AS timestamptz) AS as_of
),
late AS (
    SELECT c.case_key, c.unit_code, s.last_official AS official
      FROM mart.fact_case AS c
     CROSS JOIN bounds AS b
      LEFT JOIN staging.case AS s
        ON s.source_system = c.source_system AND s.case_key = c.case_key AND NOT s.is_deleted
     WHERE c.status_code NOT IN (1, 3)
       AND mart.case_span(c.received_at, c.finished_at) && tstzrange(b.p_start, b.p_end, '[)')
       AND c.received_at < b.p_end
       AND (c.finished_at IS NULL OR c.finished_at >= b.p_start)
       AND (least(c.finished_at, b.p_end, b.as_of) <= c.due_at) IS NOT TRUE
),
counted AS (
    SELECT CASE WHEN grouping(unit_code) = 0 THEN 'unit' ELSE 'official' END AS ranking,
           unit_code, official, count(DISTINCT case_key) AS late_cases
      FROM late
     GROUP BY GROUPING SETS ((unit_code), (official))
),
ranked AS (
    SELECT c.*, row_number() OVER (
               PARTITION BY ranking ORDER BY late_cases DESC, coalesce(unit_code, official)) AS position
      FROM counted AS c
     WHERE ranking = 'unit' OR official IS NOT NULL
)
SELECT ranking, unit_code, official, late_cases
  FROM ranked
 WHERE position <= 10
 ORDER BY ranking DESC, position

-- name: residue_work_list
WITH ranked AS (
    SELECT r.unit_code, r.legacy_case_no, r.procedure_code, r.status_code, r.received_at, r.due_at,
           r.days_open, r.days_overdue, r.last_official,
           row_number() OVER (PARTITION BY r.unit_code ORDER BY r.received_at, r.legacy_case_no COLLATE "C")
               AS position,
           count(*) OVER (PARTITION BY r.unit_code) AS unit_cases
      FROM mart.residue_case AS r
)
SELECT unit_code, legacy_case_no, procedure_code, status_code, received_at, due_at, days_open, days_overdue,
       last_official, position, unit_cases
  FROM ranked
 WHERE position <= :top_n
 ORDER BY unit_cases DESC, unit_code COLLATE "C", position

-- name: dq_month_offenders
WITH bounds AS (
    SELECT CAST(:month_start AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:month_start AS date) + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
),
of_month AS (
    SELECT o.expectation, o.record_key, coalesce(o.unit_code, '') AS unit_code, o.received_at, o.due_at,
           o.finished_at, o.last_official
      FROM mart.dq_offender AS o
     CROSS JOIN bounds AS b
     WHERE (o.received_at >= b.p_start AND o.received_at < b.p_end)
        OR (o.finished_at >= b.p_start AND o.finished_at < b.p_end)
),
ranked AS (
    SELECT m.*,
           row_number() OVER (PARTITION BY m.unit_code, m.expectation
                              ORDER BY m.received_at, m.record_key COLLATE "C") AS position,
           count(*) OVER (PARTITION BY m.unit_code, m.expectation) AS rule_cases
      FROM of_month AS m
)
SELECT expectation, record_key, unit_code, received_at, due_at, finished_at, last_official, position, rule_cases
  FROM ranked
 WHERE position <= :top_n
 ORDER BY unit_code COLLATE "C", rule_cases DESC, expectation, position

-- name: officials_review
WITH bounds AS (
    SELECT CAST(:month_start AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:month_start AS date) + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
),
finished AS (
    SELECT f.case_key, f.unit_code, f.status_code, f.due_at, f.finished_at, f.has_result, f.has_apology,
           s.last_official, s.stop_reason
      FROM mart.fact_case AS f
     CROSS JOIN bounds AS b
      JOIN staging.case AS s
        ON s.source_system = f.source_system AND s.case_key = f.case_key AND NOT s.is_deleted
     WHERE f.finished_at >= b.p_start AND f.finished_at < b.p_end AND s.last_official IS NOT NULL
),
counted AS (
    SELECT last_official AS official,
           string_agg(DISTINCT unit_code, ', ') AS units,
           count(*) FILTER (WHERE status_code IN (9, 10) AND finished_at > due_at) AS late_cases,
           count(*) FILTER (WHERE status_code IN (9, 10) AND finished_at > due_at AND has_apology)
               AS late_with_apology,
           count(*) FILTER (WHERE status_code IN (9, 10) AND NOT has_result) AS closed_without_result,
           count(*) FILTER (WHERE status_code = 8 AND coalesce(btrim(stop_reason), '') = '')
               AS stopped_without_reason
      FROM finished
     GROUP BY last_official
)
SELECT official, units, late_cases, late_with_apology, closed_without_result, stopped_without_reason
  FROM counted
 WHERE late_cases + closed_without_result + stopped_without_reason > 0
 ORDER BY late_cases DESC, closed_without_result + stopped_without_reason DESC, official COLLATE "C"

-- name: petition_month_by_unit
-- Per current unit of the petitions (and ALL), the report month's petitions: those that reached the unit
-- (start_at in the month), those that ended there (ended_at in the month), the open ones past their handling
-- deadline at :as_of, and the two petition indicators of the month with their targets.
WITH bounds AS (
    SELECT CAST(:month_start AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:month_start AS date) + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
),
counted AS (
    SELECT coalesce(p.unit_code, '') AS unit_code,
           count(*) FILTER (WHERE p.start_at >= b.p_start AND p.start_at < b.p_end) AS received,
           count(*) FILTER (WHERE p.ended_at >= b.p_start AND p.ended_at < b.p_end) AS ended
      FROM mart.fact_petition AS p
     CROSS JOIN bounds AS b
     GROUP BY 1
),
overdue AS (
    SELECT coalesce(o.unit_code, '') AS unit_code, count(*) AS open_overdue
      FROM mart.overdue_open_petitions(CAST(:as_of AS timestamptz)) AS o
     GROUP BY 1
),
per_unit AS (
    SELECT unit_code, coalesce(c.received, 0) AS received, coalesce(c.ended, 0) AS ended,
           coalesce(o.open_overdue, 0) AS open_overdue
      FROM counted AS c
      FULL JOIN overdue AS o USING (unit_code)
),
with_all AS (
    SELECT * FROM per_unit
    UNION ALL
    SELECT 'ALL', sum(received), sum(ended), sum(open_overdue) FROM per_unit
),
rates AS (
    SELECT unit_code,
           max(numerator) FILTER (WHERE indicator_code = 'petition_on_time_rate') AS on_time,
           max(denominator) FILTER (WHERE indicator_code = 'petition_on_time_rate') AS on_time_of,
           max(value) FILTER (WHERE indicator_code = 'petition_on_time_rate') AS on_time_rate,
           bool_or(meets_target) FILTER (WHERE indicator_code = 'petition_on_time_rate') AS on_time_met,
           max(numerator) FILTER (WHERE indicator_code = 'petition_satisfaction_rate') AS satisfied,
           max(denominator) FILTER (WHERE indicator_code = 'petition_satisfaction_rate') AS satisfied_of,
           max(value) FILTER (WHERE indicator_code = 'petition_satisfaction_rate') AS satisfaction_rate,
           bool_or(meets_target) FILTER (WHERE indicator_code = 'petition_satisfaction_rate') AS satisfaction_met
      FROM mart.indicator_monthly
     WHERE period_month = CAST(:month_start AS date)
       AND indicator_code IN ('petition_on_time_rate', 'petition_satisfaction_rate')
     GROUP BY unit_code
)
SELECT unit_code, coalesce(w.received, 0) AS received, coalesce(w.ended, 0) AS ended,
       coalesce(w.open_overdue, 0) AS open_overdue, r.on_time, r.on_time_of, r.on_time_of - r.on_time AS late,
       r.on_time_rate, r.on_time_met, r.satisfied, r.satisfied_of, r.satisfaction_rate, r.satisfaction_met
  FROM with_all AS w
  FULL JOIN rates AS r USING (unit_code)
 WHERE coalesce(w.received, 0) + coalesce(w.ended, 0) + coalesce(w.open_overdue, 0)
       + coalesce(r.on_time_of, 0) + coalesce(r.satisfied_of, 0) > 0
 ORDER BY unit_code = 'ALL' DESC, unit_code COLLATE "C"

-- name: overdue_petitions_work_list
-- Per unit, its open petitions past their handling deadline at :as_of, oldest deadline first (at most :top_n
-- each, with the unit's count). No sender data: the function returns none.
WITH ranked AS (
    SELECT coalesce(o.unit_code, '') AS unit_code, o.petition_key, o.classification, o.channel, o.start_at,
           o.handle_due_at, o.days_overdue,
           row_number() OVER (PARTITION BY coalesce(o.unit_code, '')
                              ORDER BY o.handle_due_at NULLS FIRST, o.start_at, o.petition_key COLLATE "C")
               AS position,
           count(*) OVER (PARTITION BY coalesce(o.unit_code, '')) AS unit_petitions
      FROM mart.overdue_open_petitions(CAST(:as_of AS timestamptz)) AS o
)
SELECT unit_code, petition_key, classification, channel, start_at, handle_due_at, days_overdue, position,
       unit_petitions
  FROM ranked
 WHERE position <= :top_n
 ORDER BY unit_petitions DESC, unit_code COLLATE "C", position
