"""Every notebook under notebooks/ runs in a real Jupyter kernel (nbclient), and what it
shows is what its text promises: the row counts it prints, the frames it displays, the
figure it draws. The examples users open stay true."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

#: What each notebook must show: text in its printed or displayed outputs, and the output
#: MIME types it must produce.
EXPECTED: Dict[str, Dict[str, List[str]]] = {
    "quickstart.ipynb": {"text": ["ws://127.0.0.1:", "site"], "mime": ["text/html"]},
    "ingest.ipynb": {
        "text": ["rows written: 1000000", "rows stored: 1000000", "written: [] not written: [(0, 10)]"],
        "mime": ["text/html"],
    },
    "pandas_sqlalchemy.ipynb": {
        "text": ["rows written: 5", "3 orders over 5", "('amount', 'DOUBLE')"],
        "mime": ["text/html"],
    },
    "plotting.ipynb": {"text": ["60 one-minute averages"], "mime": ["image/png"]},
}


def test_there_are_notebooks_and_each_has_expectations():
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    assert sorted(p.name for p in NOTEBOOKS) == sorted(EXPECTED)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_shows_what_it_says(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts: List[str] = []
    mimes = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            if out.get("output_type") == "stream":
                texts.append(out["text"])
            for mime, value in out.get("data", {}).items():
                mimes.add(mime)
                if mime.startswith("text/"):
                    texts.append(value if isinstance(value, str) else "".join(value))
    shown = "\n".join(texts)
    want = EXPECTED[path.name]
    for fragment in want["text"]:
        assert fragment in shown, f"{path.name} does not show {fragment!r}"
    for mime in want["mime"]:
        assert mime in mimes, f"{path.name} produced no {mime}"
