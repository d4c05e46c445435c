"""A letter as the Word document officials sign and send, in the format Decree 30/2020/NĐ-CP sets
for an official letter (Appendix I): A4 portrait; margins top and bottom 20 mm, left 30 mm,
right 15 mm; Times New Roman; the issuer and the national motto side by side at the top, the
number and the subject under the issuer, the place and date under the motto; the body in 14 pt,
justified, first lines indented; recipients (12 and 11 pt) beside the signature block; page numbers
from the second page, centred at the top.

Every text is written as a run (python-docx escapes it): a unit's name or a reason is never read as
a field, a formula or markup.
"""

from __future__ import annotations

import re
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from dti.publish.letters.wording import Letter, LetterTable

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
# The issuer's column and the motto's, each line on one line: the national name in 12 pt bold takes
# about 82 mm, the issuing body about 60 mm.
ISSUER_WIDTH_MM, MOTTO_WIDTH_MM = 72, TEXT_WIDTH_MM - 72
RECIPIENTS_WIDTH_MM, SIGNATURE_WIDTH_MM = 80, TEXT_WIDTH_MM - 80
BODY_SIZE = Pt(14)
FIRST_LINE_INDENT = Mm(12.7)
# Characters XML 1.0 cannot hold; a unit's text could carry one from a spreadsheet cell.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def letter_docx(letter: Letter) -> bytes:
    document = Document()
    _set_up_document(document, letter)
    _letterhead(document, letter)
    _addressees(document, letter.addressees)
    for block in letter.body:
        if isinstance(block, LetterTable):
            _table(document, block)
        else:
            _body_paragraph(document, block)
    _closing(document, letter)
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up_document(document, letter: Letter) -> None:
    """The page, the body's font and language, page numbers, and the document's title."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT)
    normal.element.get_or_add_rPr().append(_element("w:lang", {"w:val": LANGUAGE}))
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    # Page numbers from the second page, centred in the top margin.
    section.different_first_page_header_footer = True
    number = section.header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number._p.append(_element("w:fldSimple", {"w:instr": "PAGE"}))
    document.core_properties.title = _xml_text(letter.subject)
    document.core_properties.author = _xml_text(letter.issuer.issuing_body)
    document.core_properties.language = LANGUAGE


def _letterhead(document, letter: Letter) -> None:
    issuer = letter.issuer
    table = _layout_table(document, (ISSUER_WIDTH_MM, MOTTO_WIDTH_MM))
    left, right = table.rows[0].cells
    _cell_line(left, issuer.governing_body, size=12, first=True)
    _cell_line(left, issuer.issuing_body, size=12, bold=True)
    _rule(left, length_mm=24, cell_width_mm=ISSUER_WIDTH_MM)
    _cell_line(left, letter.number, size=13).paragraph_format.space_before = Pt(6)
    _cell_line(left, letter.subject, size=12).paragraph_format.space_before = Pt(6)
    _cell_line(right, letter.national_name, size=12, bold=True, first=True)
    motto = _cell_line(right, letter.national_motto, size=13, bold=True)
    motto.runs[0].font.underline = True  # the motto's rule, as long as the motto itself
    _cell_line(right, letter.place_and_date, size=14, italic=True).paragraph_format.space_before = Pt(12)
    document.add_paragraph()


def _addressees(document, addressees: tuple[str, ...]) -> None:
    if len(addressees) == 1:
        paragraph = _paragraph(document, f"Kính gửi: {addressees[0]}", align=WD_ALIGN_PARAGRAPH.CENTER)
        paragraph.paragraph_format.space_after = Pt(12)
        return
    _paragraph(document, "Kính gửi:").paragraph_format.left_indent = Mm(20)
    for number, text in enumerate(addressees, start=1):
        paragraph = _paragraph(document, f"- {text}")
        # A wrapped line starts under the text, the dash hanging before it.
        paragraph.paragraph_format.left_indent = Mm(38)
        paragraph.paragraph_format.first_line_indent = Mm(-3.5)
        if number == len(addressees):
            paragraph.paragraph_format.space_after = Pt(12)


def _body_paragraph(document, text: str) -> None:
    paragraph = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = FIRST_LINE_INDENT
    paragraph.paragraph_format.space_after = Pt(6)
    paragraph.paragraph_format.line_spacing = 1.15


def _table(document, block: LetterTable) -> None:
    table = document.add_table(rows=1, cols=len(block.columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Mm(TEXT_WIDTH_MM * share) for share in block.widths]
    _set_column_widths(table, widths)
    header = table.rows[0]
    # Repeated at the top of each page the table runs onto.
    header._tr.get_or_add_trPr().append(_element("w:tblHeader", {"w:val": "true"}))
    for cell, text in zip(header.cells, block.columns, strict=True):
        _cell_line(cell, text, size=12, bold=True, first=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for values in block.rows:
        row = table.add_row()
        for index, (cell, text, width) in enumerate(zip(row.cells, values, widths, strict=True)):
            cell.width = width
            _cell_line(cell, text, size=12, first=True,
                       align=WD_ALIGN_PARAGRAPH.CENTER if index in block.centred else WD_ALIGN_PARAGRAPH.LEFT)
    document.add_paragraph().paragraph_format.space_after = Pt(6)


def _closing(document, letter: Letter) -> None:
    issuer = letter.issuer
    document.add_paragraph()
    table = _layout_table(document, (RECIPIENTS_WIDTH_MM, SIGNATURE_WIDTH_MM))
    # The recipients and the signature block stay together on one page.
    table.rows[0]._tr.get_or_add_trPr().append(_element("w:cantSplit"))
    left, right = table.rows[0].cells
    heading = _cell_line(left, "Nơi nhận:", size=12, bold=True, first=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    heading.runs[0].font.italic = True
    for text in letter.recipients:
        _cell_line(left, f"- {text}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_line(right, issuer.signer_authority, size=14, bold=True, first=True)
    _cell_line(right, issuer.signer_title, size=14, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _cell_line(right, "", size=14)
    _cell_line(right, issuer.signer_name, size=14, bold=True)


def _layout_table(document, widths_mm: tuple[float, ...]):
    """A borderless table that only places blocks side by side."""
    table = document.add_table(rows=1, cols=len(widths_mm))
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    margins = _element("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margins.append(_element(side, {"w:w": "57", "w:type": "dxa"}))  # 1 mm
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
    _set_column_widths(table, [Mm(width) for width in widths_mm])
    return table


def _set_column_widths(table, widths) -> None:
    """Each column's width, in the table's grid (which LibreOffice follows) and in its first row's cells
    (which Word follows); later rows' cells are given theirs as they are added."""
    for column, cell, width in zip(table.columns, table.rows[0].cells, widths, strict=True):
        column.width = width
        cell.width = width


