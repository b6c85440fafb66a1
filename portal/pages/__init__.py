"""The reading pages' reads (overview, invoices, usage, billing details) and how they write what
they show (display.py)."""
