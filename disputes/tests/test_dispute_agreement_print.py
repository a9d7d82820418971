"""/disputes/<id>/agreement.pdf rendered as it will print: pdftoppm (poppler-utils) draws each page,
and nothing may be inked in the right margin; no page holds only the footer; one copy per party
plus the committee's; always Chinese, in the one built-in CID font, whatever the UI language."""

import io
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from disputes.actions import mediation as ma
from disputes.agreement_pdf import MARGIN, chinese_number, copies_sentence
from disputes.tests.dispute_base import DisputeTestCase

LONG_NAME = "营口市站前区八田地街道五大门社区锦绣家园小区业主委员会暨物业服务有限责任公司第三分公司物业管理处全体工作人员代表"[:64]
DPI = 72  # one pixel a point
PDFTOPPM = shutil.which("pdftoppm")


def render(pdf: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.pdf"
        path.write_bytes(pdf)
        subprocess.run([PDFTOPPM, "-r", str(DPI), "-gray", str(path), str(Path(tmp) / "page")], check=True,
                       capture_output=True, timeout=60)
        return [Image.open(p).copy() for p in sorted(Path(tmp).glob("page*.pgm"))]


class AgreementNumbersTestCase(unittest.TestCase):
    def test_the_copies_are_one_per_party_and_one_for_the_committee(self):
        self.assertEqual(copies_sentence(2), "本协议一式三份，当事人各执一份，调解委员会留存一份。")
        self.assertEqual(copies_sentence(3), "本协议一式四份，当事人各执一份，调解委员会留存一份。")
        self.assertEqual([chinese_number(n) for n in (9, 10, 11, 20, 21)], ["九", "十", "十一", "二十", "二十一"])


@unittest.skipIf(PDFTOPPM is None, "pdftoppm (poppler-utils) is not installed")
class AgreementPrintTestCase(DisputeTestCase):
    def agreement(self, third: bool = True, language: str = "zh-hans", long: bool = True) -> bytes:
        respondent = {"side": "respondent", "name": LONG_NAME, "kind": "unit", "id_type": "other", "id_number": ""}
        d = self.mediating(parties=[
            {"side": "applicant", "name": "张建国", "id_type": "resident_id", "id_number": "11010519491231002X",
             "phone": "13812341234", "address": "五大门社区3号楼"}, respondent])
        if third:
            ma.do_add_party(actor=self.mona, dispute=d, version=None, side="third", name="李秀英" * 3)
        d.case.refresh_from_db()
        ma.do_settle_dispute(actor=self.mona, dispute=d, version=d.case.version, facts="漏水致天花板受损。" * (8 if long else 2),
                             terms="被申请人于十日内赔偿申请人维修费人民币三千元。" * (6 if long else 1), performance="现金一次性支付",
                             performance_due="2026-12-31")
        self.client.force_login(self.mona)
        self.client.cookies["django_language"] = language
        r = self.client.get(f"/disputes/{d.pk}/agreement.pdf", HTTP_ACCEPT_LANGUAGE=language)
        self.assertEqual(r.status_code, 200)
        return b"".join(r.streaming_content) if r.streaming else r.content

    def text(self, pdf: bytes) -> str:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")

    def test_nothing_is_inked_in_the_right_margin_with_a_long_name(self):
        pages = render(self.agreement())
        margin_px = round(MARGIN / 72 * DPI)
        for number, page in enumerate(pages, 1):
            width, height = page.size
            strip = page.crop((width - margin_px + 4, 0, width, height))  # 4 px of tolerance at the edge
            self.assertGreater(strip.getextrema()[0], 200, f"page {number}: ink in the right margin")
            strip = page.crop((0, 0, margin_px - 4, height))
            self.assertGreater(strip.getextrema()[0], 200, f"page {number}: ink in the left margin")

    def test_a_two_party_agreement_is_one_page(self):
        pdf = self.agreement(third=False, long=False)
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        self.assertEqual(len(render(pdf)), 1)

    def test_no_page_holds_only_the_footer_or_only_signatures(self):
        reader = PdfReader(io.BytesIO(self.agreement()))
        self.assertEqual(len(reader.pages), 2)
        self.assertIn("一式四份", reader.pages[-1].extract_text().replace("\n", ""))  # the clause goes with the signatures
        for page in reader.pages:
            lines = [line for line in page.extract_text().splitlines() if line.strip()]
            body = [line for line in lines if "纠纷编号" not in line and not line.strip().startswith("第 ")]
            self.assertGreater(len("".join(body)), 20, lines)

    def test_three_parties_make_four_copies_and_every_side_signs(self):
        text = self.text(self.agreement())
        self.assertIn("本协议一式四份，当事人各执一份，调解委员会留存一份。", text)
        self.assertNotIn("一式三份", text)
        self.assertIn("第三人（签名）", text)
        self.assertIn("经调解，各方当事人自愿达成如下协议", text)

    def test_an_english_ui_still_prints_a_chinese_agreement(self):
        text = self.text(self.agreement(language="en"))
        self.assertIn("申请人：张建国", text)
        self.assertIn("第三人：", text)
        for english in ("Applicant", "Respondent", "Third", "Resident", "ID card", "committee"):
            self.assertNotIn(english, text)

    def test_one_font_the_built_in_cid_font(self):
        reader = PdfReader(io.BytesIO(self.agreement()))
        fonts = set()
        for page in reader.pages:
            for font in page["/Resources"]["/Font"].values():
                fonts.add(str(font.get_object()["/BaseFont"]))
        self.assertEqual(fonts, {"/STSong-Light"})
