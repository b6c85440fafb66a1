"""Admin of test clocks (billing.TestClock: its advance lives in integrations)."""
