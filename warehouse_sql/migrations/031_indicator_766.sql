-- An estimate of the Decision 766/QĐ-TTg monthly score from the indicators the case data supports.
CREATE TABLE mart.indicator_766_estimate (
    period_month            date NOT NULL,
    unit_code               text NOT NULL,
    progress_points         numeric,
    online_service_points   numeric,
    online_payment_points   numeric,
    digitization_points     numeric,
    satisfaction_points     numeric,
    estimated_points        numeric NOT NULL,
    available_points        numeric NOT NULL,
    is_estimate             boolean NOT NULL DEFAULT true,
    PRIMARY KEY (period_month, unit_code)
);

COMMENT ON TABLE mart.indicator_766_estimate IS
    'ESTIMATE, not the portal''s official score: Decision 766/QĐ-TTg group points per unit per month, each '
    'group = its maximum points x the indicator rate(s) of mart.indicator_monthly that the case data supports. '
    'Transparency (18 points) and the procedure-level parts of each group are not in the data and are left out. '
    'A group is null when none of its indicators has a row that month.';
COMMENT ON COLUMN mart.indicator_766_estimate.period_month IS 'First day of the calendar month (Asia/Ho_Chi_Minh).';
COMMENT ON COLUMN mart.indicator_766_estimate.unit_code IS 'Current unit, or ALL for the whole Department.';
COMMENT ON COLUMN mart.indicator_766_estimate.progress_points IS
    'Estimate: progress of case handling, 20 x on_time_rate (max 20).';
COMMENT ON COLUMN mart.indicator_766_estimate.online_service_points IS
    'Estimate: online services, 12 x online_rate (max 12).';
COMMENT ON COLUMN mart.indicator_766_estimate.online_payment_points IS
    'Estimate: online payment, 10 x online_payment_rate (max 10).';
COMMENT ON COLUMN mart.indicator_766_estimate.digitization_points IS
    'Estimate: digitisation, 22 x the mean of digitized_rate and e_result_rate (of those present; max 22).';
COMMENT ON COLUMN mart.indicator_766_estimate.satisfaction_points IS
    'Estimate: satisfaction, 18 x satisfaction_rate (max 18).';
COMMENT ON COLUMN mart.indicator_766_estimate.estimated_points IS
    'Estimate: sum of the group points that are not null, rounded to 2 decimals like each group.';
COMMENT ON COLUMN mart.indicator_766_estimate.available_points IS
    'Maximum points of the groups that are not null (at most 82 of the 100; transparency is never estimated).';
COMMENT ON COLUMN mart.indicator_766_estimate.is_estimate IS 'Always true: these are estimates, not the published score.';
