-- Data quality: the validation history (contract: mart.dq_results), offenders officials act on, and the
-- per-run subject of the row-level rules that Great Expectations validates inside PostgreSQL.

CREATE TABLE mart.dq_results (
    run_at            timestamptz NOT NULL,
    suite             text NOT NULL,
    expectation       text NOT NULL,
    success           boolean NOT NULL,
    element_count     bigint NOT NULL,
    unexpected_count  bigint NOT NULL,
    PRIMARY KEY (run_at, expectation)
);
COMMENT ON TABLE mart.dq_results IS 'One row per expectation per validation run; a history, appended by every run.';
COMMENT ON COLUMN mart.dq_results.run_at IS 'Start time (as_of) of the run that validated.';
COMMENT ON COLUMN mart.dq_results.suite IS 'Expectation suite of the expectation.';
COMMENT ON COLUMN mart.dq_results.expectation IS 'Name of the expectation, e.g. closed_case_has_result.';
COMMENT ON COLUMN mart.dq_results.success IS 'True when the expectation held.';
COMMENT ON COLUMN mart.dq_results.element_count IS 'Rows in the scope of the expectation.';
COMMENT ON COLUMN mart.dq_results.unexpected_count IS 'Rows in scope that break the expectation.';

CREATE TABLE mart.dq_offender (
    run_at         timestamptz NOT NULL,
    expectation    text NOT NULL,
    record_key     text NOT NULL,
    unit_code      text,
    received_at    timestamptz,
    due_at         timestamptz,
    finished_at    timestamptz,
    last_official  text
);
CREATE INDEX dq_offender_expectation_idx ON mart.dq_offender (expectation, record_key);
COMMENT ON TABLE mart.dq_offender IS
    'Records breaking a failed expectation of the latest validation run, replaced per run. No personal data.';
COMMENT ON COLUMN mart.dq_offender.run_at IS 'Start time (as_of) of the run that found the offender.';
COMMENT ON COLUMN mart.dq_offender.expectation IS 'The failed expectation.';
COMMENT ON COLUMN mart.dq_offender.record_key IS
    'case_key of the case (EGOV: + soHoSo for Egov records), the official''s user name, or the quarantined key.';
COMMENT ON COLUMN mart.dq_offender.unit_code IS 'Current unit responsible for the record.';
COMMENT ON COLUMN mart.dq_offender.received_at IS 'Time the case was received.';
COMMENT ON COLUMN mart.dq_offender.due_at IS 'Due date of the case.';
COMMENT ON COLUMN mart.dq_offender.finished_at IS 'End time of the case.';
COMMENT ON COLUMN mart.dq_offender.last_official IS 'User name of the official of the latest processing step.';

CREATE UNLOGGED TABLE staging.dq_subject (
    expectation    text NOT NULL,
    record_key     text,
    passed         boolean,
    unit_code      text,
    received_at    timestamptz,
    due_at         timestamptz,
    finished_at    timestamptz,
    last_official  text
);
COMMENT ON TABLE staging.dq_subject IS
    'Scratch table rebuilt by each validation: one row per record in the scope of each row-level rule.';
COMMENT ON COLUMN staging.dq_subject.passed IS 'The record keeps the rule; null when a compared value is null.';
