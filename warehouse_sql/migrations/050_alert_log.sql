-- Every alert raised, delivered or not: what makes "once per local day" survive restarts, and what a
-- newcomer reads to see which alerts went out.

CREATE TABLE meta.alert_log (
    alert_id   bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('backlog_residue', 'data_quality', 'run_failure')),
    local_day  date NOT NULL,
    run_id     text,
    title_vi   text NOT NULL,
    title_en   text NOT NULL,
    payload    jsonb NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('webhook', 'log')),
    attempts   integer NOT NULL CHECK (attempts >= 0),
    delivered  boolean NOT NULL,
    last_error text,
    sent_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_log_kind_day_idx ON meta.alert_log (kind, local_day, sent_at DESC);
COMMENT ON TABLE meta.alert_log IS 'One row per alert raised by egov-sync, with its delivery outcome.';
COMMENT ON COLUMN meta.alert_log.kind IS 'backlog_residue, data_quality or run_failure.';
COMMENT ON COLUMN meta.alert_log.local_day IS 'The day (Asia/Ho_Chi_Minh) the alert is about: the run''s as_of date.';
COMMENT ON COLUMN meta.alert_log.run_id IS 'The Dagster run that raised it (or that failed, for run_failure).';
COMMENT ON COLUMN meta.alert_log.payload IS 'The JSON body POSTed to the webhook (no applicant data, no secrets).';
COMMENT ON COLUMN meta.alert_log.channel IS 'webhook when ALERT_WEBHOOK_URL was set, log when the alert was only logged.';
COMMENT ON COLUMN meta.alert_log.attempts IS 'POST attempts made (0 when only logged).';
COMMENT ON COLUMN meta.alert_log.delivered IS 'True when the webhook accepted it (2xx).';
COMMENT ON COLUMN meta.alert_log.last_error IS 'Why the last attempt failed: HTTP status or error class.';
COMMENT ON COLUMN meta.alert_log.sent_at IS 'When delivery finished.';
