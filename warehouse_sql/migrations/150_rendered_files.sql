-- The report files a run wrote, with the fingerprint of what they show: a run whose report would show the
-- same (the same rows read, the same as_of date, the same report code) and that finds the files as they were
-- written leaves them as they are.

CREATE TABLE meta.rendered_file (
    artifact        text PRIMARY KEY,
    fingerprint     text NOT NULL,
    files           text[] NOT NULL,
    content_digest  text NOT NULL,
    rendered_at     timestamptz NOT NULL
);
COMMENT ON TABLE meta.rendered_file IS
    'Per report file set (report/monthly, each period of report/tthc_periodic), the fingerprint of the rows, '
    'as_of date and report code it was rendered from, the files written and a digest of their bytes.';
