#!/usr/bin/python3
"""Saves the X screen, or the part X Y W H of it, as a PNG: python3-xlib and zlib alone
(for tests/tray-screenshot.sh, whose status icon host is not a GTK program)."""
import struct, sys, zlib
from Xlib import display, X

out = sys.argv[1]
d = display.Display()
root = d.screen().root
geo = root.get_geometry()
x, y, w, h = (int(v) for v in sys.argv[2:6]) if len(sys.argv) >= 6 else (0, 0, geo.width, geo.height)
raw = root.get_image(x, y, w, h, X.ZPixmap, 0xffffffff).data
rows = []
for r in range(h):
    line = raw[r * w * 4:(r + 1) * w * 4]
    px = bytearray()
    for i in range(0, len(line), 4):
        b, g, rr = line[i], line[i + 1], line[i + 2]
        px += bytes((rr, g, b))
    rows.append(b"\0" + bytes(px))
def chunk(t, data):
    c = struct.pack(">I", len(data)) + t + data
    return c + struct.pack(">I", zlib.crc32(t + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open(out, "wb").write(png)
