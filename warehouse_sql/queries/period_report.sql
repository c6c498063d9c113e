-- Build statements of mart.tthc_period_report: compute every quarter, half and year into a temp table, then
-- apply the difference. Bind parameter: :as_of (timestamptz, the run start).
-- Periods are calendar periods in local time (meta.local_zone()), from the first period with a received case to the period
-- of :as_of; a period's cases are those of the on_time_rate denominator (mart.indicator_monthly).

-- name: lock_period_report
LOCK TABLE mart.tthc_period_report IN SHARE ROW EXCLUSIVE MODE;

-- name: create_period_report_new
-- Template: <cases> is the table of cases read (mart.fact_case, or the cases of the affected periods) and
-- <period_filter> a condition on the period (kind `s.period_kind`, start `p`): `true`, or the affected ones.
CREATE TEMP TABLE period_report_new ON COMMIT DROP AS
WITH bounds AS (
    SELECT CAST(:as_of AS timestamptz) AS as_of,
           (CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone()) AS as_of_local,
           (SELECT min(c.received_at) AT TIME ZONE meta.local_zone()
              FROM mart.fact_case AS c
             WHERE c.status_code NOT IN (1, 3)) AS first_local
),
starts AS (
    SELECT 'quarter' AS period_kind, interval '3 months' AS length,
           date_trunc('quarter', b.first_local) AS first_start,
           date_trunc('quarter', b.as_of_local) AS last_start
      FROM bounds AS b
    UNION ALL
    SELECT 'half', interval '6 months',
           date_trunc('year', b.first_local)
               + CASE WHEN extract(month FROM b.first_local) >= 7 THEN interval '6 months' ELSE interval '0' END,
           date_trunc('year', b.as_of_local)
               + CASE WHEN extract(month FROM b.as_of_local) >= 7 THEN interval '6 months' ELSE interval '0' END
      FROM bounds AS b
    UNION ALL
    SELECT 'year', interval '1 year', date_trunc('year', b.first_local), date_trunc('year', b.as_of_local)
      FROM bounds AS b
),
periods AS (
    SELECT s.period_kind, p::date AS period_start, (p + s.length)::date AS period_end,
           p AT TIME ZONE meta.local_zone() AS p_start,
           (p + s.length) AT TIME ZONE meta.local_zone() AS p_end
      FROM starts AS s
     CROSS JOIN LATERAL generate_series(s.first_start, s.last_start, s.length) AS p
     WHERE {period_filter}
),
period_case AS (
    SELECT p.period_kind, p.period_start, p.period_end, c.unit_code,
           coalesce(pr.field_code, '') AS field_code,
           c.received_at < p.p_start AS carried_over,
           c.received_at >= p.p_start AND c.channel = 2 AS received_online,
           c.received_at >= p.p_start AND c.channel IS DISTINCT FROM 2 AS received_offline,
           c.finished_at < p.p_end AS resolved,
           c.finished_at <= c.due_at AS finished_in_time,
           (c.finished_at AT TIME ZONE meta.local_zone())::date
               < (c.due_at AT TIME ZONE meta.local_zone())::date AS finished_before_due_date,
           c.finished_at > c.due_at AS finished_late,
           least(p.p_end, b.as_of) <= c.due_at AS judged_in_time
      FROM periods AS p
      JOIN {cases} AS c
        ON c.status_code NOT IN (1, 3)
       AND c.received_at < p.p_end
       AND (c.finished_at IS NULL OR c.finished_at >= p.p_start)
      LEFT JOIN raw.newsys_procedure AS pr ON pr.procedure_code = c.procedure_code
     CROSS JOIN bounds AS b
)
SELECT period_kind, period_start, period_end,
       CASE WHEN grouping(unit_code) = 1 THEN 'ALL' ELSE unit_code END AS unit_code,
       CASE WHEN grouping(field_code) = 1 THEN 'ALL' ELSE field_code END AS field_code,
       count(*) AS received_total,
       count(*) FILTER (WHERE carried_over) AS carried_over,
       count(*) FILTER (WHERE received_online) AS received_online,
       count(*) FILTER (WHERE received_offline) AS received_offline,
       count(*) FILTER (WHERE resolved) AS resolved_total,
       count(*) FILTER (WHERE resolved AND finished_in_time AND finished_before_due_date) AS resolved_early,
       count(*) FILTER (WHERE resolved AND finished_in_time AND NOT finished_before_due_date) AS resolved_on_time,
       count(*) FILTER (WHERE resolved AND finished_late) AS resolved_late,
       count(*) FILTER (WHERE resolved IS NOT TRUE) AS pending_total,
       count(*) FILTER (WHERE resolved IS NOT TRUE AND judged_in_time) AS pending_within_due,
       count(*) FILTER (WHERE resolved IS NOT TRUE AND NOT judged_in_time) AS pending_overdue
  FROM period_case
 GROUP BY GROUPING SETS (
           (period_kind, period_start, period_end, unit_code, field_code),
           (period_kind, period_start, period_end, unit_code),
           (period_kind, period_start, period_end, field_code),
           (period_kind, period_start, period_end))
