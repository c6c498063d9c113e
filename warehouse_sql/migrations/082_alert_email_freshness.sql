-- Alerts by e-mail besides the webhook (one alert_log row per channel it was delivered on), and the
-- freshness alert of a mart still overdue after its 06:00 deadline.

ALTER TABLE meta.alert_log DROP CONSTRAINT alert_log_kind_check;
ALTER TABLE meta.alert_log ADD CONSTRAINT alert_log_kind_check
    CHECK (kind IN ('backlog_residue', 'data_quality', 'run_failure', 'freshness'));
ALTER TABLE meta.alert_log DROP CONSTRAINT alert_log_channel_check;
ALTER TABLE meta.alert_log ADD CONSTRAINT alert_log_channel_check CHECK (channel IN ('webhook', 'email', 'log'));
COMMENT ON TABLE meta.alert_log IS
    'One row per alert raised by egov-sync and channel it went to (webhook, email), with the delivery outcome; '
    'one row with channel log when no channel is configured.';
COMMENT ON COLUMN meta.alert_log.kind IS 'backlog_residue, data_quality, run_failure or freshness.';
COMMENT ON COLUMN meta.alert_log.channel IS
    'webhook (ALERT_WEBHOOK_URL), email (ALERT_SMTP_HOST), or log when neither is configured.';
COMMENT ON COLUMN meta.alert_log.attempts IS 'Delivery attempts made on this channel (0 when only logged).';
COMMENT ON COLUMN meta.alert_log.delivered IS 'True when the webhook accepted it (2xx) or the SMTP server took the message.';
COMMENT ON COLUMN meta.alert_log.last_error IS 'Why the last attempt failed: HTTP status, SMTP reply code or error class.';
