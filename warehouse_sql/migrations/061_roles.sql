-- Who may read what. Two NOLOGIN group roles; people and programs log in as LOGIN users made members of one:
--   egov_sync_pipeline   owns and writes every schema of the warehouse (the pipeline's own user is a member);
--   egov_sync_reporting  reads mart and nothing else: raw and staging hold applicant names, ID numbers and
--                        phones, and meta is the pipeline's bookkeeping.
-- Roles belong to the whole server and many warehouses may share one, so a role is created only when missing
-- (and a concurrent creation by another database's migration is accepted); everything else is per database.

DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['egov_sync_pipeline', 'egov_sync_reporting'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN
                    NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'role % does not exist and % may not create roles', wanted, current_user
                        USING HINT = 'Create it once as an administrator: CREATE ROLE ' || wanted || ' NOLOGIN;';
            END;
        END IF;
    END LOOP;
END
$$;

-- Connecting is PUBLIC's by default; granted explicitly for a server where it was revoked from PUBLIC (only
-- the database's owner may, so another user gets a warning here and the administrator grants it).
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO egov_sync_pipeline', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO egov_sync_reporting', current_database());
EXCEPTION
    WHEN insufficient_privilege THEN
        RAISE WARNING '% may not grant CONNECT on database %: the roles connect through PUBLIC''s grant',
            current_user, current_database();
END
$$;

-- The pipeline role owns the warehouse's schemas, tables and functions.
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT format('SCHEMA %I', nspname) AS object
        FROM pg_namespace
        WHERE nspname IN ('raw', 'staging', 'mart', 'meta')
        UNION ALL
        SELECT format('%s %I.%I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                                 WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
                      n.nspname, c.relname)
        FROM pg_class AS c
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('raw', 'staging', 'mart', 'meta') AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        UNION ALL
        SELECT format('FUNCTION %s', p.oid::regprocedure)
        FROM pg_proc AS p
        JOIN pg_namespace AS n ON n.oid = p.pronamespace
        WHERE n.nspname IN ('raw', 'staging', 'mart', 'meta') AND p.prokind = 'f'
    LOOP
        EXECUTE format('ALTER %s OWNER TO egov_sync_pipeline', item.object);
    END LOOP;
END
$$;

-- Nobody else reads raw, staging or meta; the reporting role reads mart only.
REVOKE ALL ON SCHEMA raw, staging, meta, mart FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA raw, staging, meta, mart FROM PUBLIC;
REVOKE ALL ON SCHEMA raw, staging, meta FROM egov_sync_reporting;
REVOKE ALL ON ALL TABLES IN SCHEMA raw, staging, meta FROM egov_sync_reporting;
GRANT USAGE ON SCHEMA mart TO egov_sync_reporting;
GRANT SELECT ON ALL TABLES IN SCHEMA mart TO egov_sync_reporting;

-- Tables made later, by the user running the migrations or by the pipeline role: mart ones readable by the
-- reporting role, the others not; all of them writable by the pipeline role.
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, staging, meta, mart GRANT ALL ON TABLES TO egov_sync_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA raw, staging, meta, mart GRANT ALL ON SEQUENCES TO egov_sync_pipeline;
ALTER DEFAULT PRIVILEGES IN SCHEMA mart GRANT SELECT ON TABLES TO egov_sync_reporting;
ALTER DEFAULT PRIVILEGES FOR ROLE egov_sync_pipeline IN SCHEMA mart GRANT SELECT ON TABLES TO egov_sync_reporting;
