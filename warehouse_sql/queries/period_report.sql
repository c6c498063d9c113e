-- Build statements of mart.tthc_period_report: compute every quarter, half and year into a temp table, then
-- apply the difference. Bind parameter: :as_of (timestamptz, the run start).
-- Periods are calendar periods in local time (meta.local_zone()), from the first period with a received case to the period
-- of :as_of; a period's cases are those of the on_time_rate denominator (mart.indicator_monthly).

-- name: lock_period_report
LOCK TABLE mart.tthc_period_report IN SHARE ROW EXCLUSIVE MODE;

-- name: create_period_counts
CREATE TEMP TABLE {target} (LIKE mart.tthc_period_report) ON COMMIT DROP;

-- name: count_periods
-- Template: <into> creates the counts table from the query (CREATE TEMP TABLE … AS, which may run in
-- parallel) or appends to it (INSERT INTO); <cases> is the table of cases read (mart.fact_case, the cases of
-- the affected periods, the signed fact changes or the cases due between two as_of) and <weight> what each
-- case counts (1, -1, or its sign c.weight); <period_filter> a condition on the period (kind
-- `s.period_kind`, start `p`): `true`, or some. The span condition (a superset of a period's cases) lets the
-- span index of mart.fact_case find each period's cases.
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

-- name: drop_affected_period
DROP TABLE IF EXISTS affected_period;

-- name: create_affected_period
-- The quarters, halves and years that contain an affected month.
CREATE TEMP TABLE affected_period ON COMMIT DROP AS
SELECT DISTINCT k.period_kind, k.period_start::date AS period_start,
       k.period_start AT TIME ZONE meta.local_zone() AS p_start,
       (k.period_start + k.length) AT TIME ZONE meta.local_zone() AS p_end
FROM affected_month AS m
CROSS JOIN LATERAL (VALUES
    ('quarter', date_trunc('quarter', m.period_month::timestamp), interval '3 months'),
    ('half', date_trunc('year', m.period_month::timestamp)
                 + CASE WHEN extract(month FROM m.period_month) >= 7 THEN interval '6 months' ELSE interval '0' END,
             interval '6 months'),
    ('year', date_trunc('year', m.period_month::timestamp), interval '1 year')
) AS k (period_kind, period_start, length);

-- name: drop_difference_and_recomputed_periods
DROP TABLE IF EXISTS difference_period, recomputed_period;

-- name: create_difference_period
-- The affected periods that began by :carried_since (the earlier of this build's as_of and the last one's):
-- they were counted at the last build, so they take the changes as a difference of counts (none when it is
-- null).
CREATE TEMP TABLE difference_period ON COMMIT DROP AS
SELECT * FROM affected_period WHERE p_start <= coalesce(CAST(:carried_since AS timestamptz), '-infinity');

-- name: create_recomputed_period
-- The other affected periods: recomputed from their cases.
CREATE TEMP TABLE recomputed_period ON COMMIT DROP AS
SELECT * FROM affected_period WHERE p_start > coalesce(CAST(:carried_since AS timestamptz), '-infinity');

-- name: create_affected_span_of_recomputed_periods
CREATE TEMP TABLE affected_span ON COMMIT DROP AS SELECT p_start, p_end FROM recomputed_period;

-- name: merge_difference_periods
-- The published counts of the periods counted by difference plus their signed changes (a row stays while it
-- counts a case).
INSERT INTO period_report_new
SELECT period_kind, period_start, period_end, unit_code, field_code,
       sum(received_total), sum(carried_over), sum(received_online), sum(received_offline), sum(resolved_total),
       sum(resolved_early), sum(resolved_on_time), sum(resolved_late), sum(pending_total),
       sum(pending_within_due), sum(pending_overdue)
  FROM (SELECT * FROM mart.tthc_period_report AS r
         WHERE (r.period_kind, r.period_start) IN (SELECT period_kind, period_start FROM difference_period)
        UNION ALL
        SELECT * FROM period_report_delta) AS both_sides
 GROUP BY period_kind, period_start, period_end, unit_code, field_code
HAVING sum(received_total) > 0;

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
