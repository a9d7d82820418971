"""GET /api/v1/todo/: the user's 待办 (todo_cases, pending_extensions)."""

from api.tests.base import ApiTestCase


class TodoApiTestCase(ApiTestCase):
    def test_the_todo_holds_what_waits_for_the_user(self):
        reported = self.file()
        mine = self.assigned(assignee=self.carol, title="派给卡萝")
        self.assertEqual([c["id"] for c in self.get(self.alice, "/api/v1/todo/").json()["cases"]], [reported.pk])
        self.assertEqual([c["id"] for c in self.get(self.carol, "/api/v1/todo/").json()["cases"]], [mine.pk])
        self.assertEqual(self.get(self.bob, "/api/v1/todo/").json(), {"cases": [], "extensions": []})
