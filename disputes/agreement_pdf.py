"""The printable 人民调解协议书 (A4 PDF). Uses reportlab's built-in CID font STSong-Light:
no font file to ship, renders in every PDF reader and its text extracts back."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _p(text: str) -> str:
    return escape(text or "").replace("\n", "<br/>")


def agreement_pdf(dispute, parties: list[dict], mediators: list[str], committee: str) -> bytes:
    """parties: dicts with side label, name, id_type label, id_number (masked or not), phone, address."""
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4 * mm)
    sub = ParagraphStyle("sub", fontName=font, fontSize=10.5, leading=16, alignment=TA_CENTER)
    head = ParagraphStyle("head", fontName=font, fontSize=12, leading=20, spaceBefore=3 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=20, wordWrap="CJK", firstLineIndent=0)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title="人民调解协议书", author=committee, subject=dispute.agreement_no,
    )
    story = [
        Paragraph("人民调解协议书", title),
        Paragraph(_p(dispute.agreement_no), sub),
        Spacer(1, 4 * mm),
        Paragraph("当事人", head),
    ]
    for p in parties:
        line = f"{p['side']}：{p['name']}"
        if p.get("id_number"):
            line += f"，{p['id_type']}：{p['id_number']}"
        if p.get("phone"):
            line += f"，联系电话：{p['phone']}"
        if p.get("address"):
            line += f"，住址：{p['address']}"
        story.append(Paragraph(_p(line), body))
    case = dispute.case
    story += [
        Paragraph("纠纷主要事实、争议事项", head),
        Paragraph(_p(dispute.facts), body),
        Paragraph("经调解，双方当事人自愿达成如下协议", head),
        Paragraph(_p(dispute.terms), body),
        Paragraph("履行方式、时限", head),
        Paragraph(_p(dispute.performance + (
            f"，于 {dispute.performance_due:%Y年%m月%d日} 前履行完毕" if dispute.performance_due else "")), body),
        Spacer(1, 3 * mm),
        Paragraph(_p(
            "本协议自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"
            "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
            "当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。"
            "本协议一式三份，双方当事人、人民调解委员会各持一份。"
        ), body),
        Spacer(1, 10 * mm),
    ]
    applicants = [p["name"] for p in parties if p["side_code"] == "applicant"]
    respondents = [p["name"] for p in parties if p["side_code"] == "respondent"]
    sign = [
        ["申请人（签名）：", "_" * 18, "被申请人（签名）：", "_" * 18],
        ["", "、".join(applicants), "", "、".join(respondents)],
        ["人民调解员（签名）：", "_" * 18, "记录人（签名）：", "_" * 18],
        ["", "、".join(mediators), "", ""],
    ]
    table = Table(sign, colWidths=[38 * mm, 45 * mm, 38 * mm, 45 * mm], rowHeights=[12 * mm, 7 * mm, 12 * mm, 7 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 10.5),
                               ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("TEXTCOLOR", (1, 1), (-1, 1), "#555555"),
                               ("TEXTCOLOR", (1, 3), (-1, 3), "#555555")]))
    settled = timezone.localtime(dispute.settled_at) if dispute.settled_at else timezone.localtime()
    story += [
        table,
        Spacer(1, 12 * mm),
        Paragraph(_p(f"{committee}（印章）"), ParagraphStyle("seal", parent=body, alignment=2)),
        Paragraph(_p(f"{settled:%Y年%m月%d日}"), ParagraphStyle("date", parent=body, alignment=2)),
        Spacer(1, 6 * mm),
        Paragraph(_p(f"纠纷编号：{dispute.number}　网格：{case.grid.name}"),
                  ParagraphStyle("foot", fontName=font, fontSize=9, leading=14, textColor="#666666")),
    ]
    doc.build(story)
    return buf.getvalue()
