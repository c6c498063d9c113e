-- Published marts of the case universe and the Egov backlog reconciliation (contract: warehouse.md).

CREATE TABLE mart.fact_case (
    case_key            text PRIMARY KEY,
    source_system       text NOT NULL,
    legacy_case_no      text,
    procedure_code      text,
    unit_code           text,
    original_unit_code  text,
    channel             smallint,
    status_code         smallint NOT NULL,
    received_at         timestamptz,
    due_at              timestamptz,
    finished_at         timestamptz,
    returned_at         timestamptz,
    has_result          boolean NOT NULL,
    has_e_result        boolean NOT NULL,
    is_digitized        boolean NOT NULL,
    payment             text,
    rating              smallint,
    has_apology         boolean NOT NULL,
    synced_national     boolean,
    applicant_key       text
);
COMMENT ON TABLE mart.fact_case IS
    'One row per real case: every valid, non-deleted new-system case and every valid Egov case that no '
    'migrated record links to. No personal data.';
COMMENT ON COLUMN mart.fact_case.case_key IS 'New-system MaHoSo, or EGOV: + soHoSo for a case known only to Egov.';
COMMENT ON COLUMN mart.fact_case.source_system IS 'newsys or egov.';
COMMENT ON COLUMN mart.fact_case.legacy_case_no IS 'Egov soHoSo for Egov cases and linked migrated cases, else null.';
COMMENT ON COLUMN mart.fact_case.procedure_code IS 'Procedure code (MaTTHC / maThuTuc).';
COMMENT ON COLUMN mart.fact_case.unit_code IS 'Current unit: the handling unit followed along its successors.';
COMMENT ON COLUMN mart.fact_case.original_unit_code IS 'The unit code as recorded.';
COMMENT ON COLUMN mart.fact_case.channel IS '1 in person, 2 online, 3 postal.';
COMMENT ON COLUMN mart.fact_case.status_code IS 'Status 1..10 (Egov labels mapped per the Egov contract).';
COMMENT ON COLUMN mart.fact_case.received_at IS 'Time the case was received.';
COMMENT ON COLUMN mart.fact_case.due_at IS 'Due date of the result.';
COMMENT ON COLUMN mart.fact_case.finished_at IS 'End time of a terminal case, else null.';
COMMENT ON COLUMN mart.fact_case.returned_at IS 'Time the result was returned to the applicant.';
COMMENT ON COLUMN mart.fact_case.has_result IS 'New: any result document; Egov: non-empty soKetQua.';
COMMENT ON COLUMN mart.fact_case.has_e_result IS 'New: a result file with a digital signature; Egov: ketQuaDienTu 1.';
COMMENT ON COLUMN mart.fact_case.is_digitized IS 'HoSoCoThanhPhanSoHoa / daSoHoa.';
COMMENT ON COLUMN mart.fact_case.payment IS 'online, offline, or null when no fee.';
COMMENT ON COLUMN mart.fact_case.rating IS '1 very satisfied, 2 satisfied, 3 dissatisfied, null.';
COMMENT ON COLUMN mart.fact_case.has_apology IS 'At least one apology letter.';
COMMENT ON COLUMN mart.fact_case.synced_national IS 'DongBoDVCQG 1; null for Egov cases.';
COMMENT ON COLUMN mart.fact_case.applicant_key IS
    'Lowercase hex HMAC-SHA-256 (PII_HASH_KEY) of the trimmed applicant ID number; null when none.';

CREATE TABLE mart.backlog_reconciliation (
    legacy_case_no   text,
    new_case_id      text,
    outcome          text NOT NULL CHECK (outcome IN ('finished_in_egov', 'residue', 'migrated',
                         'migrated_mismatch', 'double_handled', 'duplicate_migrated', 'orphan_migrated')),
    match_method     text CHECK (match_method IN ('case_no', 'fingerprint')),
    mismatch_fields  text,
    unit_code        text,
    received_at      timestamptz
);
CREATE UNIQUE INDEX backlog_reconciliation_new_case_idx ON mart.backlog_reconciliation (new_case_id)
    WHERE new_case_id IS NOT NULL;
