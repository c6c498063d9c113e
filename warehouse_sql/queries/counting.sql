-- Counting by difference (transform/counting.py): the driver every mart of case counts per span (a month, or a
-- quarter, half or year) is built by, mart.indicator_monthly and mart.tthc_period_report so far. A mart brings
-- a count template (its `count` statement: {into} the counts, {cases} the cases read, {weight} what each
-- counts, {span_filter} the spans counted); the driver brings these statements. Every temp table is a
-- {placeholder} named in transform/counting.py (CountTables; {affected} the affected spans); `pending_changes` is the build's pending log.
--
-- THE RULES. A count template keeps rules 1 and 2; the driver relies on all six.
--  1. A row counts cases, each with its weight; what a case adds to a span depends only on its fact image
--     (transform.change_log.FACT_IMAGE_COLUMNS), the span and as_of. [tested: tests/unit/test_counting_rules.py
--     reads every column a count template takes of a case]
--  2. as_of changes a case's verdict only through `least(…, as_of) <= due_at`, and bounds the spans counted
--     (none after the span of as_of): between two as_of, only the cases due between them count otherwise, and
--     they are counted at both with opposite signs ({as_of_flip}). [tested: every use of as_of in a count
--     template]
--  3. Summed over the pending log, the signed images of a case's fact changes (+1 new, -1 old) telescope to
--     its row now minus the row the last build counted. Added, counted at the last build's as_of, to the
--     counts it published, they give the counts of the rows now at that as_of. So a span is carried (counted
--     by difference) only if the last build counted it: it began by the earlier of the two as_of, and the
--     first month did not move. [tested: test_counting_rules, carried_since]
--  4. A count that also reads a catalogue cannot be carried while a remap of it is pending (the period
--     report's field, from raw.newsys_procedure: entries of kind `procedure`); a row that counts no cases
--     (the officials' rate, the petition rates: they read raw.newsys_official or mart.fact_petition, never
--     {cases}) is counted afresh in every carried span, never carried, so rules 1 to 3 do not bind it; a
--     mart counting petitions finds their affected months from the petition images (`petition_fact`) and
--     the acceptance month of the petition each complains about. [tested: carried_since, the afresh
--     sources of test_counting_rules]
--  5. An entry of kind `recount` (months a partition run counted at its own as_of) makes every affected span
--     counted again from its cases. [tested: carried_since]
--  6. A row is published while its `kept_while` count is positive; a carried row whose count falls to 0 is
--     removed. [checked by the marts' CHECK constraints: denominator > 0, received_total > 0]

-- name: first_month
SELECT date_trunc('month', min(received_at) AT TIME ZONE meta.local_zone())::date
FROM mart.fact_case
WHERE status_code NOT IN (1, 3)

-- name: nothing_due_between
-- True when nothing a count judges at as_of falls between the last build's as_of and this one's (both ends
-- included): no received case is due (rule 2) and, when the mart counts petitions, no petition is due to be
-- handled or published, or ends. With no entry pending and as_of in the same month, the counts at both are
-- then the same, and a build keeps them.
SELECT NOT EXISTS (
           SELECT 1
           FROM mart.fact_case AS c
           WHERE c.status_code NOT IN (1, 3)
             AND c.due_at BETWEEN least(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
                              AND greatest(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
       )
   AND NOT (CAST(:with_petitions AS boolean) AND EXISTS (
           SELECT 1
           FROM mart.fact_petition AS p
           CROSS JOIN LATERAL (VALUES (p.handle_due_at), (p.publish_due_at), (p.ended_at)) AS d (moment)
           WHERE d.moment BETWEEN least(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
                              AND greatest(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
       ))

-- name: drop_affected_month
DROP TABLE IF EXISTS {affected_month}

-- name: create_affected_month
-- The months the pending entries touch: the months of the changed fact images (and of the recounts), of the
-- cases of changed procedures (when the mart counts by field), of the changed petition images and the
-- acceptance month of the petitions they complain about (when the mart counts petitions), from the earlier
-- to the later as_of month,
-- the as_of month when officials may have changed, and the months between an old and a new first month.
CREATE TEMP TABLE {affected_month} ON COMMIT DROP AS
WITH bounds AS (
    SELECT date_trunc('month', CAST(:as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date AS as_of_month,
           date_trunc('month', CAST(:previous_as_of AS timestamptz) AT TIME ZONE meta.local_zone())::date
               AS previous_month,
           CAST(:first_month AS date) AS first_month,
           CAST(:previous_first_month AS date) AS previous_first_month
), ranges AS (
    SELECT c.month_from, coalesce(c.month_to, greatest(b.as_of_month, b.previous_month)) AS month_to
    FROM pending_changes AS c
    CROSS JOIN bounds AS b
    WHERE (c.kind IN ('fact', 'recount') OR (CAST(:with_petitions AS boolean) AND c.kind = 'petition_fact'))
      AND c.month_from IS NOT NULL
    UNION ALL
    SELECT date_trunc('month', y.accepted_at AT TIME ZONE meta.local_zone())::date,
           date_trunc('month', y.accepted_at AT TIME ZONE meta.local_zone())::date
    FROM pending_changes AS c
    JOIN mart.fact_petition AS y ON y.petition_key = c.related_petition_no
    WHERE CAST(:with_petitions AS boolean) AND c.kind = 'petition_fact' AND y.accepted_at IS NOT NULL
    UNION ALL
    SELECT date_trunc('month', least(f.received_at, f.finished_at) AT TIME ZONE meta.local_zone())::date,
           CASE WHEN f.finished_at IS NOT NULL
                THEN date_trunc('month', greatest(f.received_at, f.finished_at) AT TIME ZONE meta.local_zone())::date
                ELSE greatest(b.as_of_month, b.previous_month)
           END
    FROM pending_changes AS c
    JOIN mart.fact_case AS f ON f.procedure_code = c.procedure_code
    CROSS JOIN bounds AS b
    WHERE CAST(:with_procedures AS boolean) AND c.kind = 'procedure'
    UNION ALL
    SELECT least(b.as_of_month, b.previous_month), greatest(b.as_of_month, b.previous_month)
    FROM bounds AS b
    WHERE CAST(:as_of AS timestamptz) IS DISTINCT FROM CAST(:previous_as_of AS timestamptz)
    UNION ALL
    SELECT b.as_of_month, b.as_of_month
    FROM bounds AS b
    WHERE EXISTS (
        SELECT 1 FROM pending_changes AS c
        WHERE c.kind IN ('official', 'unit') OR (c.kind = 'case' AND c.source_system = 'newsys')
    )
    UNION ALL
    SELECT least(b.first_month, b.previous_first_month), greatest(b.first_month, b.previous_first_month)
    FROM bounds AS b
    WHERE b.first_month IS DISTINCT FROM b.previous_first_month
)
SELECT DISTINCT m::date AS period_month,
       m AT TIME ZONE meta.local_zone() AS p_start,
       (m + interval '1 month') AT TIME ZONE meta.local_zone() AS p_end
FROM ranges AS r
CROSS JOIN LATERAL generate_series(r.month_from::timestamp, r.month_to::timestamp, interval '1 month') AS m
WHERE r.month_from IS NOT NULL AND r.month_to IS NOT NULL

-- name: drop_affected_period
DROP TABLE IF EXISTS {affected_period}

-- name: create_affected_period
-- The quarters, halves and years that contain an affected month.
CREATE TEMP TABLE {affected_period} ON COMMIT DROP AS
SELECT DISTINCT k.period_kind, k.period_start::date AS period_start,
       k.period_start AT TIME ZONE meta.local_zone() AS p_start,
       (k.period_start + k.length) AT TIME ZONE meta.local_zone() AS p_end
FROM {affected_month} AS m
CROSS JOIN LATERAL (VALUES
    ('quarter', date_trunc('quarter', m.period_month::timestamp), interval '3 months'),
    ('half', date_trunc('year', m.period_month::timestamp)
                 + CASE WHEN extract(month FROM m.period_month) >= 7 THEN interval '6 months' ELSE interval '0' END,
             interval '6 months'),
    ('year', date_trunc('year', m.period_month::timestamp), interval '1 year')
) AS k (period_kind, period_start, length)

-- name: drop_carried_and_recounted
DROP TABLE IF EXISTS {carried}, {recounted}

-- name: create_carried
-- The affected spans that began by :carried_since (the earlier of this build's as_of and the last one's):
-- the last build counted them, so they take the changes as a difference of counts (rule 3; none when null).
CREATE TEMP TABLE {carried} ON COMMIT DROP AS
SELECT * FROM {affected} WHERE p_start <= coalesce(CAST(:carried_since AS timestamptz), '-infinity')

-- name: create_recounted
-- The other affected spans: counted again from their cases.
CREATE TEMP TABLE {recounted} ON COMMIT DROP AS
SELECT * FROM {affected} WHERE p_start > coalesce(CAST(:carried_since AS timestamptz), '-infinity')

-- name: drop_span_case
DROP TABLE IF EXISTS {span_case}

-- name: create_span_case
-- The received cases of mart.fact_case that count in a recounted span (open during it, or finished in it),
-- found through the span and finish-time indexes.
CREATE TEMP TABLE {span_case} ON COMMIT DROP AS
SELECT c.*
FROM mart.fact_case AS c
WHERE c.case_key IN (
    SELECT f.case_key
    FROM {recounted} AS s
    CROSS JOIN LATERAL (
        SELECT f.case_key FROM mart.fact_case AS f
        WHERE f.status_code NOT IN (1, 3)
          AND mart.case_span(f.received_at, f.finished_at) && tstzrange(s.p_start, s.p_end, '[)')
        UNION ALL
        SELECT f.case_key FROM mart.fact_case AS f
        WHERE f.status_code IN (9, 10) AND f.finished_at >= s.p_start AND f.finished_at < s.p_end
    ) AS f
)

-- name: drop_fact_delta
DROP TABLE IF EXISTS {fact_delta}

-- name: create_fact_delta
-- The pending fact changes as signed rows: each new image counts +1, each old image -1 (rule 3). Template:
-- {image_columns} the image columns, prefixed `c.`.
CREATE TEMP TABLE {fact_delta} ON COMMIT DROP AS
SELECT CASE WHEN c.image = 'new' THEN 1 ELSE -1 END AS weight, {image_columns}
FROM pending_changes AS c
WHERE c.kind = 'fact'

-- name: drop_as_of_flip
DROP TABLE IF EXISTS {as_of_flip}

-- name: create_as_of_flip
-- The received cases due between the last build's as_of and this one's: the only cases a count can judge
-- differently at the two (rule 2), found through the due-time index.
CREATE TEMP TABLE {as_of_flip} ON COMMIT DROP AS
SELECT c.*
FROM mart.fact_case AS c
WHERE c.status_code NOT IN (1, 3)
  AND c.due_at >= least(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))
  AND c.due_at < greatest(CAST(:previous_as_of AS timestamptz), CAST(:as_of AS timestamptz))

-- name: drop_counts
DROP TABLE IF EXISTS {target}

-- name: create_counts
-- An empty counts table: the mart's grouping and count columns.
CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {mart} WITH NO DATA

-- name: create_new
CREATE TEMP TABLE {new} (LIKE {mart} INCLUDING ALL) ON COMMIT DROP

-- name: merge_carried
-- The published counts of the carried spans (but the rows counted afresh) plus their signed changes, summed;
-- a row stays while it counts something (rule 6).
INSERT INTO {counts} ({columns})
SELECT {groups}, {sums}
FROM (SELECT {t_columns} FROM {mart} AS t
      WHERE ({t_span}) IN (SELECT {span_columns} FROM {carried}) AND NOT ({afresh})
      UNION ALL
      SELECT {columns} FROM {delta}) AS both_sides
GROUP BY {groups}
HAVING sum({kept_while}) > 0
