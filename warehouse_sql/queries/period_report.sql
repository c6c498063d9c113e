-- mart.tthc_period_report, counted by difference (transform/counting.py; the rules: queries/counting.sql):
-- every quarter, half and year from the first period with a received case to the period of :as_of
-- (timestamptz, the run start), in local time (meta.local_zone()); a period's cases are those of the
-- on_time_rate denominator (mart.indicator_monthly). Also its checks.

-- name: count
-- The count template (queries/counting.sql: its placeholders, and the rules it keeps). A period's field is
-- that of its case's procedure in the catalogue (a remap when a procedure changes: rule 4). The span
-- condition (a superset of a period's cases) lets the span index of mart.fact_case find each period's cases.
{into}
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
     WHERE {span_filter}
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
           least(p.p_end, b.as_of) <= c.due_at AS judged_in_time,
           {weight} AS weight
      FROM periods AS p
      JOIN {cases} AS c
        ON c.status_code NOT IN (1, 3)
       AND mart.case_span(c.received_at, c.finished_at) && tstzrange(p.p_start, p.p_end, '[)')
       AND c.received_at < p.p_end
       AND (c.finished_at IS NULL OR c.finished_at >= p.p_start)
      LEFT JOIN raw.newsys_procedure AS pr ON pr.procedure_code = c.procedure_code
     CROSS JOIN bounds AS b
)
SELECT period_kind, period_start, period_end,
       CASE WHEN grouping(unit_code) = 1 THEN 'ALL' ELSE unit_code END AS unit_code,
       CASE WHEN grouping(field_code) = 1 THEN 'ALL' ELSE field_code END AS field_code,
       sum(weight) AS received_total,
       coalesce(sum(weight) FILTER (WHERE carried_over), 0) AS carried_over,
       coalesce(sum(weight) FILTER (WHERE received_online), 0) AS received_online,
       coalesce(sum(weight) FILTER (WHERE received_offline), 0) AS received_offline,
       coalesce(sum(weight) FILTER (WHERE resolved), 0) AS resolved_total,
       coalesce(sum(weight) FILTER (WHERE resolved AND finished_in_time AND finished_before_due_date), 0)
           AS resolved_early,
       coalesce(sum(weight) FILTER (WHERE resolved AND finished_in_time AND NOT finished_before_due_date), 0)
           AS resolved_on_time,
       coalesce(sum(weight) FILTER (WHERE resolved AND finished_late), 0) AS resolved_late,
       coalesce(sum(weight) FILTER (WHERE resolved IS NOT TRUE), 0) AS pending_total,
       coalesce(sum(weight) FILTER (WHERE resolved IS NOT TRUE AND judged_in_time), 0) AS pending_within_due,
       coalesce(sum(weight) FILTER (WHERE resolved IS NOT TRUE AND NOT judged_in_time), 0) AS pending_overdue
  FROM period_case
 GROUP BY GROUPING SETS (
           (period_kind, period_start, period_end, unit_code, field_code),
           (period_kind, period_start, period_end, unit_code),
           (period_kind, period_start, period_end, field_code),
           (period_kind, period_start, period_end))
HAVING grouping(unit_code) = 1 OR unit_code IS NOT NULL;

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
