"""How the back office shows dates and instants in English: ISO-like and unambiguous, an instant
always with its time zone ("2026-02-01 00:05 UTC"), never a bare wall-clock time."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i T"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
