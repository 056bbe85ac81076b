-- Disty's two database roles (README, "Database roles"); idempotent. Run once as a superuser:
--   psql "postgres://postgres@host:5432/postgres" -v owner_password=… -v app_password=… -f scripts/db-roles.sql
-- (docker-compose.yml runs it at the first start of its PostgreSQL, with the local passwords below).
--   disty_owner  owns the database, its schema and every table: migrations run as it
--                (MIGRATION_DATABASE_URL).
--   disty_app    the API's login (DATABASE_URL): owns nothing; the migrations grant it
--                SELECT/INSERT/UPDATE/DELETE where the app needs them, never TRUNCATE or DDL.
\set ON_ERROR_STOP on
\if :{?owner_password}
\else
\set owner_password disty
\endif
\if :{?app_password}
\else
\set app_password disty
\endif
\if :{?database}
\else
\set database disty
\endif

SELECT format('CREATE ROLE disty_owner LOGIN PASSWORD %L', :'owner_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'disty_owner') \gexec
SELECT format('CREATE ROLE disty_app LOGIN PASSWORD %L', :'app_password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'disty_app') \gexec
SELECT format('CREATE DATABASE %I OWNER disty_owner', :'database')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec
SELECT format('ALTER DATABASE %I OWNER TO disty_owner', :'database') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database') \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO disty_app', :'database') \gexec

\connect :database
ALTER SCHEMA public OWNER TO disty_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO disty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE disty_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO disty_app;
ALTER DEFAULT PRIVILEGES FOR ROLE disty_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO disty_app;
