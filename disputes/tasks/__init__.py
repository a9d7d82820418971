"""The disputes app's periodic work. Celery's autodiscovery imports `disputes.tasks`; the tasks
live by topic (`cases`: supervision, `exports`: big exports and their retention, `mediation`: follow-up reminders) and are named here so
that the worker registers them."""

from disputes.tasks.cases import supervise_overdue_cases
from disputes.tasks.exports import purge_expired_exports, write_case_export
from disputes.tasks.mediation import remind_follow_ups

__all__ = ["purge_expired_exports", "remind_follow_ups", "supervise_overdue_cases", "write_case_export"]
