"""The statistics as an Excel workbook (format=xlsx): one sheet, the same columns as the CSV,
numbers as numbers (rates formatted as percentages, days with one place), the totals row in
bold. Text a spreadsheet would run as a formula stays text. openpyxl (write-only mode)."""
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font


from contracts.suggestion_stats import CSV_COLUMNS
GROUPINGS = {"department": "按承办单位", "category": "按类别", "term": "按届次", "session": "按会议"}
PERCENT = {"reply_rate", "close_rate", "satisfaction_rate", "share_a", "share_b", "share_c"}


def _cell(sheet, value, key, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"            # never a formula, whatever the text starts with
    elif key in PERCENT:
        cell.number_format = "0.00%"
    elif key == "avg_days_to_reply":
        cell.number_format = "0.0"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(answer):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(GROUPINGS.get(answer["group_by"], answer["group_by"]))
    sheet.freeze_panes = "C2"
    sheet.append([_cell(sheet, title, None, bold=True) for _, title in CSV_COLUMNS])
    for item in answer["rows"]:
        sheet.append([_cell(sheet, item.get(key), key) for key, _ in CSV_COLUMNS])
    sheet.append([_cell(sheet, answer["totals"].get(key), key, bold=True) for key, _ in CSV_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
