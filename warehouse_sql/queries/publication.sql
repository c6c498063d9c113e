-- Publishing a table (resources/publication.py), inside the caller's transaction: delete what is gone, update
-- what changed, insert what is new, so that a re-run with unchanged inputs changes no row.
-- Templates: {target} the published table, {new} the temp table holding its new rows (same columns),
-- {match} the key equality of `t` (target) and `n` (new), {scope} the part of the target being replaced
-- (`true` for the whole table), {assignments} / {t_values} / {n_values} the non-key columns, {columns} /
-- {n_columns} every column. The `_ranked` variants serve a table without a unique key: both sides are
-- numbered within each key (`dup_no`) and target rows are addressed by `ctid`.

-- name: delete_gone
DELETE FROM {target} AS t
WHERE {scope} AND NOT EXISTS (SELECT 1 FROM {new} AS n WHERE {match})

-- name: update_changed
UPDATE {target} AS t
SET {assignments}
FROM {new} AS n
WHERE {scope} AND {match} AND ({t_values}) IS DISTINCT FROM ({n_values})

-- name: insert_new
INSERT INTO {target} ({columns})
SELECT {n_columns}
FROM {new} AS n
WHERE NOT EXISTS (SELECT 1 FROM {target} AS t WHERE {scope} AND {match})

-- name: rank_new
CREATE TEMP TABLE {ranked_new} ON COMMIT DROP AS
SELECT n.*, row_number() OVER (PARTITION BY {n_keys} ORDER BY {n_values}) AS dup_no
FROM {new} AS n

-- name: rank_old
CREATE TEMP TABLE {ranked_old} ON COMMIT DROP AS
SELECT t.ctid AS tid, t.*, row_number() OVER (PARTITION BY {t_keys} ORDER BY {t_values}) AS dup_no
FROM {target} AS t
WHERE {scope}

-- name: delete_gone_ranked
DELETE FROM {target} AS d
USING {ranked_old} AS t
WHERE d.ctid = t.tid
  AND NOT EXISTS (SELECT 1 FROM {ranked_new} AS n WHERE {match} AND n.dup_no = t.dup_no)

-- name: update_changed_ranked
UPDATE {target} AS d
SET {assignments}
FROM {ranked_old} AS t
JOIN {ranked_new} AS n ON {match} AND n.dup_no = t.dup_no
WHERE d.ctid = t.tid AND ({t_values}) IS DISTINCT FROM ({n_values})

-- name: insert_new_ranked
INSERT INTO {target} ({columns})
SELECT {n_columns}
FROM {ranked_new} AS n
WHERE NOT EXISTS (SELECT 1 FROM {ranked_old} AS t WHERE {match} AND n.dup_no = t.dup_no)

-- name: table_columns
SELECT a.attname AS name, a.attnotnull AS not_null, format_type(a.atttypid, a.atttypmod) AS type_name
FROM pg_attribute AS a
WHERE a.attrelid = CAST(:table AS regclass) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
