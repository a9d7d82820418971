"""The printable 人民调解协议书 (A4 PDF). Uses reportlab's built-in CID font STSong-Light:
no font file to ship, renders in every PDF reader and its text extracts back."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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


_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (the copies of an agreement: at most 21)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _DIGITS[tens]}十{_DIGITS[ones] if ones else ''}"


def copies_sentence(parties: int) -> str:
    """One copy for each party and one kept by the committee."""
    return f"本协议一式{chinese_number(parties + 1)}份，当事人各执一份，调解委员会留存一份。"


MARGIN = 22 * mm
SIDE_ORDER = ("applicant", "respondent", "third")
SIGN_LABEL = {"applicant": "申请人（签名）", "respondent": "被申请人（签名）", "third": "第三人（签名）"}


def agreement_pdf(dispute, parties: list[dict], mediators: list[str], committee: str) -> bytes:
    """parties: dicts with side label, name, id_type label, id_number (masked or not), phone, address.
    Always Chinese (the caller renders the labels under translation.override("zh-hans")), in the
    built-in CID font throughout; every line wraps inside the margins (a long name in the signature
    block too); the signature block, seal and date stay together, and the case reference is the
    page footer, so no page holds only a footer."""
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4 * mm)
    sub = ParagraphStyle("sub", fontName=font, fontSize=10.5, leading=16, alignment=TA_CENTER)
    head = ParagraphStyle("head", fontName=font, fontSize=12, leading=20, spaceBefore=3 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=20, wordWrap="CJK", firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    names = ParagraphStyle("names", parent=cell, textColor="#555555")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=20 * mm, bottomMargin=22 * mm,
        title="人民调解协议书", author=committee, subject=dispute.agreement_no,
        initialFontName=font,  # every page starts in the CID font (reportlab's default names Helvetica in each)
    )
    case = dispute.case
    footer = f"纠纷编号：{dispute.number}　网格：{case.grid.name}"

    def on_page(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(font, 9)
        canvas.setFillColor("#666666")
        canvas.drawString(MARGIN, 12 * mm, footer)
        canvas.drawRightString(A4[0] - MARGIN, 12 * mm, f"第 {document.page} 页")
        canvas.restoreState()

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
    each = "双方" if len(parties) == 2 else "各方"
    story += [
        Paragraph("纠纷主要事实、争议事项", head),
        Paragraph(_p(dispute.facts), body),
        Paragraph(f"经调解，{each}当事人自愿达成如下协议", head),
        Paragraph(_p(dispute.terms), body),
        Paragraph("履行方式、时限", head),
        Paragraph(_p(dispute.performance + (
            f"，于 {dispute.performance_due:%Y年%m月%d日} 前履行完毕" if dispute.performance_due else "")), body),
    ]
    # The closing clause goes with the signatures: a page never holds signatures alone.
    closing = Paragraph(_p(
        "本协议自各方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章之日起生效。"
        "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
        "当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。"
        + copies_sentence(len(parties))
    ), ParagraphStyle("closing", parent=body, spaceBefore=3 * mm, spaceAfter=4 * mm))
    # One signature line per side present — the line, then the names, which wrap inside their
    # column — then the mediators and the clerk.
    width = A4[0] - 2 * MARGIN
    line = "_" * 18
    rows = []
    for side in SIDE_ORDER:
        people = [p["name"] for p in parties if p.get("side_code") == side]
        if people:
            rows.append([Paragraph(SIGN_LABEL[side] + "：", cell), Paragraph(line, cell),
                         Paragraph(_p("、".join(people)), names)])
    rows += [[Paragraph("人民调解员（签名）：", cell), Paragraph(line, cell), Paragraph(_p("、".join(mediators)), names)],
             [Paragraph("记录人（签名）：", cell), Paragraph(line, cell), ""]]
    table = Table(rows, colWidths=[40 * mm, 42 * mm, width - 82 * mm])
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                               ("TOPPADDING", (0, 0), (-1, -1), 5 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    settled = timezone.localtime(dispute.settled_at) if dispute.settled_at else timezone.localtime()
    story.append(KeepTogether([
        closing,
        table,
        Spacer(1, 8 * mm),
        Paragraph(_p(f"{committee}（印章）"), ParagraphStyle("seal", parent=body, alignment=TA_RIGHT)),
        Paragraph(_p(f"{settled:%Y年%m月%d日}"), ParagraphStyle("date", parent=body, alignment=TA_RIGHT)),
    ]))
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()
