"""Open311 GeoReport v2 at /open311/v2/: services, service definitions, requests (GET, POST), one
request, tokens; JSON and XML; errors in the spec's format; the requester's personal data is never
stored or published."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from django.test import TestCase

from api.models import Open311Request
from api.tests.open311_base import LAT, LNG, open311_world
from disputes.actions.cases import do_accept_case, do_file_case
from disputes.models import Case
from governance.models import AuditEvent

BASE = "/open311/v2"
REQUESTER = {"first_name": "李", "last_name": "四", "email": "lisi@example.com", "phone": "13912345678",
             "device_id": "dev-1", "account_id": "acc-1"}


class Open311TestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.w = open311_world()

    def file(self, fmt="json", **data):
        body = {"api_key": self.w["key"], "service_code": "0402", "lat": str(LAT), "long": str(LNG),
                "description": "3号楼楼道堆放纸箱\n堵塞通道", "media_url": "https://example.com/a.jpg",
                "attribute[urgency]": "urgent", **REQUESTER, **data}
        return self.client.post(f"{BASE}/requests.{fmt}", body)

    def test_services_are_the_active_categories_in_json_and_xml(self):
        rows = self.client.get(f"{BASE}/services.json").json()
        self.assertEqual([r["service_code"] for r in rows], ["04", "0402"])
        self.assertEqual(rows[1]["group"], "消防")
        self.assertTrue(rows[1]["metadata"])
        self.assertEqual(rows[1]["type"], "realtime")
        xml = ET.fromstring(self.client.get(f"{BASE}/services.xml").content)
        self.assertEqual(xml.tag, "services")
        self.assertEqual([s.findtext("service_code") for s in xml.findall("service")], ["04", "0402"])

    def test_a_service_definition_lists_its_attributes(self):
        body = self.client.get(f"{BASE}/services/0402.json").json()
        self.assertEqual(body["service_code"], "0402")
        self.assertEqual([a["code"] for a in body["attributes"]], ["urgency", "involved", "grid"])
        xml = ET.fromstring(self.client.get(f"{BASE}/services/0402.xml").content)
        self.assertEqual(xml.tag, "service_definition")
        self.assertEqual(len(xml.findall("attributes/attribute")), 3)
        self.assertEqual(len(xml.findall("attributes/attribute/values/value")), 3)
        self.assertEqual(self.client.get(f"{BASE}/services/9999.json").status_code, 404)

    def test_a_request_posted_with_a_point_is_filed_in_the_grid_containing_it(self):
        r = self.file()
        self.assertEqual(r.status_code, 201, r.content)
        row = r.json()[0]
        case = Case.objects.get(pk=row["service_request_id"])
        self.assertEqual((case.grid, case.filer, case.urgency, case.title), (self.w["grid"], self.w["hotline"], "urgent",
                                                                             "3号楼楼道堆放纸箱"))
        self.assertEqual(Open311Request.objects.get(case=case).token, row["token"])
        self.assertEqual(AuditEvent.objects.filter(action="case.file", target_id=str(case.pk)).count(), 1)

    def test_a_point_in_the_second_grid_files_it_there(self):
        r = self.file(**{"long": str(LNG + 0.02)})
        self.assertEqual(Case.objects.get(pk=r.json()[0]["service_request_id"]).grid, self.w["other"])

    def test_an_address_string_with_a_grid_attribute_files_without_a_point(self):
        r = self.file(lat="", long="", address_string="3号楼", **{"attribute[grid]": self.w["grid"].code})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Case.objects.get().address, "3号楼")

    def test_the_requesters_personal_data_is_neither_stored_nor_published(self):
        r = self.file()
        pk = r.json()[0]["service_request_id"]
        case = Case.objects.get(pk=pk)
        stored = str(Case.objects.filter(pk=pk).values().get()) + str(list(AuditEvent.objects.values("detail")))
        published = self.client.get(f"{BASE}/requests/{pk}.json").content.decode()
        published += self.client.get(f"{BASE}/requests/{pk}.json", {"api_key": self.w["key"]}).content.decode()
        for value in REQUESTER.values():
            self.assertNotIn(value, stored + published)
        anonymous = self.client.get(f"{BASE}/requests/{pk}.json").json()[0]
        self.assertEqual(anonymous["description"], "")
        self.assertEqual(anonymous["address"], case.grid.name)
        self.assertEqual(anonymous["lat"], round(LAT, 3))

    def test_status_follows_the_loop_in_json_and_xml(self):
        pk = self.file().json()[0]["service_request_id"]
        row = self.client.get(f"{BASE}/requests/{pk}.json").json()[0]
        self.assertEqual((row["status"], row["service_code"], row["media_url"]), ("open", "0402", "https://example.com/a.jpg"))
        case = Case.objects.get(pk=pk)
        do_accept_case(actor=self.w["officer"], case=case, version=case.version)
        xml = ET.fromstring(self.client.get(f"{BASE}/requests/{pk}.xml").content)
        self.assertEqual(xml.tag, "service_requests")
        self.assertEqual(xml.find("request/status").text, "open")
        self.assertEqual(xml.find("request/status_notes").text, "已受理，等待派遣")
        Case.objects.filter(pk=pk).update(status="closed")
        self.assertEqual(self.client.get(f"{BASE}/requests/{pk}.json").json()[0]["status"], "closed")

    def test_the_list_filters_by_id_code_dates_and_status(self):
        a = self.file().json()[0]["service_request_id"]
        b = self.file(description="另一件").json()[0]["service_request_id"]
        ids = [r["service_request_id"] for r in self.client.get(f"{BASE}/requests.json").json()]
        self.assertEqual(ids, [b, a])
        self.assertEqual([r["service_request_id"] for r in self.client.get(
            f"{BASE}/requests.json", {"service_request_id": a}).json()], [a])
        self.assertEqual(self.client.get(f"{BASE}/requests.json", {"status": "closed"}).json(), [])
        self.assertEqual(self.client.get(f"{BASE}/requests.json", {"service_code": "04"}).json(), [])
        self.assertEqual(self.client.get(f"{BASE}/requests.json", {"start_date": "2000-01-01T00:00:00Z"}).json(), [])
        xml = ET.fromstring(self.client.get(f"{BASE}/requests.xml").content)
        self.assertEqual(len(xml.findall("request")), 2)

    def test_the_list_costs_the_same_few_queries_whatever_its_length(self):
        for i in range(3):
            self.file(description=f"第{i}件")
        with self.assertNumQueries(1):  # anonymous: one query, the categories, grids and links joined
            self.assertEqual(len(self.client.get(f"{BASE}/requests.json").json()), 3)
        self.client.get(f"{BASE}/requests.json", {"api_key": self.w["key"]})  # the token's use of this minute
        with self.assertNumQueries(7):  # token, scope (roles, 2 node grants, 2 case grants), the rows
            self.client.get(f"{BASE}/requests.json", {"api_key": self.w["key"]})

    def test_a_case_not_filed_through_open311_is_only_shown_to_a_key_that_sees_it(self):
        case = do_file_case(actor=self.w["officer"], category=self.w["clutter"], grid=self.w["grid"], title="内部",
                            description="内部事件")
        self.assertEqual(self.client.get(f"{BASE}/requests/{case.pk}.json").status_code, 404)
        r = self.client.get(f"{BASE}/requests/{case.pk}.json", {"api_key": self.w["key"]})
        self.assertEqual(r.json()[0]["description"], "内部事件")

    def test_the_token_gives_the_request_id(self):
        row = self.file().json()[0]
        self.assertEqual(self.client.get(f"{BASE}/tokens/{row['token']}.json").json(),
                         [{"service_request_id": row["service_request_id"], "token": row["token"]}])
        self.assertEqual(self.client.get(f"{BASE}/tokens/nope.json").status_code, 404)

    def test_errors_are_in_the_specs_format_json_and_xml(self):
        r = self.file(service_code="")
        self.assertEqual(r.status_code, 400)
        self.assertEqual(set(r.json()[0]), {"code", "description"})
        self.assertEqual(r.json()[0]["code"], 400)
        r = self.file(fmt="xml", api_key="ggt_wrong_key")
        self.assertEqual(r.status_code, 403)
        self.assertEqual(ET.fromstring(r.content).find("error/code").text, "403")
        self.assertEqual(self.client.post(f"{BASE}/requests.json", {"service_code": "0402"}).status_code, 403)
        self.assertEqual(self.file(service_code="9999").status_code, 404)
        self.assertEqual(self.file(lat="95").status_code, 400)
        self.assertEqual(self.file(lat=str(LAT + 1)).status_code, 400)  # no grid there
        self.assertEqual(self.client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code, 400)
        self.assertEqual(self.client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code, 400)
        self.assertEqual(self.client.get(f"{BASE}/requests/abc.json").status_code, 404)
        self.assertFalse(Case.objects.exists())

    def test_a_key_whose_user_may_not_file_there_is_403(self):
        from governance.actions import do_issue_api_token
        from governance.roles import Role
        from governance.tests.base import make_user

        leader = make_user("leader", "市领导", Role.CITY_LEADER, self.w["grid"].parent.parent.parent.parent)
        r = self.file(api_key=do_issue_api_token(actor=None, user=leader)[1])
        self.assertEqual(r.status_code, 403)
        self.assertEqual(r.json()[0]["code"], 403)