HAVING grouping(unit_code) = 1 OR unit_code IS NOT NULL;

-- name: drop_affected_period
DROP TABLE IF EXISTS affected_period;

-- name: create_affected_period
-- The quarters, halves and years that contain an affected month.
CREATE TEMP TABLE affected_period ON COMMIT DROP AS
SELECT DISTINCT k.period_kind, k.period_start::date AS period_start,
       k.period_start AT TIME ZONE 'Asia/Ho_Chi_Minh' AS p_start,
       (k.period_start + k.length) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS p_end
FROM affected_month AS m
CROSS JOIN LATERAL (VALUES
    ('quarter', date_trunc('quarter', m.period_month::timestamp), interval '3 months'),
    ('half', date_trunc('year', m.period_month::timestamp)
                 + CASE WHEN extract(month FROM m.period_month) >= 7 THEN interval '6 months' ELSE interval '0' END,
             interval '6 months'),
    ('year', date_trunc('year', m.period_month::timestamp), interval '1 year')
) AS k (period_kind, period_start, length);

-- name: create_affected_span_of_periods
CREATE TEMP TABLE affected_span ON COMMIT DROP AS SELECT p_start, p_end FROM affected_period;

-- name: period_report_summary
SELECT period_kind, count(*) AS row_count, count(DISTINCT period_start) AS periods,
       min(period_start) AS first_period, max(period_start) AS last_period
FROM mart.tthc_period_report
GROUP BY period_kind
ORDER BY period_kind;

-- name: check_period_report_conservation
SELECT period_kind, period_start, unit_code, field_code, received_total, carried_over, received_online,
       received_offline, resolved_total, resolved_early, resolved_on_time, resolved_late, pending_total,
       pending_within_due, pending_overdue
FROM mart.tthc_period_report
WHERE received_total <> carried_over + received_online + received_offline
   OR received_total <> resolved_total + pending_total
   OR resolved_total <> resolved_early + resolved_on_time + resolved_late
   OR pending_total <> pending_within_due + pending_overdue
ORDER BY period_kind, period_start, unit_code COLLATE "C", field_code COLLATE "C"
LIMIT 20;

-- name: latest_complete_quarter
SELECT max(period_start) AS period_start
FROM mart.tthc_period_report
WHERE period_kind = 'quarter'
  AND period_end <= (CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date;

-- name: check_period_report_on_time
WITH bounds AS (
    SELECT CAST(:as_of AS timestamptz) AS as_of,
           CAST(:period_start AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:period_start AS date) + interval '3 months') AT TIME ZONE meta.local_zone() AS p_end
),
on_time AS (
    SELECT CASE WHEN grouping(c.unit_code) = 1 THEN 'ALL' ELSE c.unit_code END AS unit_code,
           count(*) FILTER (WHERE least(c.finished_at, b.p_end, b.as_of) <= c.due_at) AS numerator
      FROM mart.fact_case AS c
     CROSS JOIN bounds AS b
     WHERE c.status_code NOT IN (1, 3)
       AND c.received_at < b.p_end
       AND (c.finished_at IS NULL OR c.finished_at >= b.p_start)
     GROUP BY GROUPING SETS ((c.unit_code), ())
    HAVING grouping(c.unit_code) = 1 OR c.unit_code IS NOT NULL
),
reported AS (
    SELECT unit_code, resolved_early + resolved_on_time + pending_within_due AS numerator
      FROM mart.tthc_period_report
     WHERE period_kind = 'quarter' AND period_start = CAST(:period_start AS date) AND field_code = 'ALL'
)
SELECT coalesce(o.unit_code, r.unit_code) AS unit_code, o.numerator AS on_time_numerator,
       r.numerator AS report_numerator
FROM on_time AS o
FULL JOIN reported AS r ON r.unit_code = o.unit_code
WHERE o.numerator IS DISTINCT FROM r.numerator
ORDER BY coalesce(o.unit_code, r.unit_code) COLLATE "C"
LIMIT 20;

-- name: period_rows
SELECT unit_code, field_code, received_total, carried_over, received_online, received_offline, resolved_total,
       resolved_early, resolved_on_time, resolved_late, pending_total, pending_within_due, pending_overdue
FROM mart.tthc_period_report
WHERE period_kind = :period_kind AND period_start = CAST(:period_start AS date)
ORDER BY unit_code COLLATE "C", field_code COLLATE "C";

-- name: field_names
SELECT field_code, max(field_name) AS field_name
FROM raw.newsys_procedure
WHERE field_code IS NOT NULL AND field_name IS NOT NULL
GROUP BY field_code;

-- name: unit_names
SELECT unit_code, name FROM raw.newsys_unit WHERE name IS NOT NULL;
