-- Build statements of mart.fact_rating (transform/petitions.py): computed into a temp table from the raw
-- landing (the valid, non-deleted rows, replaced ones included), published (publication.sql); what changed
-- goes to staging.change_log. A rating's case_key is its case number when that is a case_key of
-- mart.fact_case exactly.

-- name: create_fact_rating_new
-- Template: <rating_filter> selects the rating keys computed (`true` for all).
CREATE TEMP TABLE fact_rating_new ON COMMIT DROP AS
SELECT r.rating_key, r.case_no, f.case_key, r.channel, r.rated_at, r.level, r.by_applicant, r.in_force
FROM raw.newsys_rating AS r
LEFT JOIN mart.fact_case AS f ON f.case_key = r.case_no
WHERE NOT r.is_deleted AND {rating_filter};

-- name: create_rating_scope
-- The ratings whose row may have changed: the landed keys and the ratings of a changed case.
CREATE TEMP TABLE rating_scope ON COMMIT DROP AS
SELECT DISTINCT s.rating_key
FROM (
    SELECT c.record_key AS rating_key FROM pending_changes AS c WHERE c.kind = 'rating'
    UNION ALL
    SELECT r.rating_key
    FROM pending_changes AS c
    JOIN mart.fact_rating AS r ON r.case_no = c.case_key
    WHERE c.kind = 'fact'
) AS s
WHERE s.rating_key IS NOT NULL;

-- name: analyze_rating_scope
ANALYZE rating_scope;

-- name: log_rating_changes
-- Old and new images of the changed rows, with their case (by case_no: the case whose rating in force they
-- may change, whether or not it is a case_key).
INSERT INTO staging.change_log (kind, image, record_key, case_no, case_key)
SELECT 'rating_fact', d.image, d.rating_key, d.case_no, d.case_key
FROM (
    SELECT 'old' AS image, o.*
    FROM (SELECT * FROM mart.fact_rating WHERE rating_key IN (SELECT rating_key FROM rating_scope)
          EXCEPT ALL
          SELECT * FROM fact_rating_new) AS o
    UNION ALL
    SELECT 'new' AS image, n.*
    FROM (SELECT * FROM fact_rating_new
          EXCEPT ALL
          SELECT * FROM mart.fact_rating WHERE rating_key IN (SELECT rating_key FROM rating_scope)) AS n
) AS d;

-- name: rating_counts
SELECT in_force, count(*) AS ratings, count(case_key) AS case_found
FROM mart.fact_rating
GROUP BY in_force
ORDER BY in_force;

-- name: ratings_in_force
-- A fragment: each case's rating in force, among the fact_rating rows of its case_key with in_force, the one
-- with the latest rated_at (ties: the greatest rating_key in byte order); a case may have none.
SELECT DISTINCT ON (r.case_key) r.case_key, r.rating_key, r.rated_at, r.level
FROM mart.fact_rating AS r
WHERE r.in_force AND r.case_key IS NOT NULL
ORDER BY r.case_key, r.rated_at DESC, r.rating_key COLLATE "C" DESC
