"""gateway.xlsx: exported tables open in a spreadsheet as written — numbers as numbers, text
as text (a cell starting with "=" is never a formula), the sheet named."""
import io

import openpyxl

from gateway.xlsx import workbook


def test_rows_round_trip_and_formulas_stay_text():
    data = workbook([["镇", "得分", "备注"], ["城关镇", 12.5, "=HYPERLINK(\"http://x\")"], ["四亩地镇", 3, None]],
                    "2026年第4季度")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "2026年第4季度"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["镇", "得分", "备注"], ["城关镇", 12.5, "=HYPERLINK(\"http://x\")"], ["四亩地镇", 3, None]]
    assert sheet["C2"].data_type == "s" and sheet["B2"].data_type == "n"


def test_a_long_sheet_name_is_cut_to_excels_31_characters():
    sheet = openpyxl.load_workbook(io.BytesIO(workbook([["a"]], "x" * 40))).active
    assert sheet.title == "x" * 31
