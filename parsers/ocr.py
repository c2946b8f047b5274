"""OCR of page images: images and scanned PDFs -> text boxes, deskewed, with the table rules found.

The engine is RapidOCR (`rapidocr-onnxruntime`: the PP-OCRv4 Chinese detection and recognition
models ship in its wheel, so nothing is downloaded at run time). PDF pages are rendered with
pypdfium2 at 200 dpi. Each page is deskewed, red seal ink is dropped, the ruling lines of its
tables are found (OpenCV morphology) and erased before recognition, so text never runs across a
cell border. `parsers.ocr_tables` turns the result into the shared token stream.

Turning it off: `NIANBAO_OCR=0` in the environment (or `ocr=False` to `parse_bytes`).
"""
from __future__ import annotations

import io
import os
import threading
from dataclasses import dataclass, field

from parsers.errors import ParseError

DPI = 200
DET_SIDE = int(os.environ.get("NIANBAO_OCR_DET_SIDE", "1280") or 1280)
# a tall picture (a whole report as one PNG) is read in slices of about an A4 page's height
_SLICE_RATIO = 1.414
_MAX_PIXELS = 80_000_000  # decompression-bomb guard: a 200 dpi A4 page is 3.9 Mpx

_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
                (b"BM", "bmp"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))


def image_kind(data: bytes) -> str | None:
    """png, jpeg, gif, bmp or tiff when the bytes are such an image (by signature), else None."""
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            # "BM" also starts text; a BMP's header gives its own file size right after
            if kind == "bmp" and (len(data) < 26 or int.from_bytes(data[2:6], "little") not in (len(data), 0)):
                continue
            return kind
    return None


def enabled(ocr: bool | None = None) -> bool:
    """Whether OCR may run: the argument when given, else the env setting NIANBAO_OCR (default on)."""
    if ocr is not None:
        return ocr
    return os.environ.get("NIANBAO_OCR", "1").strip().lower() not in ("0", "false", "no", "off")


@dataclass(slots=True)
class Box:
    """One recognised text line (or part of a line) in deskewed page pixels."""
    text: str
    conf: float
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Page:
    """One page read by OCR: its boxes, the ruling-line masks of its tables and its skew."""
    width: int
    height: int
    boxes: list[Box] = field(default_factory=list)
    hmask: object = None  # numpy uint8 masks (255 = rule), page-sized
    vmask: object = None
    ink: object = None  # the binarised page (255 = ink), for rules too short for the masks
    tables: list = field(default_factory=list)  # parsers.ocr_grid.Grid of each ruled table
    skew: float = 0.0


_ENGINE = None
_LOCK = threading.Lock()


def engine():
    """The RapidOCR engine, built once per process (loading the models takes about a second).
    One thread unless NIANBAO_OCR_THREADS says more: the crawler runs other work beside it."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise ParseError("OCR is not installed (pip install rapidocr-onnxruntime)") from None
            threads = int(os.environ.get("NIANBAO_OCR_THREADS", "1") or 1)
            # detection runs on the page scaled to DET_SIDE px at most (recognition reads the
            # full-resolution crops): 1280 finds the same lines as the default 2000 at 0.4x the cost
            _ENGINE = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, use_cls=False,
                               print_verbose=False, max_side_len=DET_SIDE)
        return _ENGINE


def load_images(data: bytes, name: str = "") -> list:
    """The pages of an image file (every frame of a multi-page TIFF) as RGB PIL images."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = _MAX_PIXELS
    try:
        im = Image.open(io.BytesIO(data))
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(im)] if getattr(im, "n_frames", 1) > 1 \
            and im.format == "TIFF" else [im.convert("RGB")]
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise ParseError(f"not a readable image ({type(e).__name__}: {str(e)[:80]})") from None
    return frames


