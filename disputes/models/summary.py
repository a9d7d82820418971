"""Case summaries (事件月度汇总): the rows the report cycles and the dashboards read instead of the cases.

One row per (month of filing, grid, category, kind, done month) holds what the cases filed in that
month, in that grid, category and kind, contributed to the case and dispute KPIs by the end of the
*done month*: the month (Asia/Shanghai) in which the counted fact became true. Filing facts (filed,
rejected, rework) sit in the filing month itself; a closure in the month of closure; a rating in the
later of the closure's and the rating's month; a settled dispute in the month of settlement. A
period of any length (month, quarter, half-year, year) is then one range scan:

    month in [period start, period end) and done_month < period end, GROUP BY the grid's code prefix

which gives "filed in the period, closed (rated, settled) by the period's end" exactly, because every
period is a union of whole Shanghai months. "By period, node, category and status": the done month
is the status dimension — where the filed cohort stood at each month's end.

Merged duplicates contribute nothing. The rows are kept by `disputes.summaries` in the same
transaction as each transition, and rebuilt from the raw rows by `manage.py rebuild_summaries`.
The grid is the territory (`territory_field`), so scoped reads work as on cases.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models.cases import CaseKind, Category
from governance.models import Region

# The counters, in the order the upsert writes them.
COUNTERS = ("filed", "rejected", "rework", "closed", "on_time", "handled", "handling_seconds", "rated", "rating_sum",
            "settled")


class CaseMonthSummary(models.Model):
    month = models.DateField(_("上报月份"))  # first day of the month of filing, Asia/Shanghai
    done_month = models.DateField(_("截至月份"))  # first day of the month in which the counted facts happened
    grid = models.ForeignKey(Region, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("事件种类"), max_length=16, choices=CaseKind.choices)
    filed = models.IntegerField(_("上报数"), default=0)  # merged duplicates not counted
    rejected = models.IntegerField(_("不予受理数"), default=0)
    rework = models.IntegerField(_("返工次数"), default=0)
    closed = models.IntegerField(_("办结数"), default=0)
    on_time = models.IntegerField(_("按期办结数"), default=0)  # closed without an overdue card
    handled = models.IntegerField(_("计时办结数"), default=0)  # closed and not self-handled: handling time's count
    handling_seconds = models.BigIntegerField(_("办理工作秒数"), default=0)
    rated = models.IntegerField(_("已评价数"), default=0)  # self-handled cases rated by their filer excluded
    rating_sum = models.IntegerField(_("满意度星级之和"), default=0)
    settled = models.IntegerField(_("调解成功数"), default=0)

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("事件月度汇总")
        constraints = [
            models.UniqueConstraint(fields=["month", "grid", "category", "kind", "done_month"], name="case_summary_key"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_id} {self.category_id} {self.kind} → {self.done_month:%Y-%m}"


class CaseOverdueStock(models.Model):
    """The reports' overdue stock at the end of one finished month (reports.kpis: the cases open then and
    overdue then), per grid, kept by the month's full report cycle (reports.actions.do_run_cycle) so that
    any later report, map or dashboard of a period ending then reads its grids' rows instead of checking
    every supervision card of the city's history again. Nothing done after a month's end changes its
    figure (every move is timed after it); `rebuild_summaries`, which serves bulk loads that may write
    the past, drops these rows and the next cycle keeps them anew. The row with no grid marks the month
    as kept (its n: the total): a month without any overdue case has only that row."""

    month = models.DateField(_("月份"))  # first day of the month at whose end the stock was, Asia/Shanghai
    grid = models.ForeignKey(Region, verbose_name=_("网格"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    n = models.IntegerField(_("月末超期未办结数"))
    computed_at = models.DateTimeField(_("计算时间"))

    territory_field = "grid__code"

    class Meta:
        verbose_name = verbose_name_plural = _("月末超期存量")
        constraints = [
            models.UniqueConstraint(fields=["month", "grid"], name="case_overdue_stock_key"),
            models.UniqueConstraint(fields=["month"], condition=models.Q(grid__isnull=True),
                                    name="case_overdue_stock_month_kept"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_id or '*'} {self.n}"
