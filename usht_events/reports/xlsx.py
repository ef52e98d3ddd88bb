"""The participation report as an Excel workbook: the key figures, then one sheet per matrix.

Written in the reader's language (the request's), like the page it is downloaded from.
"""

import io

from flask_babel import gettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from usht_events.core.i18n import N_
from usht_events.reports.rules import Counts, Matrix, Report

# A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MEASURES = (
    ("registrations", N_("påmeldinger")),
    ("participants", N_("deltakere")),
    ("attendances", N_("møtt")),
)
TITLE_ROW, HEADER_ROW = 1, 2
NUMBER_WIDTH = 14
BOLD = Font(bold=True)


def neutralise(value):
    """Text that would start a formula gets a leading apostrophe (OWASP CSV injection advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def report_workbook(report: Report, centre_name: str) -> bytes:
    """The report as XLSX bytes."""
    workbook = Workbook()
    title = gettext("Deltakelse %(year)s – %(centre)s", year=report.year, centre=centre_name)
    _totals_sheet(workbook.active, report, title)
    for sheet_name, matrix in (
        (gettext("Satsningsområde"), report.by_focus_area),
        (gettext("Type arrangement"), report.by_kind),
        (gettext("Nettverk og program"), report.by_series),
    ):
        _matrix_sheet(workbook.create_sheet(sheet_name), matrix, f"{title}: {matrix.title}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _totals_sheet(sheet: Worksheet, report: Report, title: str) -> None:
    """The year's key figures and the certifications per kind."""
    sheet.title = gettext("Nøkkeltall")
    totals = report.totals
    rows = [
        (gettext("Arrangementer gjennomført"), totals.events_held),
        (gettext("Arrangementer avlyst"), totals.events_cancelled),
        (gettext("Påmeldinger"), totals.registrations),
        (gettext("Deltakere (personer)"), totals.participants),
        (gettext("Påmeldinger med oppmøte"), totals.attendances),
        *(
            (gettext("Godkjent: %(kind)s", kind=kind), count)
            for kind, count in totals.certifications
        ),
    ]
    _title(sheet, title)
    _header(sheet, [gettext("Nøkkeltall"), gettext("Antall")])
    for label, value in rows:
        sheet.append([neutralise(label), value])
    _widths(sheet, [max(len(label) for label, _ in rows) + 2, NUMBER_WIDTH])


def _matrix_sheet(sheet: Worksheet, matrix: Matrix, title: str) -> None:
    """Municipalities down, each column's three measures across, totals last."""
    groups = [column.label for column in matrix.columns] + [gettext("Totalt")]
    municipality, county = gettext("Kommune"), gettext("Fylke")
    measures = [gettext(measure) for _, measure in MEASURES]
    _title(sheet, title)
    _header(sheet, [municipality, county] + [f"{g} – {m}" for g in groups for m in measures])
    for row in matrix.rows:
        cells = [matrix.cell(row, column) for column in matrix.columns] + [matrix.row_total(row)]
        sheet.append([neutralise(row.name), neutralise(row.county), *_numbers(cells)])
    totals = [matrix.column_total(column) for column in matrix.columns] + [matrix.total]
    sheet.append([gettext("Totalt"), None, *_numbers(totals)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    names = [len(row.name) for row in matrix.rows] + [len(municipality)]
    counties = [len(row.county) for row in matrix.rows] + [len(county)]
    _widths(sheet, [max(names) + 2, max(counties) + 2] + [NUMBER_WIDTH] * (3 * len(groups)))


def _numbers(counts: list[Counts]) -> list[int]:
    return [getattr(c, attribute) for c in counts for attribute, _ in MEASURES]


def _title(sheet: Worksheet, title: str) -> None:
    sheet.append([neutralise(title)])
    sheet.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)


def _header(sheet: Worksheet, labels: list[str]) -> None:
    """A bold, wrapped header row, frozen with the row-label columns beside it."""
    sheet.append([neutralise(label) for label in labels])
    for cell in sheet[HEADER_ROW]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, min(3, len(labels)))


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 60)
