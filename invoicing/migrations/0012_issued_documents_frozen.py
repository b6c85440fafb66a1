"""Issued documents are frozen in the database itself (issue 10): whatever writes to it (the
admin, a script, a bug), an issued invoice's amounts, number, dates and snapshots, the lines of
an issued invoice, and credit notes with their lines cannot be changed or deleted. What may
still move on an issued invoice is its state: status, amount due, paid and void dates, PDF."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION invoicing_invoice_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoice % is issued: it cannot be deleted', OLD.number
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.customer_id, NEW.kind, NEW.currency, NEW.number, NEW.billing_date, NEW.subtotal,
        NEW.tax_total, NEW.total, NEW.credit_applied, NEW.customer_snapshot,
        NEW.company_snapshot, NEW.finalized_at, NEW.due_at, NEW.corrects_id, NEW.created_at
    ) IS DISTINCT FROM (
        OLD.customer_id, OLD.kind, OLD.currency, OLD.number, OLD.billing_date, OLD.subtotal,
        OLD.tax_total, OLD.total, OLD.credit_applied, OLD.customer_snapshot,
        OLD.company_snapshot, OLD.finalized_at, OLD.due_at, OLD.corrects_id, OLD.created_at
    ) THEN
        RAISE EXCEPTION 'invoice % is issued: its amounts, number, dates and snapshots cannot change',
            OLD.number USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoicing_invoice_frozen BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_frozen();

CREATE FUNCTION invoicing_invoiceline_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    issued varchar;
BEGIN
    SELECT number INTO issued FROM invoicing_invoice
    WHERE id IN (OLD.invoice_id, NEW.invoice_id) AND status <> 'draft' LIMIT 1;
    IF issued IS NOT NULL THEN
        RAISE EXCEPTION 'invoice % is issued: its lines cannot change', issued
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoicing_invoiceline_frozen BEFORE UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoiceline_frozen();

CREATE FUNCTION invoicing_creditnote_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'credit note % is issued: it cannot be deleted', OLD.number
            USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.invoice_id, NEW.number, NEW.currency, NEW.total, NEW.tax_total, NEW.to_balance,
        NEW.reason, NEW.issued_at, NEW.issued_by)
       IS DISTINCT FROM
       (OLD.invoice_id, OLD.number, OLD.currency, OLD.total, OLD.tax_total, OLD.to_balance,
        OLD.reason, OLD.issued_at, OLD.issued_by) THEN
        RAISE EXCEPTION 'credit note % is issued: it cannot change', OLD.number
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER invoicing_creditnote_frozen BEFORE UPDATE OR DELETE ON invoicing_creditnote
    FOR EACH ROW EXECUTE FUNCTION invoicing_creditnote_frozen();

CREATE FUNCTION invoicing_creditnoteline_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the lines of an issued credit note cannot change'
        USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER invoicing_creditnoteline_frozen BEFORE UPDATE OR DELETE ON invoicing_creditnoteline
    FOR EACH ROW EXECUTE FUNCTION invoicing_creditnoteline_frozen();
"""

BACKWARD = """
DROP TRIGGER invoicing_creditnoteline_frozen ON invoicing_creditnoteline;
DROP FUNCTION invoicing_creditnoteline_frozen();
DROP TRIGGER invoicing_creditnote_frozen ON invoicing_creditnote;
DROP FUNCTION invoicing_creditnote_frozen();
DROP TRIGGER invoicing_invoiceline_frozen ON invoicing_invoiceline;
DROP FUNCTION invoicing_invoiceline_frozen();
DROP TRIGGER invoicing_invoice_frozen ON invoicing_invoice;
DROP FUNCTION invoicing_invoice_frozen();
"""


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0011_credit_notes_reduce_amount_due")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
