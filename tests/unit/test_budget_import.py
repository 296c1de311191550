"""Import file reading without a database: encoding detection (UTF-8, else GBK), the header
line and where the data begins, XLSX cell values as text, COPY error positions."""
import datetime

import pytest

from services.budget import importer

HEADER = "支付凭证号,支付日期,金额\n"


@pytest.mark.parametrize("encoding, asked, codec, pg", [
    ("utf-8", "auto", "utf-8-sig", "UTF8"),
    ("gbk", "auto", "gb18030", "GB18030"),
    ("gbk", "gbk", "gb18030", "GB18030"),
    ("utf-8", "utf-8", "utf-8-sig", "UTF8"),
])
def test_encoding_is_detected_or_taken(tmp_path, encoding, asked, codec, pg):
    path = tmp_path / "f.csv"
    path.write_bytes((HEADER + "V1,2026-01-02,1.00\nV2,2026-01-03,2.00").encode(encoding))
    assert importer.scan_csv(str(path), asked) == (codec, pg, 3)  # the last row has no newline


def test_utf8_with_bom_header_and_data_offset(tmp_path):
    path = tmp_path / "f.csv"
    data = ("\ufeff" + HEADER).encode("utf-8") + "V1,2026-01-02,1.00\r\n".encode()
    path.write_bytes(data)
    cells, offset = importer.read_header(str(path), "utf-8-sig")
    assert cells == ["支付凭证号", "支付日期", "金额"]
    assert data[offset:].startswith(b"V1,")


def test_a_multibyte_character_split_across_chunks_is_still_utf8(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK", 7)
    path = tmp_path / "f.csv"
    path.write_bytes(("收款人名称\n" + "宁陕县城关商贸有限公司\n" * 3).encode("utf-8"))
    assert importer.scan_csv(str(path))[0] == "utf-8-sig"


@pytest.mark.parametrize("value, text", [
    (None, None), (datetime.datetime(2026, 3, 5), "2026-03-05"), (datetime.date(2026, 3, 5), "2026-03-05"),
    (12345.0, "12345"), (1234.5, "1234.5"), (0.1, "0.1"), ("ZF01", "ZF01"), (7, "7"),
])
def test_xlsx_cells_become_text(value, text):
    assert importer.cell_text(value) == text


class _Diag:
    def __init__(self, context):
        self.context = context


class _CopyError(Exception):
    def __init__(self, context):
        super().__init__("bad")
        self.diag = _Diag(context)


def test_copy_errors_name_the_spreadsheet_row():
    assert importer.copy_context_row(_CopyError('COPY stage, line 4, column amount: "x"')) == (5, "amount")
    assert importer.copy_context_row(_CopyError(None)) == (None, None)
