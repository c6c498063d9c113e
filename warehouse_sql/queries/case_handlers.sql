-- The officials in the histories of the new-system cases of the universe, as a fragment of the statements
-- that judge officials (the officials' rate of mart.indicator_monthly, the rule official_account_vneid).

-- name: of_fact_case
-- Read from the cases of mart.fact_case (a full build).
SELECT DISTINCT h.user_name
FROM mart.fact_case AS f
JOIN staging."case" AS s
  ON s.source_system = f.source_system AND s.case_key = f.case_key AND NOT s.is_deleted
CROSS JOIN LATERAL unnest(s.handlers) AS h (user_name)
WHERE f.source_system = 'newsys'

-- name: maintained
-- As the staging build keeps them (staging.case_handler).
SELECT DISTINCT h.user_name FROM staging.case_handler AS h

-- name: none
SELECT NULL::text AS user_name WHERE false