def render_pdf(data: bytes, pages: list[int] | None = None, dpi: int = DPI) -> list:
    """PDF pages rendered to RGB PIL images with pypdfium2 (all pages, or those listed, 0-based)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise ParseError(f"not a readable PDF ({e})") from None
    try:
        out = []
        for n in (range(len(pdf)) if pages is None else pages):
            page = pdf[n]
            out.append(page.render(scale=dpi / 72).to_pil().convert("RGB"))
            page.close()
        return out
    finally:
        pdf.close()


def read_page(image) -> Page:
    """OCR one page image: deskew, drop seal red, find the tables' rules and erase them, detect
    text, cut detected boxes at cell borders, recognise each piece."""
    import cv2
    import numpy as np

    from parsers.ocr_grid import find_tables

    rgb = np.asarray(image.convert("RGB"))
    gray = _drop_red(rgb)
    angle = _skew(gray)
    if abs(angle) >= 0.05:
        gray = _rotate(gray, angle)
    h, w = gray.shape
    hmask, vmask, ink = _rules(gray)
    tables = find_tables(hmask, vmask, ink, w)
    # no median filter against specks: it eats the thin figures of a 150 dpi scan; specks are
    # left out of each crop instead (_tight, _ink_blobs)
    clean = gray.copy()
    rules = cv2.dilate(hmask | vmask, np.ones((5, 5), np.uint8)) > 0
    for t in tables:  # rules are erased inside tables only: big title characters have long strokes too
        area = (slice(max(0, t.ys[0] - 6), t.ys[-1] + 7), slice(max(0, t.xs[0] - 6), t.xs[-1] + 7))
        clean[area][rules[area]] = 255
        for x in t.xs:  # rules too short for the masks (a low value row) go too
            clean[t.ys[0]:t.ys[-1] + 1, max(0, x - 3):x + 4] = 255
        for y in t.ys:
            clean[max(0, y - 3):y + 4, t.xs[0]:t.xs[-1] + 1] = 255
    page = Page(w, h, hmask=hmask, vmask=vmask, ink=ink, skew=angle, tables=tables)
    rects: list[tuple[int, int, int, int]] = []
    for top, bottom in _slices(clean):
        rects += [(x0, y0 + top, x1, y1 + top) for x0, y0, x1, y1 in _detect(clean[top:bottom])]
    rects = _cut_at_cells(rects, tables)
    rects = _missed_cells(rects, tables, clean)
    page.boxes = _recognise(clean, rects)
    return page


def _detect(gray) -> list[tuple[int, int, int, int]]:
    """Text line rectangles (axis-aligned: the page is deskewed) found by the detection model."""
    import numpy as np

    quads, _ = engine()(np.ascontiguousarray(gray), use_cls=False, use_rec=False)
    out = []
    for quad in quads or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        out.append((int(min(xs)), int(min(ys)), int(max(xs)) + 1, int(max(ys)) + 1))
    return out


def _cut_at_cells(rects, tables) -> list[tuple[int, int, int, int]]:
    """A detected line that runs across cell borders (figures in narrow cells read as one line
    once the rules are erased) is cut at the borders, so each piece is one cell's text."""
    out = []
    for x0, y0, x1, y1 in rects:
        cy = (y0 + y1) / 2
        t = next((t for t in tables if t.contains((x0 + x1) / 2, cy)), None)
        if t is None:
            out.append((x0, y0, x1, y1))
            continue
        i, _ = t.at((x0 + x1) / 2, cy)
        cuts = sorted({t.cell_box(i, j)[2] for j in range(len(t.xs) - 1)
                       if x0 + 4 < t.cell_box(i, j)[2] < x1 - 4})
        left = x0
        for c in cuts + [x1]:
            if c - left > 4:
                out.append((left, y0, c, y1))
            left = c
    return out


def _missed_cells(rects, tables, clean) -> list[tuple[int, int, int, int]]:
    """The rectangles to recognise, with the ink in table cells that no detected line covers (a
    lone small figure, or one line of a two-line label, that the detector passed over on a noisy
    scan) added: one rectangle per line of that ink, or a detected box of that line widened."""
    import numpy as np

    out = list(rects)
    for t in tables:
        seen: set[int] = set()
        for i, line in enumerate(t.owner):
            for j, cid in enumerate(line):
                if cid in seen:
                    continue
                seen.add(cid)
                x0, y0, x1, y1 = t.cell_box(i, j)
                ax, ay = x0 + 4, y0 + 4
                area = clean[ay:y1 - 3, ax:x1 - 3]
                labels = _ink_blobs(area)
                if labels is None:
                    continue
                covered = np.zeros(area.shape, bool)
                for rx0, ry0, rx1, ry1 in out:
                    if rx1 > ax and rx0 < x1 and ry1 > ay and ry0 < y1:
                        covered[max(0, ry0 - ay):max(0, ry1 - ay), max(0, rx0 - ax):max(0, rx1 - ax)] = True
                # pixel by pixel: blur joins a character to the one below it in the next line
                left = (labels > 0) & ~covered
                if left.sum() < 20:
                    continue
                for r0, r1 in _runs(left.sum(axis=1) >= 2, join=2, shortest=8):
                    cols = np.flatnonzero(left[r0:r1].any(axis=0))
                    pad = 6
                    new = (ax + int(cols[0]) - pad, ay + r0 - pad, ax + int(cols[-1]) + pad, ay + r1 + pad)
                    # part of a glyph a detected box of the same line in this cell cut off: widen
                    # that box rather than read the glyph twice
                    same = [n for n, r in enumerate(out) if x0 <= (r[0] + r[2]) / 2 <= x1 and y0 <= (r[1] + r[3]) / 2 <= y1
                            and min(r[3], new[3]) - max(r[1], new[1]) > 0.5 * min(r[3] - r[1], new[3] - new[1])]
                    if same:
                        r = out[same[0]]
                        out[same[0]] = (min(r[0], new[0]), min(r[1], new[1]), max(r[2], new[2]), max(r[3], new[3]))
                    else:
                        out.append(new)
    return out


