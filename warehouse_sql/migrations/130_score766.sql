-- The Decision 766/QĐ-TTg scorecard as the portal scores it (contract: mart.score766_monthly). It replaces the
-- estimate of migration 031, which multiplied one ratio per group by the group's points: one definition of
-- the 766 score remains.
DROP TABLE mart.indicator_766_estimate;

CREATE TABLE mart.score766_monthly (
    period_month  date NOT NULL,
    unit_code     text NOT NULL,
    group_code    text NOT NULL,
    metric_code   text NOT NULL,
    numerator     bigint NOT NULL,
    denominator   bigint NOT NULL,
    ratio         numeric,
    score         numeric,
    max_score     numeric NOT NULL,
    PRIMARY KEY (period_month, unit_code, metric_code),
    CHECK (numerator >= 0 AND denominator >= 0),
    CHECK (score IS NULL OR (score >= 0 AND score <= max_score))
);

COMMENT ON TABLE mart.score766_monthly IS
    'The Decision 766 scorecard as the portal scores it: one row per month, unit (current unit, plus ALL) '
    'and metric, the ten metrics these sources feed, for every (month, unit) with a row in '
    'mart.indicator_monthly. The portal''s other metrics (24 of the 100 points) have no rows: no data.';
COMMENT ON COLUMN mart.score766_monthly.period_month IS 'First day of the calendar month (Asia/Ho_Chi_Minh).';
COMMENT ON COLUMN mart.score766_monthly.unit_code IS 'Current unit, or ALL for the whole Department.';
COMMENT ON COLUMN mart.score766_monthly.group_code IS
    'transparency, progress, online_service, online_payment, digitisation or satisfaction.';
COMMENT ON COLUMN mart.score766_monthly.metric_code IS 'The portal''s metric code, e.g. ON_TIME.';
COMMENT ON COLUMN mart.score766_monthly.numerator IS 'Cases, procedures or petitions of the denominator that meet the metric.';
COMMENT ON COLUMN mart.score766_monthly.denominator IS 'What the metric is measured over; 0 when there is none.';
COMMENT ON COLUMN mart.score766_monthly.ratio IS 'numerator / denominator; null when the denominator is 0.';
COMMENT ON COLUMN mart.score766_monthly.score IS
    'Points scored, from the integers by the metric''s rule; null when the denominator is 0 (the petition '
    'metrics score their maximum then), and the petition metrics null before the month of CUTOVER_AT.';
COMMENT ON COLUMN mart.score766_monthly.max_score IS 'Points the metric is worth.';

-- Readable by the reporting role like every mart table, written by the pipeline role.
GRANT SELECT ON mart.score766_monthly TO egov_sync_reporting;
GRANT ALL ON mart.score766_monthly TO egov_sync_pipeline;
