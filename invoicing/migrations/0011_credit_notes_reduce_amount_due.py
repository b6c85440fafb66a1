"""Credit notes now reduce their invoice's amount due (issue 10): invoices credited before this
change get the amount due they would have had, and those left owing nothing are settled."""

from django.db import migrations

FORWARD = """
UPDATE invoicing_invoice AS i
SET amount_due = GREATEST(i.amount_due - c.settled, 0),
    status = CASE WHEN i.status = 'open' AND i.amount_due - c.settled <= 0 THEN 'paid'
                  ELSE i.status END,
    paid_at = CASE WHEN i.status = 'open' AND i.amount_due - c.settled <= 0 THEN c.last
                   ELSE i.paid_at END
FROM (
    SELECT invoice_id, SUM(total - to_balance) AS settled, MAX(issued_at) AS last
    FROM invoicing_creditnote GROUP BY invoice_id
) AS c
WHERE c.invoice_id = i.id AND i.status IN ('open', 'uncollectible') AND c.settled > 0
"""


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0010_closing_steps")]

    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