def _runs(flags, join: int = 3, shortest: int = 5) -> list[tuple[int, int]]:
    """(start, end) of the runs of True, runs `join` or fewer apart joined (one line of text)."""
    out: list[list[int]] = []
    for n, f in enumerate(flags):
        if not f:
            continue
        if out and n - out[-1][1] <= join:
            out[-1][1] = n + 1
        else:
            out.append([n, n + 1])
    return [(a, b) for a, b in out if b - a >= shortest]


def _tight(clean, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int] | None:
    """The rectangle shrunk to its ink plus a margin of a quarter of the ink's height: the
    recogniser reads a lone figure in a wide cut-out cell poorly (0 as "o" at 0.3) and the same
    figure cropped tight well (0.99)."""
    import numpy as np

    h, w = clean.shape
    x0, y0, x1, y1 = max(0, int(x0)), max(0, int(y0)), min(w, int(x1)), min(h, int(y1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    blobs = _ink_blobs(clean[y0:y1, x0:x1])  # specks left out: one above a 1 makes it an i
    if blobs is None:
        return None
    inner = blobs > 0
    # rows with a few inked pixels at least (a speck does not join two lines); lines 2 px apart stay two
    bands = _runs(inner.sum(axis=1) >= max(2, (x1 - x0) // 40), join=1, shortest=1)
    lines = [(a, b) for a, b in bands if b - a >= 10]
    if lines and len(bands) > 1:
        # a piece of a detected box that also caught the next line of a two-line cell, or specks:
        # keep the line at the box's middle (a character's strokes are thinner than 10 px, lines not)
        mid = (y1 - y0) / 2
        a, b = min(lines, key=lambda r: 0 if r[0] <= mid <= r[1] else min(abs(r[0] - mid), abs(r[1] - mid)))
        inner = inner.copy()
        inner[:a] = False
        inner[b:] = False
    rows = np.flatnonzero(inner.any(axis=1))
    cols = np.flatnonzero(inner.any(axis=0))
    if len(rows) == 0 or inner.sum() < 8:
        return None
    pad = max(4, int(rows[-1] - rows[0]) // 4)
    return (max(0, x0 + int(cols[0]) - pad), max(0, y0 + int(rows[0]) - pad),
            min(w, x0 + int(cols[-1]) + pad + 1), min(h, y0 + int(rows[-1]) + pad + 1))


def _ink_blobs(area):
    """Labels of the ink blobs of a cell big enough to be part of a character (0: no blob;
    None: no such ink at all)."""
    import cv2
    import numpy as np

    if area.size == 0:
        return None
    dark = (area < 200).astype(np.uint8)  # a blurred scan's thin figures are light grey (170-190)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark)
    small = [k for k in range(1, n) if stats[k][4] < 12]
    if n - 1 - len(small) == 0 or sum(stats[k][4] for k in range(1, n) if stats[k][4] >= 12) < 20:
        return None
    if small:
        labels[np.isin(labels, small)] = 0
    return labels


def _inside(a, b) -> bool:
    """Whether most (70%) of rectangle a lies within rectangle b."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w > 0 and h > 0 and w * h >= 0.7 * (a[2] - a[0]) * (a[3] - a[1])


_REC_H = 48       # the recognition model's input height
_REC_MIN_W = 48   # narrowest input (a lone figure), zero-padded as the model's own batches are
_REC_BATCH = 2


def _read_crops(crops: list) -> list[tuple[str, float]]:
    """Recognise crops (BGR arrays) with the engine's recognition model, each batch padded only to
    its own widest crop. RapidOCR's own loop pads every input to at least 320 px wide, six times
    the work for a table cell's lone figure: this reads a page in 0.7x the time, same texts."""
    import cv2
    import numpy as np

    rec = engine().text_rec
    widths = [max(_REC_MIN_W, int(np.ceil(_REC_H * c.shape[1] / c.shape[0]))) for c in crops]
    order = sorted(range(len(crops)), key=widths.__getitem__)
    out: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    n = 0
    while n < len(order):
        batch = [order[n]]
        # similar widths only (sorted): padding a short line to a long one wastes the difference
        while (len(batch) < _REC_BATCH and n + len(batch) < len(order)
               and widths[order[n + len(batch)]] <= 1.3 * widths[batch[0]]):
            batch.append(order[n + len(batch)])
        n += len(batch)
        width = max(widths[k] for k in batch)
        norm = np.zeros((len(batch), 3, _REC_H, width), np.float32)
        for row, k in enumerate(batch):
            w = min(width, int(np.ceil(_REC_H * crops[k].shape[1] / crops[k].shape[0])))
            img = cv2.resize(crops[k], (w, _REC_H)).astype(np.float32).transpose((2, 0, 1))
            norm[row, :, :, :w] = (img / 255 - 0.5) / 0.5
        preds = rec.session(norm)[0]
        for k, res in zip(batch, rec.postprocess_op(preds)):
            out[k] = (res[0], float(res[1]))
    return out


def _recognise(clean, rects) -> list[Box]:
    """Recognise each rectangle's text (one batch run of the recognition model)."""
    import cv2

    tight = [t for t in (_tight(clean, *r) for r in rects) if t is not None]
    crops: list = []
    kept: list = []
    for rect in sorted(tight, key=lambda r: -(r[2] - r[0]) * (r[3] - r[1])):
        if any(_inside(rect, k) for k in kept):
            continue  # two detected boxes over one glyph (10 and its 0): read it once
        x0, y0, x1, y1 = rect
        crops.append(cv2.cvtColor(clean[y0:y1, x0:x1], cv2.COLOR_GRAY2BGR))
        kept.append((x0, y0, x1, y1))
    if not crops:
        return []
    results = _read_crops(crops)
    boxes = []
    for (x0, y0, x1, y1), res in zip(kept, results):
        text, conf = res[0].strip(), float(res[1])
        if text and conf >= 0.5:
            boxes.append(Box(text, conf, x0, y0, x1, y1))
    return boxes


def _drop_red(rgb):
    """Grey page with red ink (a round seal over the signature) turned white: the seal's ink
    would otherwise cover the body's name and the date, and break rules it crosses."""
    import numpy as np

    r, g, b = (rgb[..., i].astype(np.int16) for i in range(3))
    gray = (0.299 * r + 0.587 * g + 0.114 * b).astype(np.uint8)
    # bright red only: where the seal lies over black text the pixel is dark red, and is text
    red = ((r - np.maximum(g, b)) > 60) & (r > 180)
    gray[red] = 255
    return gray


def _skew(gray) -> float:
    """The page's skew in degrees, by the angle whose rotation makes ink rows sharpest
    (variance of the row sums of a small binarised copy), searched over ±3° coarse then fine."""
    import cv2
    import numpy as np

    h, w = gray.shape
    scale = 600 / max(w, 1)
    small = cv2.resize(gray, (600, max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)

    def score(a: float) -> float:
        m = cv2.getRotationMatrix2D((ink.shape[1] / 2, ink.shape[0] / 2), a, 1.0)
        rot = cv2.warpAffine(ink, m, (ink.shape[1], ink.shape[0]), flags=cv2.INTER_LINEAR, borderValue=0)
        return float(np.var(rot.sum(axis=1)))

    best = max(np.arange(-3, 3.01, 0.25), key=score)
    best = max(np.arange(best - 0.25, best + 0.26, 0.05), key=score)
    return float(round(best, 2)) if abs(best) > 1e-9 else 0.0


def _rotate(gray, angle: float):
    import cv2

    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _rules(gray):
    """Masks of the horizontal and vertical ruling lines (long thin runs of ink), and the ink."""
    import cv2

    h, w = gray.shape
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    unit = max(20, w // 34)  # about a quarter inch on an A4 page: longer than a body character's stroke
    # horizontal rules run across several cells: a longer kernel keeps title characters' strokes out
    hmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (2 * unit, 1)))
    vmask = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, unit)))
    # a blurred or speckled rule has gaps of a few pixels: close them along the rule
    hmask = cv2.morphologyEx(hmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    vmask = cv2.morphologyEx(vmask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 15)))
    return hmask, vmask, ink


def _slices(gray) -> list[tuple[int, int]]:
    """Bands of a tall page to recognise one at a time, cut where a row holds the least ink
    (between lines of text), each about an A4 page high."""
    import numpy as np

    h, w = gray.shape
    target = int(w * _SLICE_RATIO)
    if h <= target * 1.15:
        return [(0, h)]
    ink = (gray < 160).sum(axis=1)
    out = []
    top = 0
    while h - top > target * 1.15:
        lo, hi = top + int(target * 0.8), top + target
        cut = lo + int(np.argmin(ink[lo:hi]))
        out.append((top, cut))
        top = cut
    out.append((top, h))
    return out
