-- Offenders are published as a difference, like every other mart: one row per expectation and record,
-- with the run that first found it, so that a re-run that finds the same offenders changes no row.
ALTER TABLE mart.dq_offender RENAME COLUMN run_at TO first_found_at;
DROP INDEX mart.dq_offender_expectation_idx;
CREATE UNIQUE INDEX dq_offender_key ON mart.dq_offender (expectation, record_key);

COMMENT ON TABLE mart.dq_offender IS
    'Records breaking a failed expectation of the latest validation, one row per expectation and record. '
    'No personal data.';
COMMENT ON COLUMN mart.dq_offender.first_found_at IS
    'Start time (as_of) of the validation run that first found this record offending (since it last was not).';
