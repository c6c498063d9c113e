-- Builds that know their code: a build cursor keeps the code version (a fingerprint of the build's SQL and of
-- the fragments that shape it) its published rows were computed by, and a validation memo the version of the
-- rules it validated with; a changed version rebuilds, or validates, again.
ALTER TABLE staging.build_cursor ADD COLUMN code_version text;
COMMENT ON COLUMN staging.build_cursor.code_version IS
    'The code version of the build that consumed up to last_change_id (null: built before versions were kept).';

ALTER TABLE meta.validated_version ADD COLUMN rules_version text;
COMMENT ON COLUMN meta.validated_version.rules_version IS
    'The version of the rules (their declarations and expectations) the validation ran with.';
