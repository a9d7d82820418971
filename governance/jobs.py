"""The periodic jobs (Celery beat): which ran when, and which is late.

The worker records the start and end of every run of a task that is in CELERY_BEAT_SCHEDULE
(signals connected in governance.celery); `periodic_jobs` reads the schedule beside those records
for the system page, and `background_stopped` tells every page an admin sees when the worker's
heartbeat is older than it should be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import PeriodicJob, WorkerHeartbeat

# The heartbeat runs every 5 minutes: three missed beats mean background work has stopped.
HEARTBEAT_STALE_AFTER = timedelta(minutes=15)
# A job is late when its last run is older than its schedule's previous slot plus this grace.
LATE_GRACE = timedelta(minutes=15)
STOPPED_CACHE_KEY = "gridgov:background-stopped"
# What each beat entry does, for the people reading the system page (keys of CELERY_BEAT_SCHEDULE).
JOB_LABELS = {
    "worker-heartbeat": _("后台心跳"),
    "task-outbox-relay": _("发送 Redis 停机期间排队的后台任务"),
    "case-supervision": _("事件超期督办（黄牌、红牌、升级）"),
    "dispute-follow-up-reminders": _("纠纷回访提醒"),
    "case-export-retention": _("清理过期的事件导出文件"),
    "roster-upload-retention": _("清理过期的名册上传文件"),
    "reports-monthly": _("月度报告"),
    "reports-quarterly": _("季度报告与通报"),
    "reports-half-year": _("半年报告"),
    "reports-yearly": _("年度总结与考评"),
    "reports-catch-up": _("补算停机期间漏掉的报告期"),
    "case-summaries-reconcile": _("核对事件汇总与原始数据（有偏差则重建并标红）"),
    "register-tallies": _("统计驾驶舱的台账总数（人口、房屋、单位、党建）"),
    "audit-retention": _("归档超过保存期限的操作记录"),
}


def scheduled_task_names() -> set[str]:
    return {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def job_started(name: str) -> None:
    if name in scheduled_task_names():
        PeriodicJob.objects.update_or_create(name=name, defaults={"last_started_at": timezone.now()})


def job_finished(name: str, *, succeeded: bool, error: str = "") -> None:
    if name in scheduled_task_names():
        PeriodicJob.objects.update_or_create(name=name, defaults={
            "last_finished_at": timezone.now(), "last_succeeded": succeeded, "last_error": error[:200],
        })


@dataclass
class JobStatus:
    key: str  # the beat entry's name
    label: str
    task: str
    schedule: str  # e.g. "<crontab: 0 2 1 * * (m/h/dM/MY/d)>"
    job: PeriodicJob | None
    previous_slot: datetime | None  # the last slot at least LATE_GRACE ago: by then it should have run
    late: bool


def _previous_slot(schedule, now: datetime) -> datetime | None:
    """The last moment before `now` at which `schedule` (a crontab) was due."""
    probe = getattr(schedule, "remaining_delta", None)
    if probe is None:
        return None
    # remaining_delta(last_run_at) gives the next run after last_run_at: walk back from now until
    # that next run is not in the future (a crontab's slots are at most a year apart).
    for back in (timedelta(minutes=10), timedelta(hours=1), timedelta(days=1), timedelta(days=32),
                 timedelta(days=93), timedelta(days=184), timedelta(days=367)):
        start = now - back
        last_run, delta, _ = probe(start)
        slot = last_run + delta
        if slot <= now:
            while True:  # the latest slot not after now
                last_run, delta, _ = probe(slot)
                following = last_run + delta
                if following > now or following <= slot:
                    return slot
                slot = following
    return None


def periodic_jobs(now: datetime | None = None) -> list[JobStatus]:
    """Each beat entry with its last run. Late: the last slot at least LATE_GRACE ago passed without a
    run starting near it; a job that never ran counts as late only once the worker has been up (its
    first heartbeat) since that slot, so a fresh install is not all red."""
    now = timezone.localtime(now or timezone.now())
    jobs = {j.name: j for j in PeriodicJob.objects.all()}
    first_beat = WorkerHeartbeat.objects.order_by("at").values_list("at", flat=True).first()
    rows = []
    for key, entry in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
        job = jobs.get(entry["task"])
        slot = _previous_slot(entry["schedule"], now - LATE_GRACE)
        ran = job.last_started_at if job else None
        if slot is None:
            late = False
        elif ran is None:
            late = first_beat is not None and first_beat < slot
        else:
            late = ran < slot - timedelta(minutes=1)  # beat may start a run a little early
        rows.append(JobStatus(key=key, label=str(JOB_LABELS.get(key, key)), task=entry["task"], schedule=str(entry["schedule"]), job=job,
                              previous_slot=slot, late=late))
    return rows


def background_stopped() -> bool:
    """Whether the worker's heartbeat is missing or stale (cached for a minute: every page asks)."""
    stopped = cache.get(STOPPED_CACHE_KEY)
    if stopped is None:
        last = WorkerHeartbeat.objects.values_list("at", flat=True).first()
        stopped = last is None or timezone.now() - last > HEARTBEAT_STALE_AFTER
        cache.set(STOPPED_CACHE_KEY, stopped, 60)
    return stopped
