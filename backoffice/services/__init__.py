"""The back office's writes: each service is one durable transaction with its audit context
and journal event (billing's journal)."""
