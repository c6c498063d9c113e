-- The open petitions past their handling deadline (HanXuLy) at a moment: one definition for the
-- `petition_overdue` alert and the monthly report's list, and that alert's kind in the alert log.

CREATE FUNCTION mart.overdue_open_petitions(as_of timestamptz)
RETURNS TABLE (petition_key text, unit_code text, classification smallint, channel smallint,
               start_at timestamptz, handle_due_at timestamptz, days_overdue integer)
LANGUAGE sql STABLE AS $$
    SELECT p.petition_key, p.unit_code, p.classification, p.channel, p.start_at, p.handle_due_at,
           greatest(0, (as_of AT TIME ZONE meta.local_zone())::date
                       - (p.handle_due_at AT TIME ZONE meta.local_zone())::date)
    FROM mart.fact_petition AS p
    WHERE p.ended_at IS NULL AND p.status_code IN (1, 2) AND (as_of <= p.handle_due_at) IS NOT TRUE
$$;
COMMENT ON FUNCTION mart.overdue_open_petitions(timestamptz) IS
    'Petitions of mart.fact_petition still open (status 1 or 2, no end) and not on time at as_of '
    '(as_of <= handle_due_at fails; a null deadline is never met), with whole local days past the deadline. '
    'No sender data.';

ALTER TABLE meta.alert_log DROP CONSTRAINT alert_log_kind_check;
ALTER TABLE meta.alert_log ADD CONSTRAINT alert_log_kind_check
    CHECK (kind IN ('backlog_residue', 'data_quality', 'run_failure', 'freshness', 'petition_overdue'));
COMMENT ON COLUMN meta.alert_log.kind IS 'backlog_residue, data_quality, run_failure, freshness or petition_overdue.';
