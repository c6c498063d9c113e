-- The rows of the periodic TTHC report as filed (reports/period_form.py): a period's counts from
-- mart.tthc_period_report, with the names of its fields and units.

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
