"""Cases on top of the named users of TerritoryTestCase.

Extra people: gina (grid worker, 五大门 grid 002), heidi (dept handler, 八田地派出所),
ivan (community staff, 五大门社区). A small taxonomy: 消防 / 楼道堆物 with limits.
"""

from __future__ import annotations

import io
import shutil
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from disputes.actions import cases as actions
from disputes.models import Case, Category, Stage, TimeLimit, TimeUnit
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user

_MEDIA = tempfile.mkdtemp(prefix="gridgov-test-media-")


def jpeg(size=(64, 48), color=(200, 30, 30), exif: bytes | None = None, name="photo.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, color).save(buf, "JPEG", **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@override_settings(MEDIA_ROOT=_MEDIA)
class CaseTestCase(TerritoryTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.gina = make_user("gina", "吉娜", Role.GRID_WORKER, cls.grid_a2)
        cls.heidi = make_user("heidi", "海蒂", Role.DEPT_HANDLER, cls.batiandi, department=cls.police_a)
        cls.ivan = make_user("ivan", "伊万", Role.COMMUNITY_STAFF, cls.wudamen)
        cls.fire = Category.objects.create(code="04", name="消防")
        cls.clutter = Category.objects.create(code="0402", name="楼道堆物", parent=cls.fire)
        cls.road = Category.objects.create(code="0603", name="道路破损")
        for stage, amount, unit in (
            (Stage.ACCEPT, 2, TimeUnit.HOURS), (Stage.HANDLE, 3, TimeUnit.DAYS), (Stage.VERIFY, 1, TimeUnit.DAYS)
        ):
            TimeLimit.objects.create(category=cls.fire, stage=stage, amount=amount, unit=unit)

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(_MEDIA, ignore_errors=True)

    def file(self, actor=None, grid=None, category=None, **kw) -> Case:
        kw.setdefault("title", "楼道堆放杂物")
        kw.setdefault("description", "3号楼2单元楼道堆放纸箱，堵塞通道。")
        return actions.do_file_case(
            actor=actor or self.carol, grid=grid or self.grid_a, category=category or self.clutter, **kw
        )

    def accepted(self, **kw) -> Case:
        case = self.file(**kw)
        return actions.do_accept_case(actor=self.alice, case=case, version=case.version)

    def assigned(self, assignee=None, department=None, **kw) -> Case:
        case = self.accepted(**kw)
        if assignee is None and department is None:
            assignee = self.carol
        return actions.do_assign_case(
            actor=self.alice, case=case, version=case.version, assignee=assignee, department=department
        )

    def handled(self, **kw) -> Case:
        case = self.assigned(**kw)
        who = case.assignee or self.heidi
        return actions.do_handle_case(actor=who, case=case, version=case.version, note="已清理完毕。")
