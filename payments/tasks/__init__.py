"""Payments' Celery tasks (thin wrappers around services), one module per role."""

from payments.tasks.collection import *  # noqa: F403
from payments.tasks.dunning import *  # noqa: F403
from payments.tasks.payouts import *  # noqa: F403
from payments.tasks.refunds import *  # noqa: F403
from payments.tasks.retries import *  # noqa: F403
from payments.tasks.wallets import *  # noqa: F403
