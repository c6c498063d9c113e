-- Build statements of mart.fact_petition (transform/petitions.py): computed into a temp table from the raw
-- landing (the valid, non-deleted rows), published (publication.sql); what changed goes to staging.change_log.
-- A petition's unit is the current unit of DonViXuLy (staging.unit_current, as for cases); its case_key is
-- its case number when that is a case_key of mart.fact_case exactly.

-- name: create_fact_petition_new
-- Template: <petition_filter> selects the petition keys computed (`true` for all).
CREATE TEMP TABLE fact_petition_new ON COMMIT DROP AS
SELECT p.petition_key, coalesce(u.current_unit_code, p.original_unit_code) AS unit_code, p.original_unit_code,
       p.channel, p.transferred_in, p.classification, p.procedure_code, p.case_no, f.case_key,
       p.related_petition_no, p.status_code, p.sent_at, p.accepted_at, p.start_at, p.reject_due_at,
       p.supplement_due_at, p.handle_due_at, p.publish_due_at, p.ended_at, p.handled_at, p.published_at,
       p.has_answer, p.has_reject_reason, p.answer_rating, p.likes, p.dislikes
FROM raw.newsys_petition AS p
LEFT JOIN staging.unit_current AS u ON u.unit_code = p.original_unit_code
LEFT JOIN mart.fact_case AS f ON f.case_key = p.case_no
WHERE NOT p.is_deleted AND {petition_filter};

-- name: create_petition_scope
-- The petitions whose row may have changed: the landed keys, the petitions about a changed case (its
-- case_key may have appeared or gone), and, when the current units changed, those whose unit is no longer
-- the current one.
CREATE TEMP TABLE petition_scope ON COMMIT DROP AS
SELECT DISTINCT s.petition_key
FROM (
    SELECT c.record_key AS petition_key FROM pending_changes AS c WHERE c.kind = 'petition'
    UNION ALL
    SELECT p.petition_key
    FROM pending_changes AS c
    JOIN mart.fact_petition AS p ON p.case_no = c.case_key
    WHERE c.kind = 'fact'
    UNION ALL
    SELECT p.petition_key
    FROM mart.fact_petition AS p
    LEFT JOIN staging.unit_current AS u ON u.unit_code = p.original_unit_code
    WHERE EXISTS (SELECT 1 FROM pending_changes AS c WHERE c.kind = 'unit')
      AND coalesce(u.current_unit_code, p.original_unit_code) IS DISTINCT FROM p.unit_code
) AS s
WHERE s.petition_key IS NOT NULL;

-- name: analyze_petition_scope
ANALYZE petition_scope;

-- name: log_petition_changes
-- Old and new images of the changed rows, with the months each counts in: from the month of the earliest of
-- start_at, accepted_at and ended_at to the month of the latest (month_to null while open: up to as_of),
-- the petition it complains about (whose satisfaction it may change) and the case it is about (whose
-- receiving satisfaction it may change: mart.score766_monthly).
INSERT INTO staging.change_log (kind, image, record_key, unit_code, status_code, related_petition_no,
                                case_key, month_from, month_to)
SELECT 'petition_fact', d.image, d.petition_key, d.unit_code, d.status_code, d.related_petition_no,
       d.case_key,
       date_trunc('month', least(d.start_at, d.accepted_at, d.ended_at) AT TIME ZONE meta.local_zone())::date,
       CASE WHEN d.ended_at IS NOT NULL THEN
           date_trunc('month', greatest(d.start_at, d.accepted_at, d.ended_at) AT TIME ZONE meta.local_zone())::date
       END
FROM (
    SELECT 'old' AS image, o.*
    FROM (SELECT * FROM mart.fact_petition WHERE petition_key IN (SELECT petition_key FROM petition_scope)
          EXCEPT ALL
          SELECT * FROM fact_petition_new) AS o
    UNION ALL
    SELECT 'new' AS image, n.*
    FROM (SELECT * FROM fact_petition_new
          EXCEPT ALL
          SELECT * FROM mart.fact_petition WHERE petition_key IN (SELECT petition_key FROM petition_scope)) AS n
) AS d;

-- name: petition_counts
SELECT status_code, count(*) AS petitions, count(case_no) AS about_a_case, count(case_key) AS case_found
FROM mart.fact_petition
GROUP BY status_code
ORDER BY status_code;

-- name: all_petitions
-- A fragment: every petition, for the counts that read them (the petition indicators of mart.indicator_monthly).
SELECT * FROM mart.fact_petition

-- name: no_petitions
-- A fragment: no petition (the counts of fact changes, where petitions are not counted).
SELECT * FROM mart.fact_petition WHERE false
