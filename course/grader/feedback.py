"""What a student may see of their graded notebook: nbgrader's feedback is made from a copy cleaned here."""

from __future__ import annotations

from .. import nbtools


def sanitise(nb, nonce: str = "") -> None:
    """Remove hidden tests' code, traceback lines and echoes of it, and the run markers from a graded notebook."""
    for cell in nb.cells:
        meta = nbtools.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        hidden = {
            line.strip()
            for block in nbtools.HIDDEN.findall(cell.source)
            for line in block.splitlines()
            if len(line.strip()) > 6
        }
        cell.source = nbtools.strip_hidden_tests(cell.source, "# (hidden tests ran here; their code is not shown)")
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
            elif out.get("output_type") == "stream":
                lines = str(out.get("text", "")).splitlines(keepends=True)
                lines = [ln for ln in lines if "##course-ran:" not in ln and not (ln.strip() and ln.strip() in hidden)]
                out["text"] = "".join(lines)
                if not out["text"]:
                    continue
            outputs.append(out)
        cell.outputs = outputs
