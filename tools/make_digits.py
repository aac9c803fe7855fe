"""Draw the ten digit images of lab 5.2 ("classify your own images"): source/lab05/digits/0.png ... 9.png.

    python tools/make_digits.py [OUTPUT_FOLDER]

The original lab shipped ten MNIST-like 28x28 PNGs (white digits on black).  Ours are deliberately *unlike* MNIST,
as a photo or a drawing of your own would be: RGB, various sizes and aspect ratios, dark ink on light paper (and two
light-on-dark ones), strokes of different widths, digits not centred.  Lab 5.2 asks students to write the
preprocessing that brings such an image to MNIST's format.  Each digit is a hand-designed stroke path (smoothed with
Catmull-Rom splines), so the images look handwritten rather than typeset.  The output is deterministic: no random
numbers, only fixed parameters per digit.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "source" / "lab05" / "digits"
SUPER = 4  # draw at 4x and downsample: smooth, anti-aliased strokes

Point = tuple[float, float]


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float = 0.0, turns: float = 1.0, n: int = 40):
    angles = [start + 2 * math.pi * turns * k / n for k in range(n + 1)]
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


# Strokes in a unit box (x to the right, y downwards); each digit is a list of polylines.
STROKES: dict[int, list[list[Point]]] = {
    0: [ellipse(0.5, 0.5, 0.3, 0.45, start=-1.4, turns=1.05)],
    1: [[(0.38, 0.2), (0.56, 0.04), (0.53, 0.5), (0.5, 0.96)]],
    2: [[(0.18, 0.28), (0.3, 0.1), (0.52, 0.04), (0.72, 0.12), (0.78, 0.3), (0.66, 0.52), (0.4, 0.76),
         (0.18, 0.95), (0.5, 0.93), (0.86, 0.94)]],
    3: [[(0.2, 0.14), (0.48, 0.04), (0.74, 0.14), (0.74, 0.34), (0.44, 0.48), (0.78, 0.6), (0.8, 0.82),
         (0.52, 0.96), (0.18, 0.88)]],
    4: [[(0.62, 0.96), (0.62, 0.5), (0.6, 0.04)], [(0.6, 0.04), (0.36, 0.36), (0.14, 0.66), (0.5, 0.65), (0.88, 0.64)]],
    5: [[(0.8, 0.05), (0.5, 0.05), (0.3, 0.06)], [(0.3, 0.06), (0.26, 0.44)],
        [(0.26, 0.44), (0.5, 0.38), (0.74, 0.48), (0.8, 0.72), (0.64, 0.92), (0.4, 0.96), (0.18, 0.86)]],
    6: [[(0.72, 0.06), (0.46, 0.16), (0.28, 0.42), (0.25, 0.7), (0.36, 0.92), (0.56, 0.96), (0.73, 0.84),
         (0.74, 0.64), (0.58, 0.52), (0.38, 0.56), (0.26, 0.7)]],
    7: [[(0.14, 0.08), (0.5, 0.07), (0.86, 0.08)], [(0.86, 0.08), (0.62, 0.5), (0.44, 0.96)]],
    8: [ellipse(0.5, 0.27, 0.22, 0.22, start=1.57), ellipse(0.5, 0.71, 0.28, 0.25, start=-1.57)],
    9: [ellipse(0.48, 0.3, 0.25, 0.24, start=0.0), [(0.73, 0.3), (0.7, 0.62), (0.64, 0.96)]],
}  # fmt: skip

# Per digit: canvas (width, height), box of the digit (left, top, height as fractions of the canvas), stroke width as
# a fraction of the digit's height, ink and paper colours.  Mostly dark on light, two light on dark.
STYLE = {
    0: dict(size=(64, 64), box=(0.3, 0.15, 0.7), width=0.09, ink=(20, 20, 90), paper=(245, 242, 230)),
    1: dict(size=(100, 80), box=(0.35, 0.12, 0.75), width=0.08, ink=(10, 10, 10), paper=(255, 255, 255)),
    2: dict(size=(80, 120), box=(0.2, 0.25, 0.5), width=0.12, ink=(150, 20, 20), paper=(235, 235, 235)),
    3: dict(size=(48, 48), box=(0.15, 0.1, 0.8), width=0.1, ink=(250, 250, 250), paper=(25, 30, 60)),
    4: dict(size=(150, 100), box=(0.4, 0.1, 0.8), width=0.07, ink=(30, 60, 30), paper=(250, 250, 215)),
    5: dict(size=(90, 90), box=(0.25, 0.2, 0.6), width=0.11, ink=(0, 0, 0), paper=(210, 220, 235)),
    6: dict(size=(60, 100), box=(0.15, 0.15, 0.6), width=0.1, ink=(70, 40, 10), paper=(255, 250, 240)),
    7: dict(size=(120, 120), box=(0.3, 0.2, 0.55), width=0.1, ink=(255, 220, 60), paper=(20, 70, 40)),
    8: dict(size=(72, 96), box=(0.2, 0.08, 0.8), width=0.09, ink=(40, 40, 40), paper=(230, 230, 230)),
    9: dict(size=(110, 70), box=(0.45, 0.1, 0.8), width=0.1, ink=(10, 30, 120), paper=(255, 255, 255)),
}


def catmull_rom(points: list[Point], samples: int = 12) -> list[Point]:
    """A smooth curve through the points (uniform Catmull-Rom spline)."""
    if len(points) < 3:
        return points
    pts = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(pts) - 2):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for k in range(samples):
            t = k / samples
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(
                    0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t2 + (-a + 3 * b - 3 * c + d) * t3)
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    out.append(points[-1])
    return out


def draw_digit(digit: int) -> Image.Image:
    style = STYLE[digit]
    w, h = style["size"]
    big = Image.new("RGB", (w * SUPER, h * SUPER), style["paper"])
    pen = ImageDraw.Draw(big)
    left, top, height = style["box"]
    dh = height * h * SUPER
    dw = 0.65 * dh  # digits are taller than wide
    x0, y0 = left * w * SUPER, top * h * SUPER
    width = max(1, round(style["width"] * dh))
    for stroke in STROKES[digit]:
        smooth = catmull_rom(stroke) if len(stroke) > 2 and len(stroke) < 30 else stroke
        xy = [(x0 + x * dw, y0 + y * dh) for x, y in smooth]
        pen.line(xy, fill=style["ink"], width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round pen tips
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=style["ink"])
    return big.resize((w, h), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    out.mkdir(parents=True, exist_ok=True)
    for digit in range(10):
        path = out / f"{digit}.png"
        draw_digit(digit).save(path, optimize=True)
        print(f"wrote {path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
