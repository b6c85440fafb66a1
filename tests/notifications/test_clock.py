"""The clock's e-mails: trial ending (billing's `subscription.trial_will_end`) and upcoming
renewal (this app's clock hook), each once, with time passed explicitly."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from billing.models import Subscription
from billing.services import subscription_advance, subscription_cancel, subscription_create
from invoicing.clock_hooks import run_tick_hooks, tick_hooks
from notifications.models import Notification
from notifications.services import RENEWAL_HOOK, renewal_key, renewals_due
from tests.billing.subs import customer, priced_plan, utc
from tests.conftest import TEST_ACTOR as ACTOR
from tests.notifications.helpers import deliver, of, send, subject_of, text_of
from tests.notifications.smtp import Mailbox

pytestmark = pytest.mark.django_db


def subscribe(who: Any, plan: Any, at: datetime) -> Subscription:
    return subscription_create(customer_id=who.pk, plan_id=plan.pk, actor=ACTOR, as_of=at)


def advance(sub: Subscription, at: datetime) -> Subscription:
    return subscription_advance(subscription_id=sub.pk, as_of=at, actor=ACTOR)


def test_trial_ending_is_sent_once(smtp_server: Mailbox) -> None:
    who = customer(name="Acme Inc")
    sub = subscribe(who, priced_plan("pro", "50", trial_days=14), utc(2026, 1, 10, 9))
    assert sub.trial_end == utc(2026, 1, 24)
    advance(sub, utc(2026, 1, 20, 23))  # more than 3 days before: no notice yet
    deliver(utc(2026, 1, 20, 23))
    assert of(who) == []
    advance(sub, utc(2026, 1, 21, 1))
    advance(sub, utc(2026, 1, 21, 2))  # the clock again: nothing more
    deliver(utc(2026, 1, 21, 1))
    deliver(utc(2026, 1, 21, 2))
    [mail] = smtp_server.messages
    assert subject_of(mail) == "Your trial of Pro ends on January 24, 2026"
    assert "Your paid subscription starts then." in text_of(mail)
    [n] = of(who, "trial_ending")
    assert n.state == "sent"


def test_german_trial_ending(smtp_server: Mailbox) -> None:
    who = customer(locale="de-AT", zone="Europe/Vienna", currency="EUR")
    sub = subscribe(who, priced_plan("pro", "50", currency="EUR", trial_days=14),
                    utc(2026, 1, 10, 9))  # fmt: skip
    advance(sub, utc(2026, 1, 21, 1))
    deliver(utc(2026, 1, 21, 1))
    [mail] = smtp_server.messages
    # the trial ends at midnight in Vienna: Jan 23, 23:00 UTC
    assert subject_of(mail) == "Ihre Testphase für Pro endet am 24. Jänner 2026"


def test_upcoming_renewal_of_a_yearly_plan_once_per_period(smtp_server: Mailbox) -> None:
    who = customer()
    sub = subscribe(who, priced_plan("annual", "1200", interval_unit="year"), utc(2026, 1, 10, 9))
    assert sub.current_period_end == utc(2027, 1, 10)
    assert RENEWAL_HOOK in dict(tick_hooks())
    assert renewals_due(utc(2027, 1, 2, 23, 59)) == {"renewal_notices": 0}  # 7 days + 1 min
    assert run_tick_hooks(utc(2027, 1, 3))[RENEWAL_HOOK] == {"renewal_notices": 1}
    assert renewals_due(utc(2027, 1, 3, 0, 5)) == {"renewal_notices": 0}  # the next tick
    assert renewals_due(utc(2027, 1, 9)) == {"renewal_notices": 0}
    [n] = of(who, "upcoming_renewal")
    assert n.key == renewal_key(sub.pk, utc(2027, 1, 10))
    assert (n.event, n.data["renews_at"]) == (None, "2027-01-10T00:00:00+00:00")
    assert send(utc(2027, 1, 3))["sent"] == 1
    [mail] = smtp_server.messages
    assert subject_of(mail) == "Your subscription to Annual renews on January 10, 2027"
    assert "cancel it before that date" in text_of(mail)
    # the next year's renewal gets its own notice
    advance(sub, utc(2027, 1, 10, 0, 5))
    assert renewals_due(utc(2028, 1, 3)) == {"renewal_notices": 1}
    assert Notification.objects.filter(template="upcoming_renewal").count() == 2


def test_no_renewal_notice_for_monthly_plans_by_default(settings: Any) -> None:
    who = customer()
    subscribe(who, priced_plan("monthly", "10"), utc(2026, 1, 10, 9))
    assert renewals_due(utc(2026, 2, 5)) == {"renewal_notices": 0}
    settings.NOTIFICATIONS_RENEWAL_INTERVALS = ["month", "year"]
    settings.NOTIFICATIONS_RENEWAL_NOTICE_DAYS = 3
    assert renewals_due(utc(2026, 2, 5)) == {"renewal_notices": 0}  # 5 days ahead
    assert renewals_due(utc(2026, 2, 7)) == {"renewal_notices": 1}


def test_no_renewal_notice_when_it_ends_at_the_period_end() -> None:
    who = customer()
    sub = subscribe(who, priced_plan("annual", "1200", interval_unit="year"), utc(2026, 1, 10, 9))
    subscription_cancel(subscription_id=sub.pk, at_period_end=True, actor=ACTOR,
                        as_of=utc(2026, 6, 1))  # fmt: skip
    assert renewals_due(utc(2027, 1, 5)) == {"renewal_notices": 0}


def test_renewal_notices_are_set_based(django_assert_max_num_queries: Any) -> None:
    plan = priced_plan("annual", "1200", interval_unit="year")
    for _ in range(5):
        subscribe(customer(), plan, utc(2026, 1, 10, 9))
    # the due subscriptions, the customers' addresses, the insert, the pending ids (and the
    # savepoint of the hook's transaction, inside the test's)
    with django_assert_max_num_queries(6):
        assert renewals_due(utc(2027, 1, 5)) == {"renewal_notices": 5}
    with django_assert_max_num_queries(1):
        assert renewals_due(utc(2027, 1, 5)) == {"renewal_notices": 0}


def test_the_command_sends_what_is_due(smtp_server: Mailbox) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    who = customer()
    subscribe(who, priced_plan("annual", "1200", interval_unit="year"), utc(2026, 1, 10, 9))
    renewals_due(utc(2027, 1, 5))
    out = StringIO()
    call_command("notifications_send", "--as-of", "2027-01-05T00:00:00+00:00", stdout=out)
    assert json.loads(out.getvalue())["sent"] == 1
    assert len(smtp_server.messages) == 1
    with pytest.raises(CommandError):
        call_command("notifications_send", "--as-of", "tomorrow")
