-- Runs once when the PostgreSQL container initialises its data directory. The schema owner runs
-- migrations; the service connects as gatehouse_app, which row-level security applies to (it is no
-- superuser, has no BYPASSRLS and owns no table). Migrations grant it data access on every table.
CREATE ROLE gatehouse_owner LOGIN PASSWORD 'owner-password-change-me';
CREATE ROLE gatehouse_app LOGIN PASSWORD 'app-password-change-me' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE gatehouse OWNER gatehouse_owner;
GRANT CONNECT ON DATABASE gatehouse TO gatehouse_app;
