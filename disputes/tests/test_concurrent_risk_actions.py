"""Two officers act on one dispute's risk entry at the very same moment, in two database connections,
with the version they both saw: the dispute's case is locked first by each, so exactly one wins, the
other gets StaleCase, and neither deadlocks (the entry's and the dispute's rows are locked after it)."""

import threading

import pytest
from django.db import connection, connections

from disputes.actions import mediation as ma
from disputes.kernel import StaleCase
from disputes.models import Case, Category, Dispute, DisputeType, RiskCriterion, RiskEntry, RiskLevel
from governance.roles import Role
from governance.tests.base import make_territory, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real row locks between two connections need PostgreSQL"
)


@pytest.mark.django_db(transaction=True)
def test_closing_and_reassessing_a_risk_at_the_same_moment_one_wins_the_other_is_told():
    city, district, street, community, grid = make_territory()
    worker = make_user("w", "网格员", Role.GRID_WORKER, grid)
    alice = make_user("a", "艾丽", Role.STREET_OFFICER, street)
    dave = make_user("d", "戴维", Role.DISTRICT_CENTRE, district)
    Category.objects.create(code="01", name="矛盾纠纷")
    RiskCriterion.objects.create(name="涉及 5 人以上", measure=RiskCriterion.Measure.PEOPLE, threshold=5,
                                 level=RiskLevel.MAJOR)
    dispute = ma.do_file_dispute(
        actor=worker, grid=grid, dispute_type=DisputeType.objects.create(code="02", name="邻里纠纷"),
        title="楼上漏水", description="维修费争执", people_count=8,
        parties=[{"side": "applicant", "name": "张建国"}, {"side": "respondent", "name": "李秀英"}])
    entry = RiskEntry.objects.get(dispute=dispute)
    version = Case.objects.get(pk=dispute.pk).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name, fn):
        try:
            barrier.wait()
            fn()
            outcomes[name] = "ok"
        except StaleCase:
            outcomes[name] = "stale"
        except Exception as e:  # a deadlock would land here (OperationalError: deadlock detected)
            outcomes[name] = f"error: {e}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("close", lambda: ma.do_close_risk(
            actor=alice, entry=RiskEntry.objects.select_related("dispute__case").get(pk=entry.pk), version=version,
            note="已化解"))),
        threading.Thread(target=act, args=("assess", lambda: ma.do_assess_risk(
            actor=dave, dispute=Dispute.objects.select_related("case").get(pk=dispute.pk), version=version,
            people_count=40))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes.values()) == ["ok", "stale"], outcomes
    assert Case.objects.get(pk=dispute.pk).version == version + 1
    entry.refresh_from_db()
    if outcomes["close"] == "ok":
        assert (entry.closed_at is not None, Dispute.objects.get(pk=dispute.pk).people_count) == (True, 8)
    else:
        assert (entry.closed_at, Dispute.objects.get(pk=dispute.pk).people_count) == (None, 40)
