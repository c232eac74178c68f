"""plot_check.py — checks that a rendered plot is a real picture, for tests only.

check_svg(path): parses with xml.etree, requires the SVG root, a positive size and
drawing elements. check_png(path): reads with OpenCV (cv2.imread), requires at least
min_size pixels per side and non-blank content (more than one colour and at least 1 %
of pixels differing from the background colour). Raises AssertionError otherwise.
"""
import xml.etree.ElementTree as ET


def check_svg(path, min_elements=10):
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg"), "%s: root is <%s>" % (path, root.tag)
    w = float(str(root.get("width", "0")).rstrip("pt").rstrip("px"))
    h = float(str(root.get("height", "0")).rstrip("pt").rstrip("px"))
    assert w > 50 and h > 50, "%s: size %sx%s" % (path, w, h)
    n = sum(1 for e in root.iter() if e.tag.split("}")[-1] in ("path", "rect", "line", "text", "use", "polyline", "g"))
    assert n >= min_elements, "%s: only %d drawing elements" % (path, n)
    return n


def check_png(path, min_size=100):
    import cv2
    import numpy as np
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", "%s: not a PNG" % path
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    assert img is not None, "%s: cv2 cannot read it" % path
    h, w = img.shape[:2]
    assert h >= min_size and w >= min_size, "%s: %dx%d" % (path, w, h)
    flat = img.reshape(-1, 3)
    bg = np.median(flat, axis=0)
    differ = np.mean(np.any(np.abs(flat.astype(int) - bg) > 8, axis=1))
    assert len(np.unique(flat, axis=0)) > 2 and differ > 0.01, "%s: blank (%.4f of pixels drawn)" % (path, differ)
    return w, h
