-- A watermark is never ahead of what was landed within the pipeline's clock. Before landing kept records
-- stamped after their own landing time (a source clock running ahead, a hand-edited row) from moving it, one
-- such record could carry the watermark past changes not yet read. Each stored watermark is set back, once,
-- to the newest version landed at or before its landing time (raw table or quarantine), so that what it
-- skipped is read again; a watermark with nothing sane behind it is dropped (the next read is a full one).

WITH sane AS (
    SELECT 'newsys' AS source, 'case' AS entity, max(updated_at) AS version
    FROM raw.newsys_case WHERE updated_at <= fetched_at
    UNION ALL
    SELECT 'egov', 'case', max(updated_at) FROM raw.egov_case WHERE updated_at <= fetched_at
    UNION ALL
    SELECT 'newsys', 'official', max(updated_at) FROM raw.newsys_official WHERE updated_at <= fetched_at
    UNION ALL
    SELECT source, entity, max(updated_at) FROM raw.quarantine
    WHERE updated_at <= last_changed_at
    GROUP BY source, entity
), newest AS (
    SELECT source, entity, max(version) AS version FROM sane GROUP BY source, entity
)
UPDATE raw.watermark AS w
SET value = n.version, committed_at = now()
FROM newest AS n
WHERE n.source = w.source AND n.entity = w.entity AND n.version IS NOT NULL AND w.value > n.version;

DELETE FROM raw.watermark AS w
WHERE NOT EXISTS (
    SELECT 1 FROM raw.newsys_case WHERE w.source = 'newsys' AND w.entity = 'case' AND updated_at <= fetched_at
    UNION ALL
    SELECT 1 FROM raw.egov_case WHERE w.source = 'egov' AND w.entity = 'case' AND updated_at <= fetched_at
    UNION ALL
    SELECT 1 FROM raw.newsys_official
    WHERE w.source = 'newsys' AND w.entity = 'official' AND updated_at <= fetched_at
    UNION ALL
    SELECT 1 FROM raw.quarantine AS q
    WHERE q.source = w.source AND q.entity = w.entity AND q.updated_at <= q.last_changed_at
);
