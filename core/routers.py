"""The database router (DATABASE_ROUTERS, config/settings.py): reads inside `core.db.on_replica()`
go to the read replica when DATABASE_REPLICA_URL configures one; every write, and every other
read, goes to the primary ("default"). Only the primary is migrated (a replica replays it; the
direct alias is the primary itself)."""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS

from core.db import read_alias


class PrimaryReplicaRouter:
    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database: the replica is a copy of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