def _cell_line(cell: _Cell, text: str, size: float, bold: bool = False, italic: bool = False, first: bool = False,
               align=WD_ALIGN_PARAGRAPH.CENTER) -> Paragraph:
    """A paragraph of ``cell``: its first (empty) one when ``first``, else a new one after the last."""
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    paragraph.alignment = align
    run = paragraph.add_run(_xml_text(text))
    run.font.size, run.font.bold, run.font.italic = Pt(size), bold, italic
    return paragraph


def _paragraph(document, text: str, align=WD_ALIGN_PARAGRAPH.LEFT) -> Paragraph:
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    paragraph.add_run(_xml_text(text))
    return paragraph


def _rule(cell: _Cell, length_mm: float, cell_width_mm: float) -> None:
    """A solid line of ``length_mm`` centred under the previous line: an empty paragraph's bottom border."""
    paragraph = cell.add_paragraph()
    borders = _element("w:pBdr")
    borders.append(_element("w:bottom", {"w:val": "single", "w:sz": "6", "w:space": "1", "w:color": "000000"}))
    # First into the empty properties: the schema puts the border before the indents set next.
    paragraph._p.get_or_add_pPr().append(borders)
    indent = Mm(max((cell_width_mm - 2 - length_mm) / 2, 0))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    paragraph.add_run().font.size = Pt(2)


def _element(tag: str, attributes: dict[str, str] | None = None):
    element = OxmlElement(tag)
    for name, value in (attributes or {}).items():
        element.set(qn(name), value)
    return element


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)
