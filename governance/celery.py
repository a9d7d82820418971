import os

from celery import Celery
from celery.signals import task_failure, task_postrun, task_prerun, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

app = Celery("gridgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The runs of the periodic jobs, for the system page. The handlers import governance.jobs when a
# task runs, not here: this module is loaded before Django's apps (and models) are ready.
@task_prerun.connect
def _periodic_job_started(sender=None, **kwargs) -> None:
    from governance.jobs import job_started

    job_started(sender.name)


@task_postrun.connect
def _periodic_job_finished(sender=None, state=None, task_id=None, **kwargs) -> None:
    from governance.jobs import job_finished
    from governance.outbox import task_ran

    if state == "SUCCESS":
        job_finished(sender.name, succeeded=True)
    task_ran(task_id)  # a task sent from the outbox has run: its row goes (governance.outbox)


@task_failure.connect
def _periodic_job_failed(sender=None, exception=None, **kwargs) -> None:
    from governance.jobs import job_finished

    job_finished(sender.name, succeeded=False, error=type(exception).__name__)


@worker_ready.connect
def _first_heartbeat(sender=None, **kwargs) -> None:
    """A heartbeat as soon as the worker is up, so the system page shows it at once (not after up
    to five minutes); and the outbox relayed."""
    sender.app.send_task("governance.tasks.heartbeat")
    # Tasks written to the outbox while the broker was down (governance.outbox) go out now.
    sender.app.send_task("governance.tasks.relay_outbox")
