"""三员分立: no roster import or password issue touches an administrator's account (system, security
or audit), even one whose every role lies inside the importer's scope."""

from governance.models import RoleAssignment
from governance.roles import Role
from governance.tests.base import TerritoryTestCase, make_user
from rosters.selectors import password_workers_for, untouchable_accounts


class AdministratorAccountTests(TerritoryTestCase):
    def test_a_roster_importer_never_touches_an_administrators_account(self):
        worker_and_admin = make_user("wa", "网格员兼安全员", Role.GRID_WORKER, self.grid_b)
        RoleAssignment.objects.create(user=worker_and_admin, role=Role.SECURITY_ADMIN, region=self.xishi)
        plain = make_user("wb", "网格员", Role.GRID_WORKER, self.grid_b)
        self.assertEqual(untouchable_accounts([worker_and_admin, plain], (self.xishi.code,)), {worker_and_admin.pk})
        self.assertEqual(list(password_workers_for(self.frank)), [plain])
