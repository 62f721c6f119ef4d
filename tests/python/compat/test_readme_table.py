"""The README's table of the official connectors' API items: every name it marks as
provided resolves on ``taosarrow``, so the table cannot claim what the package lacks."""

from __future__ import annotations

import re
from pathlib import Path

import taosarrow

README = Path(__file__).resolve().parents[3] / "README.md"
SECTION = "## Coming from taospy or taos-ws-py"


def table_rows():
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    lines = text[start : end if end > 0 else None].splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Documented item"))
    rows = []
    for line in lines[header + 2 :]:
        if not line.startswith("| "):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_the_table_has_every_section_of_the_reference():
    items = " ".join(r[0] for r in table_rows())
    for needle in ("DSN", "connect key", "TaosResult", "Cursor", "schemaless_insert", "statement2",
                   "stmt2_statement", "statement()", "new_bind_params", "Consumer", "Error",
                   "TIMESTAMP", "DECIMAL", "REST"):
        assert needle in items, needle


def test_every_name_marked_yes_exists():
    checked = 0
    for item, _taospy, _taosws, status in table_rows():
        assert status, item
        if not status.startswith("yes"):
            assert status.startswith(("not yet", "no:", "`bytes`")), (item, status)
            continue
        if ":" not in status.split("(")[0]:
            continue
        for name in re.findall(r"`([A-Za-z_][\w.]*)`", status.split(":", 1)[1]):
            obj = taosarrow
            for part in name.split("."):
                assert hasattr(obj, part), f"{item}: taosarrow.{name} is missing"
                obj = getattr(obj, part)
            checked += 1
    assert checked > 40
