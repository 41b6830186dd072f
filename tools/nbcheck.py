"""Check that committed notebooks carry no outputs or execution counts (house rule)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat


def dirty_cells(path: Path) -> list[int]:
    nb = nbformat.read(path, as_version=4)
    return [
        i for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))
    ]


def main(folder: str = "notebooks") -> int:
    bad = {p: dirty_cells(p) for p in sorted(Path(folder).glob("*.ipynb"))}
    bad = {p: cells for p, cells in bad.items() if cells}
    for p, cells in bad.items():
        print(f"{p}: cells {cells} have outputs; run nbstripout {p}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
