-- Table versions (migration 073): raised with a table's changes, read to tell an unchanged table; the version
-- and rules each checkpoint last validated (migrations 073, 081).

-- name: raise_version
INSERT INTO meta.table_version AS v (table_name, version, changed_at)
VALUES (:table_name, 1, now())
ON CONFLICT (table_name) DO UPDATE SET version = v.version + 1, changed_at = EXCLUDED.changed_at

-- name: current_version
SELECT coalesce((SELECT version FROM meta.table_version WHERE table_name = :table_name), 0)

-- name: validated_version
SELECT version, rules_version, run_at
FROM meta.validated_version
WHERE checkpoint = :checkpoint AND table_name = :table_name

-- name: save_validated_version
INSERT INTO meta.validated_version AS v (checkpoint, table_name, version, rules_version, run_at)
VALUES (:checkpoint, :table_name, :version, :rules_version, :run_at)
ON CONFLICT (checkpoint) DO UPDATE SET
    table_name = EXCLUDED.table_name, version = EXCLUDED.version, rules_version = EXCLUDED.rules_version,
    run_at = EXCLUDED.run_at
