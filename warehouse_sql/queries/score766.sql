-- The Decision 766 scorecard (contract: mart.score766_monthly; transform/score766.py declares the metrics and
-- runs these statements). Templates: {metrics} the fed metrics as VALUES rows (group_code, metric_code,
-- max_score, indicator_code: the indicator whose counts it takes, "those of", or null); {groups} the groups
-- as VALUES rows (group_code, points); ratings_in_force the rating in force of each case (the fragment of
-- queries/fact_rating.sql, the rule written once). Bind parameters: :as_of (timestamptz, the run start), :cutover
-- (timestamptz, CUTOVER_AT), :month (date, a month read back). Months are calendar months in local time.

-- name: drop_score_month
DROP TABLE IF EXISTS score_month

-- name: create_score_month_full
-- Every month with a row in mart.indicator_monthly.
CREATE TEMP TABLE score_month ON COMMIT DROP AS
SELECT DISTINCT i.period_month,
       i.period_month::timestamp AT TIME ZONE meta.local_zone() AS p_start,
       (i.period_month + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
  FROM mart.indicator_monthly AS i

-- name: create_score_month_affected
-- The months the pending changes touch (affected_month, from the counting driver), the months of the cases
-- whose ratings or petitions changed (a rating_fact or petition_fact image with their case_key: the months
-- the case counts in DOSSIER_RECEIVING_SATISFACTION), and the months whose (month, unit) pairs or "those of"
-- counts in mart.indicator_monthly differ from the scorecard's.
CREATE TEMP TABLE score_month ON COMMIT DROP AS
WITH metrics (group_code, metric_code, max_score, indicator_code) AS (
    VALUES {metrics}
),
indicator_pair AS (
    SELECT DISTINCT period_month, unit_code FROM mart.indicator_monthly
),
score_pair AS (
    SELECT DISTINCT period_month, unit_code FROM mart.score766_monthly
),
rated_or_petitioned AS (
    SELECT DISTINCT m::date AS period_month
      FROM pending_changes AS c
      JOIN mart.fact_case AS f ON f.case_key = c.case_key AND f.status_code NOT IN (1, 3)
     CROSS JOIN LATERAL generate_series(
               date_trunc('month', f.received_at AT TIME ZONE meta.local_zone()),
               date_trunc('month', coalesce(f.finished_at, CAST(:as_of AS timestamptz)) AT TIME ZONE meta.local_zone()),
               interval '1 month') AS m
     WHERE c.kind IN ('rating_fact', 'petition_fact')
),
differing AS (
    SELECT period_month FROM affected_month
    UNION
    SELECT period_month FROM rated_or_petitioned
    UNION
    SELECT period_month FROM (SELECT * FROM indicator_pair EXCEPT SELECT * FROM score_pair) AS added
    UNION
    SELECT period_month FROM (SELECT * FROM score_pair EXCEPT SELECT * FROM indicator_pair) AS gone
    UNION
    SELECT s.period_month
      FROM mart.score766_monthly AS s
      JOIN metrics AS x ON x.metric_code = s.metric_code AND x.indicator_code IS NOT NULL
      LEFT JOIN mart.indicator_monthly AS i
        ON i.period_month = s.period_month AND i.unit_code = s.unit_code AND i.indicator_code = x.indicator_code
     WHERE coalesce(i.numerator, 0) <> s.numerator OR coalesce(i.denominator, 0) <> s.denominator
)
SELECT period_month,
       period_month::timestamp AT TIME ZONE meta.local_zone() AS p_start,
       (period_month + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
  FROM differing

-- name: create_score_new
CREATE TEMP TABLE score_new (LIKE mart.score766_monthly INCLUDING ALL) ON COMMIT DROP

-- name: compute
-- Every fed metric for every (month, unit) of score_month with a row in mart.indicator_monthly. A case is a
-- row of mart.fact_case; "received in P": status not 1 or 3 and received_at in P. Scores from the integers.
INSERT INTO score_new
    (period_month, unit_code, group_code, metric_code, numerator, denominator, ratio, score, max_score)
WITH bounds AS (
    SELECT CAST(:as_of AS timestamptz) AS as_of,
           date_trunc('month', CAST(:cutover AS timestamptz) AT TIME ZONE meta.local_zone())::date AS cutover_month
),
metrics (group_code, metric_code, max_score, indicator_code) AS (
    VALUES {metrics}
),
pairs AS (
    SELECT DISTINCT i.period_month, i.unit_code
      FROM mart.indicator_monthly AS i
     WHERE i.period_month IN (SELECT period_month FROM score_month)
),
received AS (
    SELECT m.period_month, c.unit_code, c.procedure_code, c.channel, c.payment
      FROM score_month AS m
      JOIN mart.fact_case AS c
        ON c.status_code NOT IN (1, 3) AND c.received_at >= m.p_start AND c.received_at < m.p_end
),
rating_in_force AS (
    {ratings_in_force}
),
first_petition AS (
    SELECT p.case_key, min(p.sent_at) AS sent_at
      FROM mart.fact_petition AS p
     WHERE p.case_key IS NOT NULL
     GROUP BY p.case_key
),
full_process AS (
    -- ONLINE_FULL_PROCESS: received in P, procedure of MucDo 4; hit: submitted online.
    SELECT r.period_month, r.unit_code, 'ONLINE_FULL_PROCESS' AS metric_code, r.channel = 2 AS hit
      FROM received AS r
      JOIN raw.newsys_procedure AS p ON p.procedure_code = r.procedure_code AND p.service_level = 4
),
receiving AS (
    -- DOSSIER_RECEIVING_SATISFACTION: the cases of on_time_rate's denominator; hit: not late at E, not
    -- rated 3 by a rating in force before P_end, not the case of a petition sent before P_end.
    SELECT m.period_month, c.unit_code, 'DOSSIER_RECEIVING_SATISFACTION' AS metric_code,
           coalesce(least(c.finished_at, m.p_end, b.as_of) <= c.due_at, false)
           AND NOT coalesce(f.rated_at < m.p_end AND f.level = 3, false)
           AND NOT coalesce(q.sent_at < m.p_end, false) AS hit
      FROM score_month AS m
      JOIN mart.fact_case AS c
        ON mart.case_span(c.received_at, c.finished_at) && tstzrange(m.p_start, m.p_end, '[)')
       AND c.status_code NOT IN (1, 3)
       AND c.received_at < m.p_end AND (c.finished_at IS NULL OR c.finished_at >= m.p_start)
     CROSS JOIN bounds AS b
      LEFT JOIN rating_in_force AS f ON f.case_key = c.case_key
      LEFT JOIN first_petition AS q ON q.case_key = c.case_key
),
case_counts AS (
    SELECT period_month, CASE WHEN grouping(unit_code) = 1 THEN 'ALL' ELSE unit_code END AS unit_code,
           metric_code, count(*) FILTER (WHERE hit) AS numerator, count(*) AS denominator
      FROM (SELECT * FROM full_process UNION ALL SELECT * FROM receiving) AS facts
     GROUP BY GROUPING SETS ((period_month, metric_code, unit_code), (period_month, metric_code))
    HAVING grouping(unit_code) = 1 OR unit_code IS NOT NULL
),
fee_procedure AS (
    -- FEE_PROCEDURES_PAID_ONLINE: the non-empty procedures of the cases received in P with a fee, per unit;
    -- paid: one of them paid online. ALL counts distinct procedures Department-wide.
    SELECT period_month, unit_code, procedure_code, bool_or(payment = 'online') AS paid
      FROM received
     WHERE payment IS NOT NULL AND coalesce(procedure_code, '') <> ''
     GROUP BY period_month, unit_code, procedure_code
),
fee_counts AS (
    SELECT period_month, CASE WHEN grouping(unit_code) = 1 THEN 'ALL' ELSE unit_code END AS unit_code,
           'FEE_PROCEDURES_PAID_ONLINE' AS metric_code,
           count(DISTINCT procedure_code) FILTER (WHERE paid) AS numerator,
           count(DISTINCT procedure_code) AS denominator
      FROM fee_procedure
     GROUP BY GROUPING SETS ((period_month, unit_code), (period_month))
    HAVING grouping(unit_code) = 1 OR unit_code IS NOT NULL
),
own_counts AS (
    SELECT * FROM case_counts UNION ALL SELECT * FROM fee_counts
),
counted AS (
    SELECT p.period_month, p.unit_code, x.group_code, x.metric_code, x.max_score,
           coalesce(i.numerator, o.numerator, 0) AS numerator,
           coalesce(i.denominator, o.denominator, 0) AS denominator
      FROM pairs AS p
     CROSS JOIN metrics AS x
      LEFT JOIN mart.indicator_monthly AS i
        ON i.period_month = p.period_month AND i.unit_code = p.unit_code AND i.indicator_code = x.indicator_code
      LEFT JOIN own_counts AS o
        ON x.indicator_code IS NULL
       AND o.period_month = p.period_month AND o.unit_code = p.unit_code AND o.metric_code = x.metric_code
)
SELECT n.period_month, n.unit_code, n.group_code, n.metric_code, n.numerator, n.denominator,
       CASE WHEN n.denominator > 0 THEN n.numerator::numeric / n.denominator END AS ratio,
       CASE
           WHEN n.metric_code IN ('PETITION_PROCESSING_ON_TIME', 'PETITION_HANDLING_SATISFACTION') THEN
               CASE WHEN n.period_month < b.cutover_month THEN NULL
                    WHEN n.denominator = 0 THEN n.max_score
                    ELSE n.max_score * n.numerator / n.denominator END
           WHEN n.denominator = 0 THEN NULL
           WHEN n.metric_code = 'FEE_PROCEDURES_PAID_ONLINE' THEN
               CASE WHEN 5 * n.numerator >= 4 * n.denominator THEN 4
                    ELSE 5 * n.numerator::numeric / n.denominator END
           WHEN n.metric_code = 'DOSSIER_RECEIVING_SATISFACTION' THEN
               CASE WHEN 10 * n.numerator >= 9 * n.denominator THEN 6
                    ELSE 6 * n.numerator::numeric / (0.9 * n.denominator) END
           ELSE n.max_score * n.numerator / n.denominator
       END AS score,
       n.max_score
  FROM counted AS n
 CROSS JOIN bounds AS b

-- name: check_score_range
-- Rows whose score is outside 0..max_score (a sample).
SELECT period_month, unit_code, metric_code, numerator, denominator, score, max_score
  FROM mart.score766_monthly
 WHERE score < 0 OR score > max_score
 ORDER BY period_month, unit_code, metric_code
 LIMIT 20

-- name: check_those_of
-- Rows of a metric taking the counts of an indicator ("those of") whose counts or ratio are not the
-- indicator's (0 and 0, ratio null, when it has no row): a sample.
WITH metrics (group_code, metric_code, max_score, indicator_code) AS (
    VALUES {metrics}
)
SELECT s.period_month, s.unit_code, s.metric_code, x.indicator_code, s.numerator, s.denominator, s.ratio,
       i.numerator AS indicator_numerator, i.denominator AS indicator_denominator, i.value AS indicator_value
  FROM mart.score766_monthly AS s
  JOIN metrics AS x ON x.metric_code = s.metric_code AND x.indicator_code IS NOT NULL
  LEFT JOIN mart.indicator_monthly AS i
    ON i.period_month = s.period_month AND i.unit_code = s.unit_code AND i.indicator_code = x.indicator_code
 WHERE s.numerator <> coalesce(i.numerator, 0) OR s.denominator <> coalesce(i.denominator, 0)
    OR s.ratio IS DISTINCT FROM i.value
 ORDER BY s.period_month, s.unit_code, s.metric_code
 LIMIT 20

-- name: check_group_sums
-- (month, unit, group) whose scores sum above the group's points: a sample.
WITH groups (group_code, points) AS (
    VALUES {groups}
)
SELECT s.period_month, s.unit_code, s.group_code, sum(s.score) AS score, g.points
  FROM mart.score766_monthly AS s
  LEFT JOIN groups AS g ON g.group_code = s.group_code
 GROUP BY s.period_month, s.unit_code, s.group_code, g.points
HAVING g.points IS NULL OR sum(s.score) > g.points
 ORDER BY s.period_month, s.unit_code, s.group_code
 LIMIT 20

-- name: department_groups
-- The Department's (ALL) score per group for :month: the points scored and the points that have data (the
-- maximum of the metrics with a score).
SELECT group_code, sum(score) AS score, sum(max_score) FILTER (WHERE score IS NOT NULL) AS points_with_data
  FROM mart.score766_monthly
 WHERE unit_code = 'ALL' AND period_month = CAST(:month AS date)
 GROUP BY group_code

-- name: score_summary
SELECT count(*) AS row_count, min(period_month) AS first_month, max(period_month) AS last_month
  FROM mart.score766_monthly

-- name: lost_items
-- Where the points of :month were lost: for each unit's metric scored below its maximum, the cases,
-- procedures or petitions outside its numerator, with the reasons (the rules of `compute` and of the
-- indicators its metrics take their counts from, queries/indicators.sql). Per unit and metric the first
-- :top_n (all when null), by due date then key, each with the metric's `items` total. Keys, codes and dates
-- only: never applicant or sender data. Bind :as_of, :month, :top_n; template: ratings_in_force.
WITH m AS (
    SELECT CAST(:month AS date) AS period_month,
           CAST(:month AS date)::timestamp AT TIME ZONE meta.local_zone() AS p_start,
           (CAST(:month AS date) + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end,
           least((CAST(:month AS date) + interval '1 month') AT TIME ZONE meta.local_zone(),
                 CAST(:as_of AS timestamptz)) AS judged_at
),
below AS (
    SELECT s.unit_code, s.metric_code
      FROM mart.score766_monthly AS s
     WHERE s.period_month = CAST(:month AS date) AND s.unit_code <> 'ALL' AND s.score < s.max_score
),
open_case AS (
    -- The cases of on_time_rate's denominator, judged at E.
    SELECT c.*, least(c.finished_at, m.p_end, CAST(:as_of AS timestamptz)) AS e_at, m.p_end
      FROM m
      JOIN mart.fact_case AS c
        ON mart.case_span(c.received_at, c.finished_at) && tstzrange(m.p_start, m.p_end, '[)')
       AND c.status_code NOT IN (1, 3)
       AND c.received_at < m.p_end AND (c.finished_at IS NULL OR c.finished_at >= m.p_start)
),
rating_in_force AS (
    -- Of the open cases only (the one join it serves; the filter on case_key is pushed below DISTINCT ON).
    SELECT f.* FROM ({ratings_in_force}) AS f WHERE f.case_key IN (SELECT case_key FROM open_case)
),
first_petition AS (
    SELECT p.case_key, min(p.sent_at) AS sent_at
      FROM mart.fact_petition AS p
     WHERE p.case_key IN (SELECT case_key FROM open_case)
     GROUP BY p.case_key
),
received AS (
    SELECT c.*
      FROM m
      JOIN mart.fact_case AS c
        ON c.status_code NOT IN (1, 3) AND c.received_at >= m.p_start AND c.received_at < m.p_end
),
case_items AS (
    SELECT c.unit_code, 'ON_TIME' AS metric_code, c.case_key AS item_key, c.due_at,
           ARRAY['late'] AS reasons
      FROM open_case AS c
     WHERE NOT coalesce(c.e_at <= c.due_at, false)
    UNION ALL
    SELECT c.unit_code, 'DOSSIER_RECEIVING_SATISFACTION', c.case_key, c.due_at,
           array_remove(ARRAY[
               CASE WHEN NOT coalesce(c.e_at <= c.due_at, false) THEN 'late' END,
               CASE WHEN f.rated_at < c.p_end AND f.level = 3 THEN 'dissatisfied' END,
               CASE WHEN q.sent_at < c.p_end THEN 'petitioned' END], NULL)
      FROM open_case AS c
      LEFT JOIN rating_in_force AS f ON f.case_key = c.case_key
      LEFT JOIN first_petition AS q ON q.case_key = c.case_key
     WHERE NOT coalesce(c.e_at <= c.due_at, false)
        OR coalesce(f.rated_at < c.p_end AND f.level = 3, false)
        OR coalesce(q.sent_at < c.p_end, false)
    UNION ALL
    SELECT c.unit_code, 'DOSSIER_SYNC', c.case_key, c.due_at, ARRAY['not_synced']
      FROM received AS c
     WHERE c.source_system = 'newsys' AND c.synced_national IS NOT TRUE
    UNION ALL
    SELECT c.unit_code, 'DOSSIER_DIGITIZED', c.case_key, c.due_at, ARRAY['not_digitized']
      FROM received AS c
     WHERE c.is_digitized IS NOT TRUE
    UNION ALL
    SELECT c.unit_code, 'PAID_ONLINE', c.case_key, c.due_at, ARRAY['paid_offline']
      FROM received AS c
     WHERE c.payment IS NOT NULL AND c.payment <> 'online'
    UNION ALL
    SELECT c.unit_code, 'ONLINE_FULL_PROCESS', c.case_key, c.due_at, ARRAY['not_online']
      FROM received AS c
      JOIN raw.newsys_procedure AS p ON p.procedure_code = c.procedure_code AND p.service_level = 4
     WHERE c.channel IS DISTINCT FROM 2
    UNION ALL
    SELECT c.unit_code, 'ORIGINAL_RESULT_AVAILABLE', c.case_key, c.due_at, ARRAY['no_e_result']
      FROM m
      JOIN mart.fact_case AS c
        ON c.status_code IN (9, 10) AND c.finished_at >= m.p_start AND c.finished_at < m.p_end
     WHERE c.has_e_result IS NOT TRUE
    UNION ALL
    SELECT c.unit_code, 'FEE_PROCEDURES_PAID_ONLINE', c.procedure_code, NULL::timestamptz,
           ARRAY['no_online_payment']
      FROM received AS c
     WHERE c.payment IS NOT NULL AND coalesce(c.procedure_code, '') <> ''
     GROUP BY c.unit_code, c.procedure_code
    HAVING NOT bool_or(c.payment = 'online')
),
petition AS (
    -- Each petition judged at E = the earlier of P_end and as_of (contract: "on time at a moment E").
    SELECT p.*, m.p_start, m.p_end,
           coalesce(CASE
               WHEN p.ended_at IS NOT NULL AND p.ended_at <= m.judged_at THEN
                   CASE WHEN p.status_code = 3 THEN p.ended_at <= p.supplement_due_at
                        WHEN p.status_code IN (4, 5) THEN p.ended_at <= p.reject_due_at
                        WHEN p.status_code IN (6, 7) THEN p.handled_at <= p.handle_due_at
                             AND least(p.published_at, m.judged_at) <= p.publish_due_at
                   END
               ELSE m.judged_at <= p.handle_due_at
           END, false) AS on_time,
           p.dislikes > p.likes OR coalesce(p.answer_rating = 2, false) AS disliked,
           EXISTS (SELECT 1 FROM mart.fact_petition AS o
                    WHERE o.related_petition_no = p.petition_key AND o.petition_key <> p.petition_key
                      AND o.sent_at < m.p_end) AS complained
      FROM m
      JOIN mart.fact_petition AS p
        ON (p.start_at < m.p_end AND (p.ended_at IS NULL OR p.ended_at >= m.p_start))
        OR (p.accepted_at >= m.p_start AND p.accepted_at < m.p_end)
),
petition_items AS (
    SELECT p.unit_code, 'PETITION_PROCESSING_ON_TIME' AS metric_code, p.petition_key AS item_key,
           p.handle_due_at AS due_at, ARRAY['petition_late'] AS reasons
      FROM petition AS p
     WHERE p.start_at < p.p_end AND (p.ended_at IS NULL OR p.ended_at >= p.p_start) AND NOT p.on_time
    UNION ALL
    SELECT p.unit_code, 'PETITION_HANDLING_SATISFACTION', p.petition_key, p.handle_due_at,
           array_remove(ARRAY[
               CASE WHEN NOT p.on_time THEN 'petition_late' END,
               CASE WHEN p.disliked THEN 'disliked' END,
               CASE WHEN p.complained THEN 'complained' END], NULL)
      FROM petition AS p
     WHERE p.accepted_at >= p.p_start AND p.accepted_at < p.p_end
       AND (NOT p.on_time OR p.disliked OR p.complained)
),
items AS (
    SELECT i.*, CASE WHEN i.metric_code LIKE 'PETITION%' THEN 'petition'
                     WHEN i.metric_code = 'FEE_PROCEDURES_PAID_ONLINE' THEN 'procedure'
                     ELSE 'case' END AS item_kind
      FROM (SELECT * FROM case_items UNION ALL SELECT * FROM petition_items) AS i
      JOIN below AS b ON b.unit_code = i.unit_code AND b.metric_code = i.metric_code
),
ranked AS (
    SELECT i.*,
           row_number() OVER (PARTITION BY i.unit_code, i.metric_code
                              ORDER BY i.due_at NULLS LAST, i.item_key COLLATE "C") AS position,
           count(*) OVER (PARTITION BY i.unit_code, i.metric_code) AS items
      FROM items AS i
)
SELECT unit_code, metric_code, item_kind, item_key, due_at, array_to_string(reasons, ',') AS reasons,
       position, items
  FROM ranked
 WHERE CAST(:top_n AS integer) IS NULL OR position <= CAST(:top_n AS integer)
 ORDER BY unit_code, metric_code, position

-- name: month_scores
-- Every row of the scorecard for :month and the month before it.
SELECT period_month, unit_code, group_code, metric_code, numerator, denominator, ratio, score, max_score
  FROM mart.score766_monthly
 WHERE period_month IN (CAST(:month AS date), (CAST(:month AS date) - interval '1 month')::date)
 ORDER BY period_month, unit_code = 'ALL' DESC, unit_code, metric_code
