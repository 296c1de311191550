"""Exported tables as Excel workbooks (openpyxl, write-only mode: rows stream into the file).
Text always stays text: a cell starting with "=" is never run as a formula when opened."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text_or_number(sheet, value):
    """A write-only cell: numbers as numbers, everything else as a string cell."""
    cell = WriteOnlyCell(sheet, value=value if value is None or isinstance(value, (int, float)) and not
                         isinstance(value, bool) else str(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def workbook(rows, sheet_name="Sheet1"):
    """The bytes of an .xlsx file holding ``rows`` (lists of str/int/float/None) in one sheet."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name[:31])
    for row in rows:
        sheet.append([text_or_number(sheet, value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
