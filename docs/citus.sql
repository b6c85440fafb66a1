-- The usage tables laid out for Citus (distributed PostgreSQL), for when one primary is not
-- enough. Run once on the coordinator, after `manage.py migrate`, with the web and worker
-- processes stopped (create_distributed_table copies the rows to the shards):
--
--     psql "$DATABASE_DIRECT_URL" -v ON_ERROR_STOP=1 -f docs/citus.sql
--
-- Layout (README "Running on several machines"; tests/hosts/test_citus_layout.py checks it
-- against the real schema, Citus itself is not needed for that test):
-- * billing_usageevent (partitioned by month of event_time) is distributed by customer_id: a
--   customer's events live on one shard (each monthly partition is distributed alike, and a
--   partition created later by the clock is distributed when it is attached);
-- * billing_usageeventkey (the deduplication key, (customer_id, event_id)) is co-located with it,
--   so ingestion's one statement (the events and their keys, ON CONFLICT DO NOTHING) runs on one
--   shard per customer;
-- * the tables the aggregation joins by customer (billing/aggregation.py: the customer for its
--   time zone, the subscriptions for a recurring metric's start) and the metric catalogue are
--   reference tables (a copy on every node): every join of the usage with them is shard-local,
--   whatever the customer. Their foreign keys point only at tables that are reference tables too
--   (the closure below: the test checks it). The rest of the schema stays on the coordinator as
--   Citus local tables (their foreign keys to billing_customer are kept: Citus 11+ with the
--   coordinator in the metadata).
-- What must hold, checked by the test:
-- * every primary key and unique index of a distributed table includes customer_id: the usage
--   table's primary key (id, event_time) becomes (customer_id, id, event_time) here (the
--   partition key, event_time, stays in it, as PostgreSQL requires of a partitioned table);
-- * every aggregation query over billing_usageevent is scoped by customer_id (customer_id =
--   ANY(...), or a join on e.customer_id), so Citus pushes it down to the shards (one shard
--   for a chunk's customer, or each shard its own customers) and only sums come back;
-- * the usage tables have no foreign keys (db_constraint=False): a distributed table may only
--   reference reference tables or co-located tables on the distribution column.

\set ON_ERROR_STOP on
CREATE EXTENSION IF NOT EXISTS citus;
-- the coordinator holds the local tables that keep foreign keys to the reference tables
SELECT citus_set_coordinator_host(inet_server_addr()::text, inet_server_port());

BEGIN;
-- the distribution column in the usage table's primary key
ALTER TABLE billing_usageevent DROP CONSTRAINT billing_usageevent_pkey;
ALTER TABLE billing_usageevent ADD PRIMARY KEY (customer_id, id, event_time);
COMMIT;

-- reference tables: what the aggregation joins by customer, and the closure of their foreign
-- keys (a reference table references reference tables only), referenced ones first
SELECT create_reference_table('catalog_product');
SELECT create_reference_table('catalog_taxrate');
SELECT create_reference_table('catalog_plan');
SELECT create_reference_table('catalog_planversion');
SELECT create_reference_table('catalog_billablemetric');
SELECT create_reference_table('billing_testclock');
SELECT create_reference_table('billing_customer');
SELECT create_reference_table('billing_subscription');

-- the usage, by customer, co-located
SELECT create_distributed_table('billing_usageevent', 'customer_id', shard_count := 32);
SELECT create_distributed_table(
    'billing_usageeventkey', 'customer_id', colocate_with := 'billing_usageevent'
);
