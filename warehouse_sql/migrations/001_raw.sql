-- Raw landing: records as received (payload) with their canonical columns, quarantine and watermarks.
-- equivalent-to: 957d7dd120d4f678d432c47621a4b311fbff6382e077a5e595d5736aa6b56945 (its first text, which spelled the case columns twice)
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS mart;

CREATE TABLE raw.newsys_case (
    case_no             text PRIMARY KEY,
    legacy_case_no_raw  text,
    origin              text,
    procedure_code      text,
    procedure_name      text,
    field_code          text,
    original_unit_code  text,
    channel             smallint,
    status_code         smallint NOT NULL,
    is_terminal         boolean NOT NULL,
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
    stop_reason         text,
    applicant_id        text,
    applicant_key       text,
    applicant_type      text,
    applicant_vneid     boolean,
    handlers            text[] NOT NULL DEFAULT '{}',
    last_official       text,
    is_deleted          boolean NOT NULL,
    updated_at          timestamptz,
    payload             jsonb NOT NULL,
    fetched_at          timestamptz NOT NULL,
    run_id              text
);
CREATE INDEX newsys_case_updated_at_idx ON raw.newsys_case (updated_at);

-- An Egov case has the same canonical columns (declared once, in ingest/rows.py), keyed by its row id.
CREATE TABLE raw.egov_case (
    egov_id     bigint PRIMARY KEY,
    LIKE raw.newsys_case INCLUDING DEFAULTS,
    moved_flag  boolean NOT NULL
);
CREATE INDEX egov_case_case_no_idx ON raw.egov_case (case_no);

CREATE TABLE raw.newsys_official (
    user_name     text PRIMARY KEY,
    full_name     text,
    unit_code     text,
    account_type  text NOT NULL,
    vneid_level   text,
    is_active     boolean NOT NULL,
    updated_at    timestamptz,
    payload       jsonb NOT NULL,
    fetched_at    timestamptz NOT NULL,
    run_id        text
);

CREATE TABLE raw.newsys_procedure (
    procedure_code  text PRIMARY KEY,
    name            text,
    field_code      text,
    field_name      text,
    service_level   smallint NOT NULL,
    legal_days      integer NOT NULL,
    has_fee         boolean NOT NULL,
    payload         jsonb NOT NULL,
    fetched_at      timestamptz NOT NULL,
    run_id          text
);

CREATE TABLE raw.newsys_unit (
    unit_code       text PRIMARY KEY,
    name            text,
    level           text NOT NULL,
    successor_code  text,
    ceased_at       timestamptz,
    payload         jsonb NOT NULL,
    fetched_at      timestamptz NOT NULL,
    run_id          text
);

-- Bad input, kept aside with the reasons; one row per source record key, its latest bad version.
CREATE TABLE raw.quarantine (
    source          text NOT NULL,
    entity          text NOT NULL,
    record_key      text NOT NULL,
    reasons         text[] NOT NULL,
    payload         jsonb NOT NULL,
    updated_at      timestamptz,
    first_seen_at   timestamptz NOT NULL,
    last_changed_at timestamptz NOT NULL,
    resolved_at     timestamptz,
    run_id          text,
    PRIMARY KEY (source, entity, record_key)
);

-- Incremental read positions, advanced only after the data they cover is committed.
CREATE TABLE raw.watermark (
    source      text NOT NULL,
    entity      text NOT NULL,
    value       timestamptz NOT NULL,
    committed_at timestamptz NOT NULL,
    run_id      text,
    PRIMARY KEY (source, entity)
);

-- One row per landing run and entity: what was fetched and what changed.
CREATE TABLE raw.load_log (
    run_id          text NOT NULL,
    source          text NOT NULL,
    entity          text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    pages           integer NOT NULL DEFAULT 0,
    fetched         bigint NOT NULL DEFAULT 0,
    inserted        bigint NOT NULL DEFAULT 0,
    updated         bigint NOT NULL DEFAULT 0,
    quarantined     bigint NOT NULL DEFAULT 0,
    retries         integer NOT NULL DEFAULT 0,
    watermark_before timestamptz,
    watermark_after  timestamptz,
    status          text NOT NULL DEFAULT 'running',
    PRIMARY KEY (run_id, source, entity)
);
