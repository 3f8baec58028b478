-- GrowthOps database roles and schemas: one login role per service, owning one schema of the same name.
--
-- Run connected to the growthops database. Idempotent: `./growthops up` applies it on every start, and the
-- postgres container runs it once when it initialises its volume (docker-entrypoint-initdb.d).
-- Because each schema is named after its role, the default search_path ("$user", public) resolves
-- unqualified names to the service's own schema; each service applies its own migrations at start-up.
--
-- Passwords equal the role name: LOCAL DEVELOPMENT ONLY. Production provisions roles and secrets
-- separately (deploy/README.md).
\set ON_ERROR_STOP on

DO $$
DECLARE
    svc text;
BEGIN
    -- Only the service roles may connect to the service database (plus superusers).
    EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());

    FOREACH svc IN ARRAY ARRAY['leads', 'revenue', 'segments', 'cortex', 'email', 'adexecutor', 'attribution']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = svc) THEN
            EXECUTE format(
                'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                svc, svc);
        ELSE
            -- Re-assert the attributes so a role altered by hand goes back to the intended shape.
            EXECUTE format(
                'ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                svc, svc);
        END IF;

        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, svc);
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', svc, svc);
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), svc);
    END LOOP;
END
$$;