CREATE INDEX backlog_reconciliation_legacy_idx ON mart.backlog_reconciliation (legacy_case_no);
COMMENT ON TABLE mart.backlog_reconciliation IS
    'One row per Egov backlog case (received before the cutover, not finished before it) and one more per '
    'migrated record that is not a backlog case''s primary.';
COMMENT ON COLUMN mart.backlog_reconciliation.legacy_case_no IS
    'Egov soHoSo (trimmed); null for an orphan that links to nothing.';
COMMENT ON COLUMN mart.backlog_reconciliation.new_case_id IS 'The primary''s (or this row''s) MaHoSo; null when none.';
COMMENT ON COLUMN mart.backlog_reconciliation.outcome IS
    'finished_in_egov, residue, migrated, migrated_mismatch, double_handled, duplicate_migrated, orphan_migrated.';
COMMENT ON COLUMN mart.backlog_reconciliation.match_method IS 'case_no, fingerprint, or null.';
COMMENT ON COLUMN mart.backlog_reconciliation.mismatch_fields IS
    'For a linked pair, the fields that differ (applicant_id, procedure_code, received_at, unit_code), sorted '
    'and comma-separated; empty when all agree; null when unlinked.';
COMMENT ON COLUMN mart.backlog_reconciliation.unit_code IS
    'Current unit of the Egov case, or of the new record for orphan rows.';
COMMENT ON COLUMN mart.backlog_reconciliation.received_at IS
    'Egov received time (the new record''s for orphan rows).';

CREATE TABLE mart.backlog_residue_snapshot (
    as_of_date     date NOT NULL,
    unit_code      text,
    residue_count  integer NOT NULL,
    UNIQUE NULLS NOT DISTINCT (as_of_date, unit_code)
);
COMMENT ON TABLE mart.backlog_residue_snapshot IS
    'Residue per current unit per day; a unit keeps a row (possibly zero) once it has had residue.';
COMMENT ON COLUMN mart.backlog_residue_snapshot.as_of_date IS 'Local date (Asia/Ho_Chi_Minh) of the run''s start.';
COMMENT ON COLUMN mart.backlog_residue_snapshot.unit_code IS 'Current unit of the residue cases (null when Egov recorded none).';
COMMENT ON COLUMN mart.backlog_residue_snapshot.residue_count IS 'Backlog cases still open on Egov and nowhere else.';

CREATE TABLE mart.residue_case (
    egov_id             bigint PRIMARY KEY,
    legacy_case_no      text NOT NULL,
    unit_code           text,
    original_unit_code  text,
    procedure_code      text,
    status_code         smallint NOT NULL,
    received_at         timestamptz,
    due_at              timestamptz,
    days_open           integer,
    days_overdue        integer,
    last_official       text
);
COMMENT ON TABLE mart.residue_case IS
    'Backlog cases still open on Egov and migrated nowhere: the work list to bring the residue to zero.';
COMMENT ON COLUMN mart.residue_case.egov_id IS 'Egov record id.';
COMMENT ON COLUMN mart.residue_case.legacy_case_no IS 'Egov soHoSo.';
COMMENT ON COLUMN mart.residue_case.unit_code IS 'Current unit responsible for the case.';
COMMENT ON COLUMN mart.residue_case.original_unit_code IS 'The unit code as recorded on Egov.';
COMMENT ON COLUMN mart.residue_case.procedure_code IS 'Procedure code (maThuTuc).';
COMMENT ON COLUMN mart.residue_case.status_code IS 'Egov status mapped to 1..10.';
COMMENT ON COLUMN mart.residue_case.received_at IS 'Time the case was received on Egov.';
COMMENT ON COLUMN mart.residue_case.due_at IS 'Due date of the result.';
COMMENT ON COLUMN mart.residue_case.days_open IS 'Local calendar days from the received date to the as_of date.';
COMMENT ON COLUMN mart.residue_case.days_overdue IS
    'Local calendar days from the due date to the as_of date when past due, else 0.';
COMMENT ON COLUMN mart.residue_case.last_official IS 'Egov user name of the official who last handled it.';
