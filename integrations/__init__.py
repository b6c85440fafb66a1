"""Integration surface: signed webhooks and test clocks (the top layer: it reads every app's
journal events and drives the billing clock for test customers)."""
