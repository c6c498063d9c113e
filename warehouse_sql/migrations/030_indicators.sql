-- Monthly indicators of the Department (contract: mart.indicator_monthly, mart.indicator_targets).
CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE mart.indicator_targets (
    indicator_code  text PRIMARY KEY,
    target          numeric NOT NULL,
    source          text NOT NULL
);

COMMENT ON TABLE mart.indicator_targets IS
    'Target of each indicator and the letter or plan it comes from (seeds: letters 3673/2023, 6859/2022, '
    '01/2025 and the TTHC control plan 2023).';
COMMENT ON COLUMN mart.indicator_targets.indicator_code IS 'Indicator code, as in mart.indicator_monthly.';
COMMENT ON COLUMN mart.indicator_targets.target IS 'Minimum value (a ratio between 0 and 1) the indicator must reach.';
COMMENT ON COLUMN mart.indicator_targets.source IS 'The letter or plan that sets the target.';

CREATE TABLE mart.indicator_monthly (
    period_month    date NOT NULL,
    unit_code       text NOT NULL,
    indicator_code  text NOT NULL,
    numerator       bigint NOT NULL,
    denominator     bigint NOT NULL,
    value           numeric NOT NULL,
    target          numeric,
    meets_target    boolean,
    PRIMARY KEY (period_month, unit_code, indicator_code),
    CHECK (denominator > 0 AND numerator >= 0 AND numerator <= denominator)
);

CREATE INDEX indicator_monthly_indicator_idx ON mart.indicator_monthly (indicator_code, period_month);

COMMENT ON TABLE mart.indicator_monthly IS
    'One row per month, current unit (plus ALL for the whole Department) and indicator where the denominator '
    'is above zero, from the first month with a received case to the month of as_of. Cases are those of '
    'mart.fact_case; "received" excludes status 1 and 3.';
COMMENT ON COLUMN mart.indicator_monthly.period_month IS
    'First day of the calendar month (Asia/Ho_Chi_Minh) the row measures.';
COMMENT ON COLUMN mart.indicator_monthly.unit_code IS
    'Current unit (handling unit followed along MaDonViKeThua), or ALL for the whole Department.';
COMMENT ON COLUMN mart.indicator_monthly.indicator_code IS
    'on_time_rate, online_rate, online_payment_rate, digitized_rate, e_result_rate, satisfaction_rate, '
    'apology_rate, national_sync_rate or official_vneid_rate.';
COMMENT ON COLUMN mart.indicator_monthly.numerator IS 'Cases (or officials) in the denominator that meet the indicator.';
COMMENT ON COLUMN mart.indicator_monthly.denominator IS 'Cases (or officials) the indicator is measured over; always above zero.';
COMMENT ON COLUMN mart.indicator_monthly.value IS 'numerator / denominator.';
COMMENT ON COLUMN mart.indicator_monthly.target IS 'Target of the indicator, from mart.indicator_targets.';
COMMENT ON COLUMN mart.indicator_monthly.meets_target IS 'value >= target.';

INSERT INTO mart.indicator_targets (indicator_code, target, source) VALUES
    ('on_time_rate', 0.96, 'Công văn 3673/SYT-VP ngày 18/07/2023; Kế hoạch kiểm soát TTHC năm 2023'),
    ('online_rate', 0.70, 'Công văn 3673/SYT-VP ngày 18/07/2023; Kế hoạch kiểm soát TTHC năm 2023'),
    ('online_payment_rate', 0.30, 'Công văn 3673/SYT-VP ngày 18/07/2023'),
    ('digitized_rate', 0.50, 'Kế hoạch kiểm soát TTHC năm 2023'),
    ('e_result_rate', 1.00, 'Kế hoạch kiểm soát TTHC năm 2023 (mục tiêu 1,00); Công văn 3673/SYT-VP ngày 18/07/2023 (0,60 cho năm 2023)'),
    ('satisfaction_rate', 0.93, 'Công văn 3673/SYT-VP ngày 18/07/2023; Kế hoạch kiểm soát TTHC năm 2023'),
    ('apology_rate', 1.00, 'Công văn 3673/SYT-VP ngày 18/07/2023; Công văn 6859/SYT-VP ngày 17/10/2022; Công văn 01/2025'),
    ('national_sync_rate', 1.00, 'Công văn /SYT-VP tháng 01/2025'),
    ('official_vneid_rate', 1.00, 'Công văn /SYT-VP tháng 01/2025');
