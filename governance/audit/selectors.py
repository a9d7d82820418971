"""Reading the audit trail: only with Cap.READ_AUDIT (the audit administrator), by territory — rows
whose region lies under a node where the user holds it; rows of no region (accounts, sign-ins, the
system) only for those holding it on a top (city) node."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from ipaddress import ip_address

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from governance.models import AuditEvent, Outcome, User
from governance.roles import CODE_LENGTH, Cap, Level
from governance.scope import region_codes


def may_read_audit(user: User) -> bool:
    return bool(region_codes(user, Cap.READ_AUDIT))


def readable_events(user: User) -> QuerySet[AuditEvent]:
    codes = region_codes(user, Cap.READ_AUDIT)
    if not codes:
        return AuditEvent.objects.none()
    condition = Q()
    for code in codes:
        condition |= Q(region_code__startswith=code)
    if any(len(code) == CODE_LENGTH[Level.CITY] for code in codes):
        condition |= Q(region_code="")
    return AuditEvent.objects.filter(condition)


@dataclass
class AuditSearch:
    """The audit page's filters, from the query string; what does not parse goes to `errors`."""

    start: date | None = None
    end: date | None = None
    actor: str = ""
    action: str = ""
    target: str = ""
    region: str = ""
    outcome: str = ""
    address: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, data) -> AuditSearch:
        s = cls(**{k: (data.get(k, "") or "").strip()[:64] for k in ("actor", "action", "target", "region", "outcome", "address")})
        for name in ("start", "end"):
            raw = (data.get(name, "") or "").strip()
            if raw:
                try:
                    value = parse_date(raw)
                except ValueError:
                    value = None
                if value is None:
                    s.errors.append(_("日期“%(d)s”格式应为 YYYY-MM-DD。") % {"d": raw[:20]})
                setattr(s, name, value)
        if s.outcome and s.outcome not in Outcome.values:
            s.errors.append(_("结果只能是成功、拒绝或失败。"))
            s.outcome = ""
        if s.address:
            try:
                s.address = str(ip_address(s.address))
            except ValueError:
                s.errors.append(_("来源地址“%(a)s”不是有效的 IP 地址。") % {"a": s.address[:45]})
                s.address = ""
        if s.region and not s.region.isdigit():
            s.errors.append(_("区划编码只能由数字组成。"))
            s.region = ""
        return s

    def as_dict(self) -> dict:
        return {k: str(v) for k, v in self.__dict__.items() if k != "errors" and v}


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def search_events(user: User, search: AuditSearch) -> QuerySet[AuditEvent]:
    qs = readable_events(user)
    if search.errors:
        return qs.none()
    if search.start:
        qs = qs.filter(at__gte=_day_start(search.start))
    if search.end:
        qs = qs.filter(at__lt=_day_start(search.end + timedelta(days=1)))
    if search.actor:
        qs = qs.filter(actor__username=search.actor)
    if search.action:
        qs = qs.filter(action__startswith=search.action)
    if search.target:
        kind, __, pk = search.target.partition(":")
        qs = qs.filter(target_type=kind, target_id=pk) if pk else qs.filter(target_type=kind)
    if search.region:
        qs = qs.filter(region_code__startswith=search.region)
    if search.outcome:
        qs = qs.filter(outcome=search.outcome)
    if search.address:
        qs = qs.filter(address=search.address)
    return qs.select_related("actor")
