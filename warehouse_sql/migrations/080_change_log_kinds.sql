-- The staging change log says what each entry means, by its kind alone: a rebuild was an entry of kind 'full'
-- naming the build in record_key, months to count again were 'fact' entries without images, and a change of
-- the current units was an 'official' entry without a user name.
ALTER TABLE staging.change_log ADD COLUMN build text;
ALTER TABLE staging.change_log DROP CONSTRAINT change_log_kind_check;

UPDATE staging.change_log SET kind = 'rebuild', build = record_key, record_key = NULL WHERE kind = 'full';
UPDATE staging.change_log SET kind = 'recount' WHERE kind = 'fact' AND image IS NULL;
UPDATE staging.change_log SET kind = 'unit' WHERE kind = 'official' AND record_key IS NULL;

ALTER TABLE staging.change_log
    ADD CONSTRAINT change_log_kind_check CHECK (kind IN (
        'case', 'link', 'fact', 'official', 'quarantine', 'procedure', 'unit', 'rebuild', 'recount')),
    ADD CONSTRAINT change_log_fact_has_image CHECK (kind <> 'fact' OR image IS NOT NULL),
    ADD CONSTRAINT change_log_rebuild_names_build CHECK (kind <> 'rebuild' OR build IS NOT NULL);

COMMENT ON TABLE staging.change_log IS
    'What the builds changed, for the builds downstream (transform/change_log.py). Changed rows: a staging '
    'case version (case, old and new), a link (link, old and new Egov case), a fact_case row image (fact, '
    'old or new, with the months it counts in), a landed official (official) or a quarantined or released '
    'key (quarantine). Remaps: a landed procedure (procedure: its cases may count in another field) or the '
    'current units (unit: officials count under other units). A build rebuilt in full (rebuild, named in '
    'build: the builds after it rebuild too). Months to count again from their cases (recount, month_from to '
    'month_to). Holds applicant ID numbers (restricted, like staging.case).';
COMMENT ON COLUMN staging.change_log.kind IS
    'case, link, fact, official, quarantine (changed rows); procedure, unit (remaps); rebuild; recount.';
COMMENT ON COLUMN staging.change_log.build IS
    'rebuild: the build rebuilt in full; recount: the build that counted the months out of turn.';
COMMENT ON COLUMN staging.change_log.image IS
    'fact: old (the row before the change, removed) or new (the row after it, added).';
COMMENT ON COLUMN staging.change_log.month_from IS 'fact, recount: first month the row counts in (is recounted).';
COMMENT ON COLUMN staging.change_log.month_to IS
    'fact, recount: last month the row counts in (is recounted); null while the case is open (up to as_of).';
