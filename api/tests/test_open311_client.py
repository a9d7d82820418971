"""An existing Open311 client reads /open311/v2/ unchanged: the `georeport` package (a test-only
requirement) against the app served on loopback. Its client files no requests, so the POST is a
plain form POST as the spec defines it."""

from __future__ import annotations

import requests
from django.test import LiveServerTestCase
from georeport import GeoReport

from api.tests.open311_base import LAT, LNG, open311_world
from disputes.actions.cases import do_accept_case
from disputes.models import Case


class GeoReportClientTestCase(LiveServerTestCase):
    def setUp(self):
        self.w = open311_world()

    def test_services_then_a_posted_request_then_its_status_in_json_and_xml(self):
        root = f"{self.live_server_url}/open311/v2"
        for fmt in ("json", "xml"):
            client = GeoReport(root, output_format=fmt)
            services = client.get_service_list()
            self.assertIn("0402", [s["service_code"] for s in services])
            definition = client.get_service_definition("0402")
            self.assertEqual(definition["service_code"], "0402")
        posted = requests.post(f"{root}/requests.json", data={
            "api_key": self.w["key"], "service_code": "0402", "lat": LAT, "long": LNG, "description": "楼道堆物",
        }, timeout=10)
        self.assertEqual(posted.status_code, 201, posted.text)
        pk = posted.json()[0]["service_request_id"]
        json_client, xml_client = GeoReport(root), GeoReport(root, output_format="xml")
        self.assertEqual(json_client.get_service_request(pk)["status"], "open")
        case = Case.objects.get(pk=pk)
        do_accept_case(actor=self.w["officer"], case=case, version=case.version)
        row = xml_client.get_service_request(pk)
        self.assertEqual((row["service_request_id"], row["status"], row["status_notes"]), (pk, "open", "已受理，等待派遣"))
        Case.objects.filter(pk=pk).update(status="closed")
        listed = json_client.get_service_requests(service_request_id=pk)
        self.assertEqual([(r["service_request_id"], r["status"]) for r in listed], [(pk, "closed")])
        self.assertEqual(xml_client.get_service_requests(status="closed")["service_request_id"], pk)  # one: a dict
