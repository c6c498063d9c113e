-- Faster rebuild of staging.case: the case-number index is not used by any build (they aggregate whole
-- tables), and one regular-expression replacement per run of separators is cheaper than one per character.
DROP INDEX IF EXISTS staging.case_norm_idx;

CREATE OR REPLACE FUNCTION staging.ascii_case_no_norm(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
    RETURN translate(regexp_replace(value, '[^0-9A-Za-z]+', '', 'g'),
                     'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
