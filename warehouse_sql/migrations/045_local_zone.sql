-- The Department's time zone, for the SQL that reads local dates and months: written once here, and checked
-- by a test against `core.local_time.LOCAL_TZ_NAME` (the zone the Python side and every session use).
CREATE SCHEMA IF NOT EXISTS meta;

CREATE FUNCTION meta.local_zone() RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN 'Asia/Ho_Chi_Minh';
COMMENT ON FUNCTION meta.local_zone() IS
    'The local time zone of every period, date and source timestamp (Asia/Ho_Chi_Minh).';
