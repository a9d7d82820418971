"""Case.desk_risk, the mediation desk's sort key, is a copy of Dispute.risk_level: every path that
writes the risk level leaves the copy equal to it (Dispute.save writes it), and no code writes the risk
level in a way that would bypass that (QuerySet.update, bulk_create): a new writer fails the last test
until it is known here and covered by a test of its own above."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from disputes.actions import cases as actions
from disputes.actions import mediation as ma
from disputes.models import Case, Dispute, RiskLevel
from disputes.tests.dispute_base import APPLICANT, RESPONDENT, DisputeTestCase

THIRD = {"side": "third", "name": "王五", "id_type": "resident_id", "id_number": ""}

# Every function that writes Dispute.risk_level, and the test below that proves the copy follows it.
KNOWN_WRITERS = {
    ("disputes/actions/mediation.py", "adopt_case"): "test_a_case_filed_in_a_dispute_category_copies_the_pending_level",
    ("disputes/actions/mediation.py", "do_file_dispute"): "test_filing_a_dispute_copies_its_assessed_level",
    ("disputes/actions/mediation.py", "do_assess_risk"): "test_a_reassessment_moves_the_copy_up_and_down",
    ("disputes/actions/mediation.py", "do_add_party"): "test_a_party_that_raises_the_risk_raises_the_copy",
}


class DeskRiskCopyTestCase(DisputeTestCase):
    def assertCopied(self, dispute: Dispute, level: int) -> None:
        stored = Dispute.objects.get(pk=dispute.pk).risk_level
        self.assertEqual(stored, level)
        self.assertEqual(Case.objects.get(pk=dispute.pk).desk_risk, level)

    def test_filing_a_dispute_copies_its_assessed_level(self):
        self.assertCopied(self.dispute(), RiskLevel.GENERAL)
        self.assertCopied(self.dispute(people_count=8), RiskLevel.MAJOR)
        self.assertCopied(self.dispute(threat_violence=True), RiskLevel.SEVERE)

    def test_a_case_filed_in_a_dispute_category_copies_the_pending_level(self):
        case = self.file(category=self.neighbour_cat)
        self.assertCopied(Dispute.objects.get(pk=case.pk), RiskLevel.GENERAL)

    def test_a_converted_case_gets_the_copy(self):
        case = self.accepted()
        self.assertIsNone(Case.objects.get(pk=case.pk).desk_risk)  # a plain case has none
        dispute = ma.do_convert_case_to_dispute(actor=self.alice, case=case, version=case.version,
                                                dispute_type=self.neighbour, note="实为邻里纠纷")
        self.assertCopied(dispute, RiskLevel.GENERAL)

    def test_a_reassessment_moves_the_copy_up_and_down(self):
        d = self.dispute()
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, threat_violence=True)
        self.assertCopied(d, RiskLevel.SEVERE)
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, threat_violence=False, people_count=6)
        self.assertCopied(d, RiskLevel.MAJOR)
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, people_count=2)
        self.assertCopied(d, RiskLevel.GENERAL)
        d = ma.do_assess_risk(actor=self.alice, dispute=d, version=None, level=RiskLevel.SEVERE, note="有扬言报复言论")
        self.assertCopied(d, RiskLevel.SEVERE)

    def test_a_party_that_raises_the_risk_raises_the_copy(self):
        d = self.dispute(parties=[dict(APPLICANT), dict(RESPONDENT), dict(THIRD), dict(THIRD, name="赵六")],
                         people_count=4)
        self.assertCopied(d, RiskLevel.GENERAL)
        ma.do_add_party(actor=self.carol, dispute=d, version=None, **dict(THIRD, name="钱七"))  # the fifth: 涉及 5 人以上
        self.assertCopied(d, RiskLevel.MAJOR)

    def test_the_copy_survives_the_case_loop_s_own_writes(self):
        d = self.dispute(people_count=8)
        case = actions.do_accept_case(actor=self.alice, case=d.case, version=d.case.version)
        case = actions.do_assign_case(actor=self.alice, case=case, version=case.version, assignee=self.mona)
        self.assertCopied(d, RiskLevel.MAJOR)

    def test_the_backfill_migration_copies_every_dispute_s_level_and_leaves_plain_cases_without(self):
        import importlib
        from types import SimpleNamespace

        from django.apps import apps
        from django.db import connection

        d, plain = self.dispute(people_count=8), self.file()
        Case.objects.update(desk_risk=None)
        migration = importlib.import_module("disputes.migrations.0014_backfill_case_desk_risk")
        migration.copy_risk_levels(apps, SimpleNamespace(connection=connection))
        self.assertCopied(d, RiskLevel.MAJOR)
        self.assertIsNone(Case.objects.get(pk=plain.pk).desk_risk)

    def test_the_desk_orders_by_the_copy(self):
        low = self.dispute(title="起初一般")
        self.dispute(title="一直较大", people_count=6)
        ma.do_assess_risk(actor=self.alice, dispute=low, version=None, threat_violence=True)  # now 重大: first
        self.client.force_login(self.alice)
        body = self.client.get("/disputes/").content.decode()
        self.assertLess(body.index("起初一般"), body.index("一直较大"))


def _writes_risk_level(node: ast.AST) -> bool:
    """An assignment to `….risk_level` (alone or in a tuple), or `risk_level=` given to a call that
    writes (update, create, bulk_create, get_or_create, update_or_create, Dispute(…))."""
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Attribute) and t.attr == "risk_level" and isinstance(t.ctx, ast.Store):
                    return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in {"update", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "Dispute"}:
            if any(k.arg == "risk_level" for k in node.keywords):
                return True
            if name == "bulk_update" and any("risk_level" in ast.unparse(a) for a in node.args[1:]):
                return True
    return False


def risk_level_writers() -> set[tuple[str, str]]:
    root = Path(settings.BASE_DIR)
    found = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        if rel.startswith((".venv/", "bench/")) or "/migrations/" in rel or "/tests/" in rel or rel.startswith("tests_"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if any(_writes_risk_level(n) for n in ast.walk(fn)):
                    found.add((rel, fn.name))
    return found


def test_every_write_of_the_risk_level_is_one_the_copy_tests_cover():
    assert risk_level_writers() == set(KNOWN_WRITERS)
    for test_name in KNOWN_WRITERS.values():
        assert hasattr(DeskRiskCopyTestCase, test_name)
