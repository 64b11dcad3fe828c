-- Run once by the postgres image when the "warehouse" volume is first created
-- (files in /docker-entrypoint-initdb.d). Database and owner ("warehouse") are
-- created by the image from POSTGRES_DB / POSTGRES_USER.
--
-- Keep this server behaving like the embedded warehouse (warehouse/embedded.py:
-- UTF8, C.UTF-8 locale, timezone UTC), so dbt models and the monthly report give
-- the same month boundaries in Docker and locally. Encoding and locale are set
-- with POSTGRES_INITDB_ARGS in docker-compose.yml; the session timezone is pinned
-- here (the container's clock is UTC already; this makes it explicit).
ALTER DATABASE warehouse SET timezone TO 'UTC';
