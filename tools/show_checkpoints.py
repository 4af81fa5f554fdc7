"""Print the stored checkpoint outputs of lessons:

    python tools/show_checkpoints.py lessons/*.ipynb
"""
import sys

import nbformat

for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    print(f"== {path}")
    for cell in nb.cells:
        if cell.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in cell.source:
            text = "".join(o.get("text", "") for o in cell.outputs).strip()
            print("  " + (text or "(no stored output)"))
