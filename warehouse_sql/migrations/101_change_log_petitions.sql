-- The staging change log carries the petitions and ratings: the landed keys the staging build forwards
-- (petition, rating), and the mart rows the builds changed (petition_fact: a fact_petition row image with
-- the months it counts in and the petition it complains about; rating_fact: a fact_rating row image with
-- its case), for the indicators and the data-quality subject downstream.
ALTER TABLE staging.change_log ADD COLUMN related_petition_no text;
ALTER TABLE staging.change_log DROP CONSTRAINT change_log_kind_check;
ALTER TABLE staging.change_log
    ADD CONSTRAINT change_log_kind_check CHECK (kind IN (
        'case', 'link', 'fact', 'official', 'quarantine', 'procedure', 'unit', 'rebuild', 'recount',
        'petition', 'rating', 'petition_fact', 'rating_fact')),
    ADD CONSTRAINT change_log_mart_row_has_image CHECK (kind NOT IN ('petition_fact', 'rating_fact')
                                                        OR image IS NOT NULL);

COMMENT ON TABLE staging.change_log IS
    'What the builds changed, for the builds downstream (transform/change_log.py). Changed rows: a staging '
    'case version (case, old and new), a link (link, old and new Egov case), a fact_case row image (fact, '
    'old or new, with the months it counts in), a landed official (official), a quarantined or released '
    'key (quarantine), a landed petition or rating key (petition, rating), a fact_petition row image '
    '(petition_fact, old or new, with the months it counts in) or a fact_rating row image (rating_fact, old '
    'or new, with its case). Remaps: a landed procedure (procedure: its cases may count in another field) '
    'or the current units (unit: officials and petitions count under other units). A build rebuilt in full '
    '(rebuild, named in build: the builds after it rebuild too). Months to count again from their cases '
    '(recount, month_from to month_to). Holds applicant ID numbers (restricted, like staging.case).';
COMMENT ON COLUMN staging.change_log.kind IS
    'case, link, fact, official, quarantine, petition, rating, petition_fact, rating_fact (changed rows); '
    'procedure, unit (remaps); rebuild; recount.';
COMMENT ON COLUMN staging.change_log.image IS
    'fact, petition_fact, rating_fact: old (the row before the change, removed) or new (the row after it, '
    'added).';
COMMENT ON COLUMN staging.change_log.month_from IS
    'fact, petition_fact, recount: first month the row counts in (is recounted).';
COMMENT ON COLUMN staging.change_log.month_to IS
    'fact, petition_fact, recount: last month the row counts in (is recounted); null while the case or '
    'petition is open (up to as_of).';
COMMENT ON COLUMN staging.change_log.related_petition_no IS
    'petition_fact: the petition the row complains about (MaPAKNLienQuan), whose satisfaction it may change.';
