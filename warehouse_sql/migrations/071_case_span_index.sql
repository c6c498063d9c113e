-- Finding the cases of a month or period without reading every case: the span a received case counts in
-- (from received_at to finished_at, unbounded while open), and the finish time of finished cases.
CREATE FUNCTION mart.case_span(received_at timestamptz, finished_at timestamptz) RETURNS tstzrange
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN tstzrange(received_at, CASE WHEN finished_at IS NOT NULL THEN greatest(received_at, finished_at) END, '[]');
COMMENT ON FUNCTION mart.case_span(timestamptz, timestamptz) IS
    'The times a case is open: [received_at, finished_at] (unbounded while open); a superset for odd dates.';

CREATE INDEX fact_case_span_idx ON mart.fact_case USING gist (mart.case_span(received_at, finished_at))
    WHERE status_code NOT IN (1, 3);
CREATE INDEX fact_case_finished_idx ON mart.fact_case (finished_at) WHERE status_code IN (9, 10);
