"""A realistic back-office data set, seeded fast with set-based SQL (INSERT ... SELECT
generate_series), for the back office's benchmarks (bench/dashboard.py, bench/exports.py).

    from backoffice_data import seed
    summary = seed(database_url, customers=10_000, invoices=100_000)

On a migrated database (`manage.py migrate`), in one transaction, with plain psycopg (no Django):

- 6 plans (USD and EUR: starter 29/month, pro 99/month, business 2,400/year), one published
  price book each (v1, effective 2024-01-01); 2 billable metrics (`bo_api_calls` count,
  `bo_tokens` sum of `tokens`).
- `customers` customers (every 5th in EUR, the rest USD), external ids `bo-c<i>`.
- One subscription each, started between 18 and 1 month(s) before `as_of`, quantity 1-4; every
  7th with a 14-day trial; applied changes: every 4th (i % 4 = 1) upgrades (starter -> pro,
  pro -> business, business: +1 seat) 45 days after its start, i % 4 = 2 with more than one seat
  drops a seat 75 days after its start; every 11th is canceled 120-209 days after its start;
  every 22nd of those comes back 45 days later with a new pro subscription (a reactivation);
  every 29th (not canceled) is paused since 20 days before `as_of`.
- `invoices` finalized invoices spread over the 12 UTC months before `as_of`'s month, each with
  2 lines (fixed fee and usage; no tax): by n % 100, 85% paid (a succeeded automatic payment
  and its allocation), 7% open, 3% partially paid (10.00 paid), 1% void, 1% uncollectible,
  3% paid. Failed payments: attempt 1 failed on every open invoice and on 5% of the paid ones
  (these paid by attempt 2: recovered). Every 200th invoice's payment has a 5.00 refund; every
  250th invoice a 10.00 credit note.
- A dunning policy "backoffice bench" with 3 states; every customer with an overdue invoice
  (open, partially paid, uncollectible, due before `as_of`) in one of them (i % 3).
- `usage_events` usage events over the 12 months before `as_of` (monthly partitions created).

Seeded rows have no audit history and no ledger postings (triggers are off while seeding:
`session_replication_role = replica`); the ids are computed, and the sequences moved past
them. Returns a `Seeded` summary with the counts and the instant the data set is "now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    as_of: datetime
    customers: int
    subscriptions: int
    invoices: int
    payments: int
    usage_events: int
    seconds: float


def _base(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0])  # noqa: S608


def _count(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


TABLES = (
    "catalog_plan", "catalog_planversion", "catalog_billablemetric", "billing_customer",
    "billing_subscription", "billing_subscriptionchange", "billing_subscriptionpause",
    "billing_subscriptionpricemove", "invoicing_invoice", "invoicing_invoiceline",
    "invoicing_creditnote", "payments_payment", "payments_allocation", "payments_refund",
    "payments_dunningpolicy", "payments_dunningstate", "payments_customerdunning",
)  # fmt: skip


def _partitions(conn: Any, as_of: datetime) -> None:
    for back in range(0, 14):
        start = conn.execute(
            "SELECT date_trunc('month', %s::timestamptz AT TIME ZONE 'UTC') - make_interval("
            "months => %s)",
            [as_of, back],
        ).fetchone()[0]
        name = f"billing_usageevent_y{start.year:04d}m{start.month:02d}"
        if conn.execute("SELECT to_regclass(%s) IS NOT NULL", [name]).fetchone()[0]:
            continue
        conn.execute(
            f"CREATE TABLE {name} PARTITION OF billing_usageevent FOR VALUES FROM "
            f"('{start:%Y-%m-%d} 00:00+00') TO ('{start:%Y-%m-%d} 00:00+00'::timestamptz "
            f"+ interval '1 month')"
        )


def seed(
    url: str,
    *,
    customers: int = 10_000,
    invoices: int = 100_000,
    usage_events: int = 300_000,
    as_of: datetime = AS_OF,
) -> Seeded:
    """Seed the data set described in the module's note into the database at `url`."""
    import time

    from common import connect

    begin = time.perf_counter()
    with connect(url) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET LOCAL TIME ZONE 'UTC'")
        b = {t: _base(conn, t) for t in TABLES}
        p = {
            "as_of": as_of, "n": customers, "inv": invoices, "ev": usage_events,
            **{f"b_{t}": v for t, v in b.items()},
        }  # fmt: skip
        _partitions(conn, as_of)
        # ---------------------------------------------------------------- catalog
        conn.execute(
            """
            INSERT INTO catalog_plan (id, code, name, description, currency, interval_unit,
                interval_count, created_at, updated_at, calendar_aligned)
            SELECT %(b_catalog_plan)s + k, 'bo_' || t.code || '_' || lower(c.cur),
                   t.name || ' ' || c.cur, '', c.cur, t.unit, 1, '2024-01-01', '2024-01-01', false
            FROM (VALUES (0, 'USD'), (1, 'EUR')) AS c(ci, cur)
            CROSS JOIN (VALUES (1, 'starter', 'Starter', 'month'), (2, 'pro', 'Pro', 'month'),
                               (3, 'business', 'Business', 'year')) AS t(ti, code, name, unit)
            CROSS JOIN LATERAL (SELECT c.ci * 3 + t.ti AS k) AS kk
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO catalog_planversion (id, plan_id, number, status, effective_from,
                fixed_fee, fee_timing, trial_days, note, created_at, updated_at, published_at)
            SELECT %(b_catalog_planversion)s + k, %(b_catalog_plan)s + k, 1, 'published',
                   '2024-01-01', (ARRAY[29, 99, 2400])[(k - 1) %% 3 + 1], 'advance', 0, 'bench',
                   '2024-01-01', '2024-01-01', '2024-01-01'
            FROM generate_series(1, 6) AS k
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO catalog_billablemetric (id, code, name, description, aggregation,
                field_name, filters, created_at, updated_at, allow_negative)
            VALUES (%(b_catalog_billablemetric)s + 1, 'bo_api_calls', 'API calls', '', 'count',
                    '', '[]', '2024-01-01', '2024-01-01', false),
                   (%(b_catalog_billablemetric)s + 2, 'bo_tokens', 'Tokens', '', 'sum',
                    'tokens', '[]', '2024-01-01', '2024-01-01', false)
            """,
            p,
        )
        # ---------------------------------------------------------------- customers
        conn.execute(
            """
            INSERT INTO billing_customer (id, external_id, name, email, currency, timezone,
                locale, address_line1, address_line2, city, postal_code, state, country,
                payment_terms_days, invoice_grace_period_days, metadata, created_at, updated_at,
                entitlements_blocked, entitlements_blocked_reason, balance, tax_exempt, tax_id,
                auto_collection, plan_changes_refused, plan_changes_refused_reason,
                dunning_blocking, dunning_blocking_reason)
            SELECT %(b_billing_customer)s + i, 'bo-c' || i,
                   (ARRAY['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli',
                          'Vandelay', 'Soylent', 'Tyrell'])[i %% 10 + 1] || ' ' || i,
                   'billing' || i || '@example.com',
                   CASE WHEN i %% 5 = 0 THEN 'EUR' ELSE 'USD' END, 'UTC', 'en', '', '', '', '',
                   '', CASE WHEN i %% 5 = 0 THEN 'DE' ELSE 'US' END, 30, 0, '{}',
                   %(as_of)s - interval '600 days', %(as_of)s - interval '600 days',
                   false, '', 0, false, '', true, false, '', false, ''
            FROM generate_series(1, %(n)s) AS i
            """,
            p,
        )
        # ------------------------------------------------------------- subscriptions
        # one row per customer with its story's instants, then the subscriptions from it
        conn.execute(
            """
            CREATE TEMP TABLE bo_story ON COMMIT DROP AS
            SELECT i, k0, q0, start_at,
                   CASE WHEN i %% 7 = 0 THEN start_at + interval '14 days' END AS trial_end,
                   CASE WHEN i %% 4 = 1 AND start_at + interval '45 days' < %(as_of)s
                        THEN start_at + interval '45 days'
                        WHEN i %% 4 = 2 AND q0 > 1 AND start_at + interval '75 days' < %(as_of)s
                        THEN start_at + interval '75 days' END AS change_at,
                   CASE WHEN i %% 11 = 0 AND start_at + make_interval(days => 120 + i %% 90)
                        < %(as_of)s THEN start_at + make_interval(days => 120 + i %% 90)
                        END AS churn_at
            FROM (SELECT i, i %% 3 AS k0, 1 + i %% 4 AS q0,
                         date_trunc('hour', %(as_of)s - interval '540 days'
                                    + make_interval(days => (i * 37) %% 510, hours => i %% 24))
                             AS start_at
                  FROM generate_series(1, %(n)s) AS i) AS s
            """,
            p,
        )
        conn.execute(
            """
            CREATE TEMP TABLE bo_sub ON COMMIT DROP AS
            SELECT st.i, %(b_billing_subscription)s + st.i AS id, st.start_at, st.trial_end,
                   st.churn_at, st.change_at, st.q0, st.k0,
                   CASE WHEN st.change_at IS NOT NULL AND st.i %% 4 = 1 AND st.k0 < 2
                        THEN st.k0 + 1 ELSE st.k0 END AS k1,
                   CASE WHEN st.change_at IS NULL THEN st.q0
                        WHEN st.i %% 4 = 1 AND st.k0 = 2 THEN st.q0 + 1
                        WHEN st.i %% 4 = 2 THEN st.q0 - 1 ELSE st.q0 END AS q1,
                   st.churn_at IS NULL AND st.i %% 29 = 0
                       AND %(as_of)s - interval '20 days' > coalesce(st.trial_end, st.start_at)
                       AND %(as_of)s - interval '20 days' > coalesce(st.change_at, st.start_at)
                       AS paused
            FROM bo_story AS st
            UNION ALL
            SELECT st.i, %(b_billing_subscription)s + %(n)s + st.i / 22, st.churn_at
                   + interval '45 days', NULL, NULL, NULL, 1, 1, 1, 1, false
            FROM bo_story AS st
            WHERE st.i %% 22 = 0 AND st.churn_at + interval '45 days' < %(as_of)s
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO billing_subscription (id, customer_id, plan_id, plan_version_id,
                quantity, status, start_at, billing_anchor, trial_end, current_period_start,
                current_period_end, current_period_index, fee_since, cancel_at_period_end,
                canceled_at, ended_at, paused_at, trial_will_end_sent, metadata, created_at,
                updated_at, dunning_blocked, dunning_block_reason)
            SELECT s.id, %(b_billing_customer)s + s.i, pk.plan, pk.plan - %(b_catalog_plan)s
                       + %(b_catalog_planversion)s, s.q1,
                   CASE WHEN s.churn_at IS NOT NULL THEN 'canceled' WHEN s.paused THEN 'paused'
                        WHEN s.trial_end > %(as_of)s THEN 'trialing' ELSE 'active' END,
                   s.start_at, s.start_at::date, s.trial_end,
                   pe.period_end - pe.step, pe.period_end, pe.idx, pe.period_end - pe.step,
                   false, s.churn_at, s.churn_at,
                   CASE WHEN s.paused THEN %(as_of)s - interval '20 days' END, false, '{}',
                   s.start_at, %(as_of)s, false, ''
            FROM bo_sub AS s
            CROSS JOIN LATERAL (SELECT %(b_catalog_plan)s
                + CASE WHEN s.i %% 5 = 0 THEN 3 ELSE 0 END + s.k1 + 1 AS plan) AS pk
            CROSS JOIN LATERAL (
                SELECT CASE WHEN s.k1 = 2 THEN interval '1 year' ELSE interval '1 month' END
                    AS step,
                       CASE WHEN s.k1 = 2 THEN extract(year FROM age(coalesce(s.churn_at,
                            %(as_of)s), s.start_at))::int + 1
                            ELSE (extract(year FROM age(coalesce(s.churn_at, %(as_of)s),
                                  s.start_at)) * 12 + extract(month FROM age(coalesce(
                                  s.churn_at, %(as_of)s), s.start_at)))::int + 1 END AS idx
            ) AS n
            CROSS JOIN LATERAL (SELECT n.step, n.idx, s.start_at + n.step * n.idx AS period_end)
                AS pe
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO billing_subscriptionchange (id, subscription_id, kind, status,
                from_plan_version_id, new_plan_id, applied_plan_version_id, from_quantity,
                new_quantity, effective_at, prorate, reason, requested_by, created_at,
                applied_at)
            SELECT %(b_billing_subscriptionchange)s + s.i, s.id,
                   CASE WHEN s.k1 <> s.k0 THEN 'plan' ELSE 'quantity' END, 'applied',
                   v0.v, CASE WHEN s.k1 <> s.k0 THEN v1.v - %(b_catalog_planversion)s
                                                     + %(b_catalog_plan)s END,
                   v1.v, s.q0, CASE WHEN s.q1 <> s.q0 THEN s.q1 END, s.change_at, true,
                   'bench', 'bench', s.change_at, s.change_at
            FROM bo_sub AS s
            CROSS JOIN LATERAL (SELECT %(b_catalog_planversion)s
                + CASE WHEN s.i %% 5 = 0 THEN 3 ELSE 0 END + s.k0 + 1 AS v) AS v0
            CROSS JOIN LATERAL (SELECT %(b_catalog_planversion)s
                + CASE WHEN s.i %% 5 = 0 THEN 3 ELSE 0 END + s.k1 + 1 AS v) AS v1
            WHERE s.change_at IS NOT NULL
            """,
            p,
        )
        # price moves at renewals: USD starter gets a version 2 (35.00) from 2026-06-01; a
        # third of its monthly subscriptions live then roll onto it at their first period
        # start from that day (after any change of theirs), as the clock's roll records them
        for statement in (
            """
            UPDATE catalog_planversion SET effective_until = '2026-06-01'
            WHERE id = %(b_catalog_planversion)s + 1
            """,
            """
            INSERT INTO catalog_planversion (id, plan_id, number, status, effective_from,
            fixed_fee, fee_timing, trial_days, note, created_at, updated_at, published_at)
            VALUES (%(b_catalog_planversion)s + 7, %(b_catalog_plan)s + 1, 2, 'published',
            '2026-06-01', 35, 'advance', 0, 'bench', '2026-05-01', '2026-05-01',
            '2026-05-01')
            """,
            """
            CREATE TEMP TABLE bo_move ON COMMIT DROP AS
            SELECT s.id, m.at FROM bo_sub AS s
            CROSS JOIN LATERAL (
            SELECT min(s.start_at + make_interval(months => k)) AS at
            FROM generate_series(1, 40) AS k
            WHERE s.start_at + make_interval(months => k) >= '2026-06-01'
            ) AS m
            WHERE s.i %% 5 <> 0 AND s.k1 = 0 AND s.i %% 3 = 0 AND m.at < %(as_of)s
            AND (s.churn_at IS NULL OR s.churn_at > m.at)
            AND (s.change_at IS NULL OR s.change_at < m.at)
            AND (s.trial_end IS NULL OR s.trial_end < m.at)
            """,
            """
            INSERT INTO billing_subscriptionpricemove (id, subscription_id, from_plan_version_id,
            to_plan_version_id, effective_at, created_at)
            SELECT %(b_billing_subscriptionpricemove)s + row_number() OVER (ORDER BY mv.id),
            mv.id, %(b_catalog_planversion)s + 1, %(b_catalog_planversion)s + 7, mv.at,
            mv.at
            FROM bo_move AS mv
            """,
            """
            UPDATE billing_subscription AS s SET plan_version_id = %(b_catalog_planversion)s + 7
            FROM bo_move AS mv WHERE mv.id = s.id
            """,
        ):
            conn.execute(statement, p)
        conn.execute(
            """
            INSERT INTO billing_subscriptionpause (id, subscription_id, paused_at)
            SELECT %(b_billing_subscriptionpause)s + row_number() OVER (ORDER BY s.id), s.id,
                   %(as_of)s - interval '20 days'
            FROM bo_sub AS s WHERE s.paused
            """,
            p,
        )
        # ---------------------------------------------------------------- invoices
        conn.execute(
            """
            CREATE TEMP TABLE bo_inv ON COMMIT DROP AS
            SELECT n, %(b_invoicing_invoice)s + n AS id, i, n %% 100 AS r,
                   CASE WHEN i %% 5 = 0 THEN 'EUR' ELSE 'USD' END AS currency,
                   fin, (19 + (i %% 7) * 10 + n %% 13)::numeric + (n %% 100) / 100.0 AS total,
                   (n %% 13)::numeric + (n %% 100) / 100.0 AS usage
            FROM (SELECT n, (n - 1) %% %(n)s + 1 AS i,
                         date_trunc('month', %(as_of)s) - make_interval(months => 12
                             - (((n - 1) / %(n)s + (n - 1) %% %(n)s) %% 12))
                             + make_interval(days => ((n - 1) %% %(n)s) %% 27,
                                             hours => n %% 24) AS fin
                  FROM generate_series(1, %(inv)s) AS n) AS g
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO invoicing_invoice (id, customer_id, kind, currency, status, number,
                billing_date, grace_until, subtotal, tax_total, total, credit_applied, amount_due,
                customer_snapshot, company_snapshot, created_at, updated_at, finalized_at, due_at,
                paid_at, voided_at, pdf, pdf_sha256)
            SELECT v.id, %(b_billing_customer)s + v.i, 'billing', v.currency,
                   st.status, 'BO-' || lpad(v.n::text, 7, '0'), v.fin, v.fin, v.total, 0,
                   v.total, 0,
                   CASE st.status WHEN 'partially_paid' THEN v.total - 10
                        WHEN 'open' THEN v.total WHEN 'uncollectible' THEN v.total ELSE 0 END
                       - CASE WHEN v.n %% 250 = 7 AND st.status <> 'paid' THEN 10 ELSE 0 END,
                   '{}', '{}', v.fin, v.fin, v.fin, v.fin + interval '30 days',
                   CASE WHEN st.status = 'paid' THEN v.fin + interval '2 days' END,
                   CASE WHEN st.status = 'void' THEN v.fin + interval '1 day' END, '', ''
            FROM bo_inv AS v
            CROSS JOIN LATERAL (SELECT CASE WHEN v.r BETWEEN 85 AND 91 THEN 'open'
                                            WHEN v.r BETWEEN 92 AND 94 THEN 'partially_paid'
                                            WHEN v.r = 95 THEN 'void'
                                            WHEN v.r = 96 THEN 'uncollectible'
                                            ELSE 'paid' END AS status) AS st
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO invoicing_invoiceline (id, invoice_id, kind, description, quantity,
                unit_amount, amount, period_start, period_end, metric_code, explanation,
                position, tax_amount, tax_inclusive, tax_percentage)
            SELECT %(b_invoicing_invoiceline)s + 2 * v.n - 1, v.id, 'fixed_fee', 'Fixed fee', 1,
                   v.total - v.usage, v.total - v.usage, v.fin - interval '1 month', v.fin, '',
                   '{}'::jsonb, 0, 0, false, 0
            FROM bo_inv AS v
            UNION ALL
            SELECT %(b_invoicing_invoiceline)s + 2 * v.n, v.id, 'usage', 'API calls',
                   v.usage * 100, 0.01, v.usage, v.fin - interval '1 month', v.fin,
                   'bo_api_calls', '{}'::jsonb, 1, 0, false, 0
            FROM bo_inv AS v
            """,
            p,
        )
        # payments: attempt 1 failed on open invoices and on 5% of the paid (n %% 100 < 5);
        # the succeeded payment (attempt 2 after a failure) pays the paid and partly paid
        conn.execute(
            """
            INSERT INTO payments_payment (id, customer_id, kind, state, currency, amount,
                gateway, gateway_reference, idempotency_key, invoice_id, attempt, applied,
                unapplied, to_balance, refunded, failure_code, failure_message, retryable,
                received_at, memo, created_by, created_at, updated_at)
            SELECT %(b_payments_payment)s + v.n, %(b_billing_customer)s + v.i, 'automatic',
                   'succeeded', v.currency, pay.amount, 'sandbox', 'bo-ref-' || v.n,
                   'bo-pay-' || v.n, v.id, CASE WHEN v.r < 5 THEN 2 ELSE 1 END, pay.amount, 0, 0,
                   CASE WHEN v.n %% 200 = 1 THEN 5 ELSE 0 END, '', '', false,
                   v.fin + interval '2 days', '', 'bench', v.fin + interval '2 days',
                   v.fin + interval '2 days'
            FROM bo_inv AS v
            CROSS JOIN LATERAL (SELECT CASE WHEN v.r BETWEEN 92 AND 94 THEN 10::numeric
                WHEN v.n %% 250 = 7 THEN v.total - 10 ELSE v.total END AS amount) AS pay
            WHERE v.r < 85 OR v.r BETWEEN 92 AND 94 OR v.r >= 97
            UNION ALL
            SELECT %(b_payments_payment)s + %(inv)s + v.n, %(b_billing_customer)s + v.i,
                   'automatic', 'failed', v.currency, v.total, 'sandbox', '', 'bo-fail-' || v.n,
                   v.id, 1, 0, 0, 0, 0, 'card_declined', 'The card was declined.', true, NULL,
                   '', 'bench', v.fin + interval '1 day', v.fin + interval '1 day'
            FROM bo_inv AS v
            WHERE v.r < 5 OR v.r BETWEEN 85 AND 91
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO payments_allocation (id, payment_id, invoice_id, amount, created_at,
                created_by, unapplied_by, unapply_reason)
            SELECT %(b_payments_allocation)s + (pm.id - %(b_payments_payment)s), pm.id,
                   pm.invoice_id, pm.amount, pm.created_at, 'bench', '', ''
            FROM payments_payment AS pm
            WHERE pm.id > %(b_payments_payment)s AND pm.id <= %(b_payments_payment)s + %(inv)s
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO payments_refund (id, payment_id, amount, currency, source, state, reason,
                idempotency_key, gateway_reference, failure_code, failure_message,
                refund_requested_at, settled_at, created_by, created_at, updated_at)
            SELECT %(b_payments_refund)s + row_number() OVER (ORDER BY pm.id), pm.id, 5,
                   pm.currency, 'unapplied', 'succeeded', 'goodwill', 'bo-refund-' || pm.id,
                   'bo-rf-' || pm.id, '', '', pm.created_at + interval '5 days',
                   pm.created_at + interval '5 days', 'bench', pm.created_at + interval '5 days',
                   pm.created_at + interval '5 days'
            FROM payments_payment AS pm
            WHERE pm.id > %(b_payments_payment)s AND pm.id <= %(b_payments_payment)s + %(inv)s
              AND pm.refunded > 0
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO invoicing_creditnote (id, invoice_id, number, currency, total, tax_total,
                to_balance, reason, issued_at, issued_by)
            SELECT %(b_invoicing_creditnote)s + row_number() OVER (ORDER BY v.n), v.id,
                   'BOCN-' || lpad(v.n::text, 7, '0'), v.currency, 10, 0, 0, 'goodwill',
                   v.fin + interval '1 day', 'bench'
            FROM bo_inv AS v WHERE v.n %% 250 = 7
            """,
            p,
        )
        # ----------------------------------------------------------------- dunning
        conn.execute(
            """
            INSERT INTO payments_dunningpolicy (id, name, description, is_default, created_at,
                updated_at)
            VALUES (%(b_payments_dunningpolicy)s + 1, 'backoffice bench', '', false,
                    '2024-01-01', '2024-01-01')
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO payments_dunningstate (id, policy_id, position, code, name,
                amount_currency, email_template, block_entitlements, refuse_plan_changes,
                subscription_action, subscription_action_when, mark_uncollectible,
                publish_event, min_days_past_due)
            SELECT %(b_payments_dunningstate)s + k, %(b_payments_dunningpolicy)s + 1, k,
                   (ARRAY['reminder', 'warning', 'suspended'])[k],
                   (ARRAY['Reminder', 'Warning', 'Suspended'])[k], '', '', k = 3, k >= 2,
                   'none', 'immediately', false, true, (ARRAY[1, 15, 45])[k]
            FROM generate_series(1, 3) AS k
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO payments_customerdunning (id, customer_id, policy_id, state_id,
                entered_at, evaluated_at, transitions_count, updated_at)
            SELECT %(b_payments_customerdunning)s + row_number() OVER (ORDER BY o.i),
                   %(b_billing_customer)s + o.i, %(b_payments_dunningpolicy)s + 1,
                   %(b_payments_dunningstate)s + o.i %% 3 + 1, %(as_of)s - interval '5 days',
                   %(as_of)s, o.i %% 3 + 1, %(as_of)s
            FROM (SELECT DISTINCT v.i FROM bo_inv AS v
                  WHERE (v.r BETWEEN 85 AND 94 OR v.r = 96)
                    AND v.fin + interval '30 days' < %(as_of)s) AS o
            """,
            p,
        )
        # ----------------------------------------------------------------- usage
        conn.execute(
            """
            INSERT INTO billing_usageevent (id, customer_id, metric_id, event_id, event_time,
                received_at, value, properties, late)
            SELECT e, %(b_billing_customer)s + (e - 1) %% %(n)s + 1,
                   %(b_catalog_billablemetric)s + 1 + e %% 2, 'bo-e' || e, t.at, t.at,
                   CASE WHEN e %% 2 = 1 THEN (e %% 50)::numeric END,
                   CASE WHEN e %% 2 = 1 THEN jsonb_build_object('tokens', e %% 50)
                        ELSE '{}'::jsonb END, false
            FROM generate_series(1, %(ev)s) AS e
            CROSS JOIN LATERAL (SELECT date_trunc('month', %(as_of)s) - interval '12 months'
                + make_interval(secs => ((e::bigint * 7919) %% (365 * 86400))::double precision)
                AS at) AS t
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO billing_usageeventkey (customer_id, event_id)
            SELECT %(b_billing_customer)s + (e - 1) %% %(n)s + 1, 'bo-e' || e
            FROM generate_series(1, %(ev)s) AS e
            """,
            p,
        )
        for table in (*TABLES, "billing_usageevent"):
            top = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 (our names)
            conn.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])
        counts = {
            t: _count(conn, t)
            for t in ("billing_subscription", "invoicing_invoice", "payments_payment")
        }
    analyzed = (
        "invoicing_invoice", "invoicing_invoiceline", "payments_payment",
        "billing_subscription", "billing_subscriptionchange", "billing_subscriptionpricemove",
        "billing_usageevent",
    )  # fmt: skip
    for table in analyzed:
        with connect(url) as conn:
            conn.execute(f"ANALYZE {table}")
    return Seeded(
        as_of=as_of,
        customers=customers,
        subscriptions=counts["billing_subscription"],
        invoices=counts["invoicing_invoice"],
        payments=counts["payments_payment"],
        usage_events=usage_events,
        seconds=time.perf_counter() - begin,
    )
