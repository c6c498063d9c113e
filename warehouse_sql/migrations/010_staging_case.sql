-- Staging: the case universe of both sources in one shape, current units, and links of migrated records.

-- Normalised case numbers of values that are not plain ASCII, computed in Python (letters and digits by
-- Unicode, independent of the database locale); ASCII values are normalised in SQL.
CREATE TABLE staging.case_no_key (
    case_no       text PRIMARY KEY,
    case_no_norm  text NOT NULL
);
COMMENT ON TABLE staging.case_no_key IS
    'Normalised form (upper case, letters and digits only) of non-ASCII case numbers, filled from Python.';

CREATE FUNCTION staging.ascii_case_no_norm(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
    RETURN translate(regexp_replace(value, '[^0-9A-Za-z]', '', 'g'),
                     'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
COMMENT ON FUNCTION staging.ascii_case_no_norm(text) IS
    'Normalised case number of a plain ASCII value, independent of the database locale.';

CREATE TABLE staging.unit_current (
    unit_code          text PRIMARY KEY,
    current_unit_code  text NOT NULL,
    hops               integer NOT NULL
);
COMMENT ON TABLE staging.unit_current IS
    'Every catalogue unit followed along its successors to a unit that still exists; a code caught in a '
    'cycle keeps itself. Codes absent from the catalogue are their own current unit (not listed here).';
COMMENT ON COLUMN staging.unit_current.unit_code IS 'Unit code as in the catalogue (MaDonVi).';
COMMENT ON COLUMN staging.unit_current.current_unit_code IS 'The unit that handles its cases today.';
COMMENT ON COLUMN staging.unit_current.hops IS 'Successor steps from unit_code to current_unit_code.';

CREATE TABLE staging.unit_problem (
    unit_code  text PRIMARY KEY,
    problem    text NOT NULL CHECK (problem IN ('cycle', 'broken_chain')),
    chain      text NOT NULL
);
COMMENT ON TABLE staging.unit_problem IS 'Successor chains that loop or end at a code missing from the catalogue.';
COMMENT ON COLUMN staging.unit_problem.unit_code IS 'The catalogue unit whose chain has the problem.';
COMMENT ON COLUMN staging.unit_problem.problem IS 'cycle (the chain comes back on itself) or broken_chain.';
COMMENT ON COLUMN staging.unit_problem.chain IS 'The codes walked, separated by '' -> ''.';

CREATE TABLE staging."case" (
    source_system        text NOT NULL CHECK (source_system IN ('newsys', 'egov')),
    record_key           text NOT NULL,
    case_key             text NOT NULL,
    case_no              text NOT NULL,
    case_no_norm         text,
    egov_id              bigint,
    legacy_case_no_raw   text,
    legacy_case_no_norm  text,
    origin               text,
    procedure_code       text,
    original_unit_code   text,
    unit_code            text,
    channel              smallint,
    status_code          smallint NOT NULL,
    is_terminal          boolean NOT NULL,
    received_at          timestamptz,
    received_minute      timestamp,
    due_at               timestamptz,
    finished_at          timestamptz,
    returned_at          timestamptz,
    has_result           boolean NOT NULL,
    has_e_result         boolean NOT NULL,
    is_digitized         boolean NOT NULL,
    payment              text,
    rating               smallint,
    has_apology          boolean NOT NULL,
    synced_national      boolean,
    stop_reason          text,
    applicant_id         text,
    applicant_key        text,
    handlers             text[] NOT NULL,
    last_official        text,
    is_deleted           boolean NOT NULL,
    updated_at           timestamptz NOT NULL,
    PRIMARY KEY (source_system, record_key)
);
CREATE INDEX case_norm_idx ON staging."case" (source_system, case_no_norm);
COMMENT ON TABLE staging."case" IS 'Every valid landed case of both systems in one canonical shape.';
COMMENT ON COLUMN staging."case".source_system IS 'newsys (new provincial system) or egov (legacy Egov).';
COMMENT ON COLUMN staging."case".record_key IS 'Source key: MaHoSo, or the Egov id as text.';
COMMENT ON COLUMN staging."case".case_key IS 'MaHoSo, or EGOV: + soHoSo.';
COMMENT ON COLUMN staging."case".case_no IS 'MaHoSo or soHoSo as landed.';
COMMENT ON COLUMN staging."case".case_no_norm IS
    'Egov only: case_no upper-cased with every character that is not a letter or digit removed.';
COMMENT ON COLUMN staging."case".egov_id IS 'Egov id; null for new-system cases.';
COMMENT ON COLUMN staging."case".legacy_case_no_raw IS 'MaHoSoCu of a new-system case; null when empty.';
COMMENT ON COLUMN staging."case".legacy_case_no_norm IS 'legacy_case_no_raw normalised like case_no_norm.';
COMMENT ON COLUMN staging."case".origin IS 'NguonHoSo (MOI or EGOV); null for Egov cases.';
COMMENT ON COLUMN staging."case".procedure_code IS 'MaTTHC / maThuTuc.';
COMMENT ON COLUMN staging."case".original_unit_code IS 'Handling unit code as recorded.';
COMMENT ON COLUMN staging."case".unit_code IS 'Current unit of original_unit_code (staging.unit_current).';
COMMENT ON COLUMN staging."case".channel IS '1 in person, 2 online, 3 postal.';
COMMENT ON COLUMN staging."case".status_code IS 'Status 1..10.';
COMMENT ON COLUMN staging."case".is_terminal IS 'Status 3, 7, 8, 9 or 10.';
COMMENT ON COLUMN staging."case".received_at IS 'Time the case was received.';
COMMENT ON COLUMN staging."case".received_minute IS 'received_at in local time (Asia/Ho_Chi_Minh), truncated to the minute.';
COMMENT ON COLUMN staging."case".due_at IS 'Due date of the result.';
COMMENT ON COLUMN staging."case".finished_at IS 'End time of a terminal case, else null.';
COMMENT ON COLUMN staging."case".returned_at IS 'Time the result was returned.';
COMMENT ON COLUMN staging."case".has_result IS 'A result document exists.';
COMMENT ON COLUMN staging."case".has_e_result IS 'An electronic, digitally signed result exists.';
COMMENT ON COLUMN staging."case".is_digitized IS 'The dossier was digitised.';
COMMENT ON COLUMN staging."case".payment IS 'online, offline, or null when no fee.';
COMMENT ON COLUMN staging."case".rating IS '1 very satisfied, 2 satisfied, 3 dissatisfied, null.';
COMMENT ON COLUMN staging."case".has_apology IS 'At least one apology letter.';
COMMENT ON COLUMN staging."case".synced_national IS 'DongBoDVCQG = 1; null for Egov cases.';
COMMENT ON COLUMN staging."case".stop_reason IS 'Written reason for stopping the case.';
COMMENT ON COLUMN staging."case".applicant_id IS 'Applicant ID number (personal data, restricted).';
COMMENT ON COLUMN staging."case".applicant_key IS 'Keyed hash of the applicant ID number.';
COMMENT ON COLUMN staging."case".handlers IS 'Officials who handled the case.';
COMMENT ON COLUMN staging."case".last_official IS 'The official of the latest processing step.';
COMMENT ON COLUMN staging."case".is_deleted IS 'Tombstone of the source (DaXoa = 1).';
COMMENT ON COLUMN staging."case".updated_at IS 'Last update time in the source.';

CREATE TABLE staging.case_link (
    new_case_id      text PRIMARY KEY,
    egov_id          bigint NOT NULL,
    match_method     text NOT NULL CHECK (match_method IN ('case_no', 'fingerprint')),
    mismatch_fields  text NOT NULL
);
CREATE INDEX case_link_egov_idx ON staging.case_link (egov_id);
COMMENT ON TABLE staging.case_link IS 'Each migrated new-system record linked to the Egov case it copies.';
COMMENT ON COLUMN staging.case_link.new_case_id IS 'MaHoSo of the valid, non-deleted migrated record.';
COMMENT ON COLUMN staging.case_link.egov_id IS 'Egov id of the linked case.';
COMMENT ON COLUMN staging.case_link.match_method IS 'case_no (normalised MaHoSoCu) or fingerprint.';
COMMENT ON COLUMN staging.case_link.mismatch_fields IS 'Fields the pair disagrees on, sorted, comma-separated.';
