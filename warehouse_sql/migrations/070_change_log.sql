-- Incremental builds: landing logs the keys it changed; every downstream build logs what it changed in
-- staging; each consumer keeps a cursor over the log it reads, advanced in the transaction that publishes.

CREATE TABLE raw.change_log (
    change_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      text NOT NULL,
    source      text NOT NULL,
    entity      text NOT NULL,
    record_key  text NOT NULL,
    change      text NOT NULL CHECK (change IN ('inserted', 'updated', 'quarantined', 'released', 'deleted')),
    logged_at   timestamptz NOT NULL
);
COMMENT ON TABLE raw.change_log IS
    'Each key a landing batch inserted, updated, quarantined, released from quarantine or deleted.';
COMMENT ON COLUMN raw.change_log.record_key IS 'Source key of the record (as text), as in raw.quarantine.';

CREATE TABLE staging.change_log (
    change_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind                 text NOT NULL
                         CHECK (kind IN ('full', 'case', 'link', 'fact', 'official', 'procedure', 'quarantine')),
    source_system        text,
    record_key           text,
    case_key             text,
    egov_id              bigint,
    case_no              text,
    case_no_norm         text,
    legacy_case_no_norm  text,
    procedure_code       text,
    applicant_id         text,
    received_minute      timestamp,
    month_from           date,
    month_to             date,
    logged_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE staging.change_log IS
    'What the downstream builds changed: a staging case version (kind case, old and new), a link (old and '
    'new Egov case), a fact_case row version with the months it counts in (fact), an official, procedure or '
    'quarantined key, or a full rebuild of the build named in record_key (full: its consumers rebuild). Holds applicant ID numbers '
    '(restricted, like staging.case).';
COMMENT ON COLUMN staging.change_log.month_from IS 'fact: first month the row version counts in.';
COMMENT ON COLUMN staging.change_log.month_to IS 'fact: last month it counts in; null while the case is open.';

CREATE TABLE staging.build_cursor (
    consumer        text PRIMARY KEY,
    last_change_id  bigint NOT NULL,
    as_of           timestamptz,
    cutover_at      timestamptz,
    first_month     date,
    built_at        timestamptz NOT NULL
);
COMMENT ON TABLE staging.build_cursor IS
    'Per downstream build: the last change it consumed and the parameters its published rows depend on.';

CREATE TABLE staging.case_handler (
    case_key   text NOT NULL,
    user_name  text NOT NULL,
    PRIMARY KEY (case_key, user_name)
);
CREATE INDEX case_handler_user_idx ON staging.case_handler (user_name);
COMMENT ON TABLE staging.case_handler IS 'The officials in the history of each valid, non-deleted new-system case.';

CREATE INDEX case_egov_norm_idx ON staging."case" (case_no_norm) WHERE source_system = 'egov';
CREATE INDEX case_egov_fingerprint_idx ON staging."case" (procedure_code, applicant_id, received_minute)
    WHERE source_system = 'egov';
CREATE INDEX case_egov_id_idx ON staging."case" (egov_id) WHERE source_system = 'egov';
CREATE INDEX case_migrated_norm_idx ON staging."case" (legacy_case_no_norm)
    WHERE source_system = 'newsys' AND origin = 'EGOV';
CREATE INDEX case_migrated_fingerprint_idx ON staging."case" (procedure_code, applicant_id, received_minute)
    WHERE source_system = 'newsys' AND origin = 'EGOV';
CREATE INDEX case_key_idx ON staging."case" (case_key);
CREATE INDEX case_original_unit_idx ON staging."case" (original_unit_code);

CREATE INDEX fact_case_procedure_idx ON mart.fact_case (procedure_code);
CREATE INDEX fact_case_received_idx ON mart.fact_case (received_at) WHERE status_code NOT IN (1, 3);

ALTER TABLE staging.dq_subject SET LOGGED;
CREATE INDEX dq_subject_key_idx ON staging.dq_subject (expectation, record_key);
COMMENT ON TABLE staging.dq_subject IS
    'One row per record in the scope of each row-level rule, maintained for the changed records between '
    'validations (rebuilt on a full rebuild).';
