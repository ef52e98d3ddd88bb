"""The report in the reader's language.

The rules name the report's parts with catalogue texts (Norwegian ids marked N_) so that
they can count outside a request; the page and the workbook show it translated.
"""

from dataclasses import replace

from flask_babel import gettext

from usht_events.catalogue.models import EventKind
from usht_events.reports.rules import Column, Matrix, Report, Row


def in_reader_language(report: Report) -> Report:
    """The same report with its titles, kinds and "unknown municipality" translated."""
    return replace(
        report,
        by_focus_area=_matrix(report.by_focus_area),
        by_kind=_matrix(report.by_kind),
        by_series=_matrix(report.by_series),
    )


def _matrix(matrix: Matrix) -> Matrix:
    # Focus areas and series are named by the organisers, kinds by us.
    columns = [
        Column(item.key, gettext(item.label)) if isinstance(item.key, EventKind) else item
        for item in matrix.columns
    ]
    rows = [
        Row(None, gettext(row.name), row.county) if row.number is None else row
        for row in matrix.rows
    ]
    return replace(matrix, title=gettext(matrix.title), columns=columns, rows=rows)
