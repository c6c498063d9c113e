-- A version per published table, raised in the transaction that changes its rows (never otherwise), and the
-- version each validation checkpoint last validated: validating an unchanged table again would find the same.

CREATE TABLE meta.table_version (
    table_name  text PRIMARY KEY,
    version     bigint NOT NULL,
    changed_at  timestamptz NOT NULL
);
COMMENT ON TABLE meta.table_version IS
    'Per table, a counter raised by every publication that changed its rows (mart tables, staging.dq_subject).';

CREATE TABLE meta.validated_version (
    checkpoint  text PRIMARY KEY,
    table_name  text NOT NULL,
    version     bigint NOT NULL,
    run_at      timestamptz NOT NULL
);
COMMENT ON TABLE meta.validated_version IS
    'Per GX checkpoint, the version of the table it validated and the run (mart.dq_results.run_at) whose '
    'results hold for that version.';
