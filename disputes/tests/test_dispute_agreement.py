"""/disputes/<id>/agreement.pdf: the 人民调解协议书, read back with pypdf."""

import io

from django.utils import timezone
from pypdf import PdfReader

from disputes.actions import mediation as ma
from disputes.tests.dispute_base import DisputeTestCase
from governance.models import AuditEvent
from governance.roles import Role
from governance.tests.base import make_user
from parties.pii import mask_id_number

MASKED_ID = mask_id_number("11010519491231002X")  # what a user who may not reveal sees


class AgreementPdfTestCase(DisputeTestCase):
    def text(self, response) -> str:
        self.assertEqual(response["Content-Type"], "application/pdf")
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
        return "".join(page.extract_text() for page in reader.pages).replace("\n", "")

    def test_the_pdf_contains_the_parties_the_facts_the_terms_and_signature_lines(self):
        d = self.mediating()
        s = ma.do_schedule_session(actor=self.mona, dispute=d, at=timezone.now(), room=self.room)
        ma.do_record_session(actor=self.mona, session=s, attendees="双方", applicant_statement="a",
                             respondent_statement="b")
        d.case.refresh_from_db()
        ma.do_settle_dispute(actor=self.mona, dispute=d, version=d.case.version, facts="402室天花板因502室水管渗漏受损。",
                             terms="李秀英于十日内赔偿张建国维修费人民币三千元。", performance="现金一次性支付",
                             performance_due="2026-12-31")
        self.client.force_login(self.mona)
        text = self.text(self.client.get(f"/disputes/{d.pk}/agreement.pdf"))
        for expected in ("人民调解协议书", "申请人：张建国", "被申请人：李秀英", "402室天花板因502室水管渗漏受损",
                         "李秀英于十日内赔偿张建国维修费人民币三千元", "现金一次性支付", "2026年12月31日",
                         "人民调解员（签名）", "莫娜", "八田地街道人民调解委员会（印章）"):
            self.assertIn(expected, text)

    def test_the_mediator_who_may_reveal_gets_full_id_numbers_and_it_is_audited(self):
        d = self.settled()
        self.client.force_login(self.mona)
        text = self.text(self.client.get(f"/disputes/{d.pk}/agreement.pdf"))
        self.assertIn("11010519491231002X", text)
        self.assertTrue(AuditEvent.objects.filter(action="dispute.agreement_pdf", detail__unmasked=True).exists())

    def test_a_grid_worker_gets_the_agreement_with_masked_personal_data(self):
        d = self.settled()
        self.client.force_login(self.carol)
        text = self.text(self.client.get(f"/disputes/{d.pk}/agreement.pdf"))
        self.assertIn(MASKED_ID, text)
        self.assertIn("138****1234", text)
        self.assertNotIn("11010519491231002X", text)

    def test_there_is_no_agreement_before_settlement(self):
        d = self.mediating()
        self.client.force_login(self.mona)
        self.assertEqual(self.client.get(f"/disputes/{d.pk}/agreement.pdf").status_code, 404)

    def test_it_returns_404_to_the_other_district(self):
        d = self.settled()
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(f"/disputes/{d.pk}/agreement.pdf").status_code, 404)

    def test_a_mediator_of_another_street_cannot_read_it(self):
        other = make_user("olga", "奥尔加", Role.MEDIATOR, self.jianshe)
        d = self.settled()
        self.client.force_login(other)
        self.assertEqual(self.client.get(f"/disputes/{d.pk}/agreement.pdf").status_code, 404)
