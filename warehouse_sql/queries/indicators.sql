-- Indicator marts (contract: mart.indicator_monthly, mart.indicator_targets).
-- mart.indicator_monthly is counted by difference (transform/counting.py; the rules: queries/counting.sql):
-- this file holds its count template and the statement finishing the counts into its rows. Bind parameters:
-- :as_of (timestamptz, the run start); :month_start and :month_end (dates, first month of a window and first
-- month after it; NULL = unbounded). Months are calendar months in local time (meta.local_zone()); no month
-- after the month of :as_of is ever computed.

-- name: count
-- The count template (queries/counting.sql: its placeholders, and the rules it keeps). <handler_names>
-- selects the user names in the histories of the new-system cases (queries/case_handlers.sql: those of the
-- cases of mart.fact_case, those the staging build keeps, or none); <petitions> selects the petitions counted
-- (queries/fact_petition.sql: every row of mart.fact_petition, or none). A petition is counted under its
-- current unit, on time at E = least(P_end, as_of) by the contract's rule (a null deadline is never met);
-- whether another petition complained about it is read from mart.fact_petition itself.
{into}
WITH bounds AS (
    SELECT CAST(:as_of AS timestamptz) AS as_of,
           date_trunc('month', CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date AS as_of_month,
           (SELECT date_trunc('month', min(c.received_at) AT TIME ZONE meta.local_zone())::date
              FROM mart.fact_case AS c
             WHERE c.status_code NOT IN (1, 3)) AS first_month
),
months AS (
    SELECT m::date AS period_month,
           m AT TIME ZONE meta.local_zone() AS p_start,
           (m + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
      FROM bounds AS b
     CROSS JOIN LATERAL generate_series(b.first_month::timestamp, b.as_of_month::timestamp, interval '1 month') AS m
     WHERE {span_filter}
),
received AS (
    SELECT c.* FROM {cases} AS c WHERE c.status_code NOT IN (1, 3)
),
open_in_month AS (
    SELECT m.period_month, c.unit_code, 'on_time_rate' AS indicator_code,
           least(c.finished_at, m.p_end, b.as_of) <= c.due_at AS hit, {weight} AS weight
      FROM months AS m
      JOIN received AS c
        ON mart.case_span(c.received_at, c.finished_at) && tstzrange(m.p_start, m.p_end, '[)')
       AND c.received_at < m.p_end AND (c.finished_at IS NULL OR c.finished_at >= m.p_start)
     CROSS JOIN bounds AS b
),
received_in_month AS (
    SELECT m.period_month, c.unit_code, v.indicator_code, v.hit, {weight} AS weight
      FROM months AS m
      JOIN received AS c ON c.received_at >= m.p_start AND c.received_at < m.p_end
     CROSS JOIN LATERAL (VALUES
               ('online_rate', c.channel = 2, true),
               ('online_payment_rate', c.payment = 'online', c.payment IS NOT NULL),
               ('digitized_rate', c.is_digitized, true),
               ('national_sync_rate', c.synced_national, c.source_system = 'newsys')
           ) AS v (indicator_code, hit, in_scope)
     WHERE v.in_scope
),
finished_in_month AS (
    SELECT m.period_month, c.unit_code, v.indicator_code, v.hit, {weight} AS weight
      FROM months AS m
      JOIN {cases} AS c
        ON c.status_code IN (9, 10) AND c.finished_at >= m.p_start AND c.finished_at < m.p_end
     CROSS JOIN LATERAL (VALUES
               ('e_result_rate', c.has_e_result, true),
               ('satisfaction_rate', c.rating IN (1, 2), c.rating IS NOT NULL),
               ('apology_rate', c.has_apology, c.finished_at > c.due_at)
           ) AS v (indicator_code, hit, in_scope)
     WHERE v.in_scope IS TRUE
),
handler_names AS (
    {handler_names}
),
officials AS (
    SELECT b.as_of_month AS period_month,
           coalesce(u.current_unit_code, o.unit_code) AS unit_code,
           'official_vneid_rate' AS indicator_code,
           o.account_type = 'VNEID' AS hit, 1 AS weight
      FROM raw.newsys_official AS o
      JOIN handler_names AS h ON h.user_name = o.user_name
      LEFT JOIN staging.unit_current AS u ON u.unit_code = o.unit_code
     CROSS JOIN bounds AS b
     WHERE o.is_active AND b.as_of_month IN (SELECT period_month FROM months)
),
petitions AS (
    {petitions}
),
petition_in_month AS (
    SELECT m.period_month, m.p_end, 'petition_on_time_rate' AS indicator_code, p.*
      FROM months AS m
      JOIN petitions AS p ON p.start_at < m.p_end AND (p.ended_at IS NULL OR p.ended_at >= m.p_start)
    UNION ALL
    SELECT m.period_month, m.p_end, 'petition_satisfaction_rate' AS indicator_code, p.*
      FROM months AS m
      JOIN petitions AS p ON p.accepted_at >= m.p_start AND p.accepted_at < m.p_end
),
petition_verdict AS (
    SELECT j.period_month, j.unit_code, j.indicator_code, e.moment, j.p_end, j.petition_key, j.likes,
           j.dislikes, j.answer_rating,
           coalesce(CASE WHEN j.ended_at IS NOT NULL AND j.ended_at <= e.moment THEN
                             CASE WHEN j.status_code = 3 THEN j.ended_at <= j.supplement_due_at
                                  WHEN j.status_code IN (4, 5) THEN j.ended_at <= j.reject_due_at
                                  ELSE j.handled_at <= j.handle_due_at
                                       AND least(j.published_at, e.moment) <= j.publish_due_at
                             END
                        ELSE e.moment <= j.handle_due_at
                    END, false) AS on_time
      FROM petition_in_month AS j
     CROSS JOIN bounds AS b
     CROSS JOIN LATERAL (SELECT least(j.p_end, b.as_of) AS moment) AS e
),
petition_facts AS (
    SELECT v.period_month, v.unit_code, v.indicator_code,
           CASE WHEN v.indicator_code = 'petition_on_time_rate' THEN v.on_time
                ELSE v.on_time
                     AND NOT (v.dislikes > v.likes OR v.answer_rating IS NOT DISTINCT FROM 2)
                     AND NOT EXISTS (SELECT 1 FROM mart.fact_petition AS q
                                      WHERE q.related_petition_no = v.petition_key
                                        AND q.petition_key <> v.petition_key
                                        AND q.sent_at < v.p_end)
           END AS hit, 1 AS weight
      FROM petition_verdict AS v
),
facts AS (
    SELECT * FROM open_in_month
    UNION ALL SELECT * FROM received_in_month
    UNION ALL SELECT * FROM finished_in_month
    UNION ALL SELECT * FROM officials
    UNION ALL SELECT * FROM petition_facts
),
counted AS (
    SELECT period_month,
           CASE WHEN grouping(unit_code) = 1 THEN 'ALL' ELSE unit_code END AS unit_code,
           indicator_code,
           coalesce(sum(weight) FILTER (WHERE hit), 0) AS numerator,
           sum(weight) AS denominator
      FROM facts
     GROUP BY GROUPING SETS ((period_month, indicator_code, unit_code), (period_month, indicator_code))
    HAVING grouping(unit_code) = 1 OR unit_code IS NOT NULL
)
SELECT period_month, unit_code, indicator_code, numerator::bigint, denominator::bigint FROM counted

-- name: finish
-- The published rows: the counts with their values and targets.
INSERT INTO {new}
    (period_month, unit_code, indicator_code, numerator, denominator, value, target, meets_target)
SELECT n.period_month, n.unit_code, n.indicator_code, n.numerator, n.denominator,
       n.numerator::numeric / n.denominator AS value,
       t.target,
       n.numerator::numeric / n.denominator >= t.target AS meets_target
  FROM {counts} AS n
  LEFT JOIN mart.indicator_targets AS t ON t.indicator_code = n.indicator_code

-- name: indicator_summary
SELECT indicator_code, count(*) AS row_count, min(period_month) AS first_month, max(period_month) AS last_month
  FROM mart.indicator_monthly
 WHERE period_month >= coalesce(CAST(:month_start AS date), '-infinity'::date)
   AND period_month < coalesce(CAST(:month_end AS date), 'infinity'::date)
 GROUP BY indicator_code
 ORDER BY indicator_code

-- name: latest_month_all
SELECT m.indicator_code, m.numerator, m.denominator, m.value, m.target, m.meets_target
  FROM mart.indicator_monthly AS m
 WHERE m.unit_code = 'ALL'
   AND m.period_month = (SELECT max(period_month) FROM mart.indicator_monthly)
 ORDER BY m.indicator_code
