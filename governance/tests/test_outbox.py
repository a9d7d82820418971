"""The outbox (governance.outbox): a task queued by a write is a row of the write's transaction, sent
once committed and kept until a worker ran it; a broker that refuses leaves it for the relay."""

from __future__ import annotations

from datetime import timedelta

from django.test import TestCase
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from governance import outbox
from governance.celery import app
from governance.models import OutboxTask
from governance.outbox import later, relay, task_ran


class FakeTask:
    name = "governance.tests.fake_task"

    def __init__(self, down: bool = False):
        self.down = down
        self.sent: list[tuple] = []

    def apply_async(self, args=(), kwargs=None, task_id=None, **options):
        if self.down:
            raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((tuple(args), task_id))


class OutboxTests(TestCase):
    def setUp(self) -> None:
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False  # a real broker's behaviour, whatever this run's settings
        self.addCleanup(setattr, app.conf, "task_always_eager", eager)
        self.task = FakeTask()
        self.addCleanup(app.tasks.pop, FakeTask.name, None)
        app.tasks[FakeTask.name] = self.task
        outbox._broker_down_until = 0.0
        self.addCleanup(setattr, outbox, "_broker_down_until", 0.0)

    def test_a_queued_task_is_sent_after_the_commit_and_its_row_kept_until_a_worker_ran_it(self):
        with self.captureOnCommitCallbacks(execute=True):
            row = later(self.task)(41)
            self.assertEqual(self.task.sent, [])
        self.assertEqual(self.task.sent, [((41,), f"outbox-{row.pk}")])
        row.refresh_from_db()
        self.assertIsNotNone(row.sent_at)
        task_ran(f"outbox-{row.pk}")
        self.assertFalse(OutboxTask.objects.exists())

    def test_a_task_the_broker_refused_stays_in_the_outbox_without_failing_the_write(self):
        self.task.down = True
        with self.captureOnCommitCallbacks(execute=True):
            row = later(self.task)(42)
        row.refresh_from_db()
        self.assertIsNone(row.sent_at)
        self.assertEqual(row.attempts, 1)
        self.assertIn("Connection refused", row.last_error)

    def test_after_a_refusal_the_next_writes_do_not_wait_on_the_broker_but_leave_their_task_to_the_relay(self):
        self.task.down = True
        with self.captureOnCommitCallbacks(execute=True):
            later(self.task)(1)
        self.task.down = False  # back, but this process does not know yet
        with self.captureOnCommitCallbacks(execute=True):
            row = later(self.task)(2)
        self.assertEqual(self.task.sent, [])
        self.assertEqual(OutboxTask.objects.get(pk=row.pk).attempts, 0)

    def test_the_relay_sends_what_was_left_unsent_once_the_broker_is_back_and_leaves_young_rows_to_their_writer(self):
        old = OutboxTask.objects.create(task=FakeTask.name, args=[1])
        young = OutboxTask.objects.create(task=FakeTask.name, args=[2])
        OutboxTask.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=1))
        self.task.down = True
        self.assertEqual(relay()["sent"], 0)  # still down: kept, tried again on the next run
        self.task.down = False
        outbox._broker_down_until = 0.0  # the next run, more than BROKER_RETRY_AFTER later
        self.assertEqual(relay(), {"sent": 1, "unsent": 1})
        self.assertEqual(self.task.sent, [((1,), f"outbox-{old.pk}")])
        self.assertIsNone(OutboxTask.objects.get(pk=young.pk).sent_at)

    def test_the_relay_sends_again_a_task_sent_long_ago_that_no_worker_ran(self):
        lost = OutboxTask.objects.create(task=FakeTask.name, args=[3], sent_at=timezone.now() - timedelta(hours=1))
        OutboxTask.objects.create(task=FakeTask.name, args=[4], sent_at=timezone.now())  # just sent: waits
        relay()
        self.assertEqual(self.task.sent, [((3,), f"outbox-{lost.pk}")])
