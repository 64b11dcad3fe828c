#!/bin/bash
# Run once by the postgres image when the "warehouse" volume is first created.
# The bi_reader role of warehouse/roles.py: BI tools and the monthly report read
# the marts and nothing else. dbt re-grants SELECT on every mart it builds
# (+grants in dbt_project/dbt_project.yml), which needs the role to exist.
# Idempotent: an existing role gets the password again.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v password="${BI_READER_PASSWORD:-bi_reader}" -v db="$POSTGRES_DB" -v owner="$POSTGRES_USER" <<'SQL'
SELECT 'CREATE ROLE bi_reader LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bi_reader') \gexec
ALTER ROLE bi_reader LOGIN PASSWORD :'password';
GRANT CONNECT ON DATABASE :"db" TO bi_reader;
REVOKE CREATE ON SCHEMA public FROM bi_reader;
CREATE SCHEMA IF NOT EXISTS marts AUTHORIZATION :"owner";
GRANT USAGE ON SCHEMA marts TO bi_reader;
SQL
