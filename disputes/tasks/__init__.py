"""The disputes app's periodic work. Celery's autodiscovery imports `disputes.tasks`; the tasks
live by topic (`cases`: supervision, `mediation`: follow-up reminders) and are named here so
that the worker registers them."""

from disputes.tasks.cases import supervise_overdue_cases
from disputes.tasks.mediation import remind_follow_ups

__all__ = ["remind_follow_ups", "supervise_overdue_cases"]
