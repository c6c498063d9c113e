-- The fact_case change log carries each changed row's before and after images (the columns the monthly
-- indicators and the period report count), so those builds can apply a change as a difference of counts;
-- the due-time index finds the cases whose counts a later as_of changes.

ALTER TABLE staging.change_log
    ADD COLUMN image            text CHECK (image IN ('old', 'new')),
    ADD COLUMN unit_code        text,
    ADD COLUMN status_code      smallint,
    ADD COLUMN channel          smallint,
    ADD COLUMN received_at      timestamptz,
    ADD COLUMN due_at           timestamptz,
    ADD COLUMN finished_at      timestamptz,
    ADD COLUMN has_e_result     boolean,
    ADD COLUMN is_digitized     boolean,
    ADD COLUMN payment          text,
    ADD COLUMN rating           smallint,
    ADD COLUMN has_apology      boolean,
    ADD COLUMN synced_national  boolean;
COMMENT ON COLUMN staging.change_log.image IS
    'fact: old (the row before the change, removed) or new (the row after it, added); null in entries '
    'logged before images were, and in those marking the months a partition run counted: the count builds '
    'recompute those months from their cases.';

CREATE INDEX fact_case_due_idx ON mart.fact_case (due_at) WHERE status_code NOT IN (1, 3);

-- The cases finished in a month, whatever their status (the monthly report's review of officials), and the
-- finished ones among them (the spans of the counts): one index serves both.
DROP INDEX mart.fact_case_finished_idx;
CREATE INDEX fact_case_finished_idx ON mart.fact_case (finished_at);
