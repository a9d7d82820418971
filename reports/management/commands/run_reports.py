"""python manage.py run_reports --period 2026-10|2026Q3|2026H1|2026 [--node CODE] [--json] [--reason TEXT]

Computes (or recomputes) one period by hand, as the system (like beat): new snapshots are
written, drafts refreshed, confirmed or published snapshots restated when their figures changed.
--json prints the node's snapshot (the city when --node is not given and there is one city):
{"node": …, "period": …, "kpis": {…}} with the KPI codes of reports.kpis."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from governance.actions import validation_message
from governance.models import Region
from reports.actions import do_run_cycle
from reports.kpis import DEFINITION_VERSION
from reports.models import Snapshot
from reports.periods import parse


class Command(BaseCommand):
    help = "计算（或重新计算）一个报告期的报告快照。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="2026-10、2026Q3、2026H1 或 2026")
        parser.add_argument("--node", default="", help="只计算该区划及其下级（编码）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出该区划的快照")
        parser.add_argument("--reason", default="", help="数据更正的原因（已确认或已发布的快照数值有变化时记录）")

    def handle(self, *args, **options) -> None:
        node = options["node"].strip()
        try:
            period = parse(options["period"])
            counts = do_run_cycle(actor=None, period=period, root=node, reason=options["reason"])
        except ValidationError as e:
            raise CommandError(validation_message(e)) from None
        if not options["json"]:
            self.stdout.write(
                f"{period.code}: 新建 {counts['created']}，刷新 {counts['refreshed']}，"
                f"更正 {counts['restated']}，未变 {counts['unchanged']}"
            )
            return
        if not node:
            tops = list(Region.objects.filter(parent__isnull=True).values_list("code", flat=True)[:2])
            if len(tops) != 1:
                raise CommandError("有多个顶级区划，请用 --node 指定要输出的区划。")
            node = tops[0]
        snap = Snapshot.objects.get(node_id=node, period=period.code, definition_version=DEFINITION_VERSION)
        out = {
            "node": node,
            "period": period.code,
            "status": snap.status,
            "definition_version": snap.definition_version,
            "computed_at": snap.computed_at.isoformat(),
            "restated_at": snap.restated_at.isoformat() if snap.restated_at else None,
            "kpis": snap.current,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
