"""The report's SVG: text in it is escaped."""

from __future__ import annotations

from truceline.reports import svg


def test_map_labels_are_escaped() -> None:
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[60, 30], [70, 36]]}}
    base = svg.base_map(admin1={"type": "FeatureCollection", "features": []}, boundary=line)
    point = svg.MapPoint("x", 65, 33, 1, None, 0, False, '<script>alert("x")</script>')
    out = svg.map_svg(base, [point], title="T & <b>")
    assert "<script>" not in out and "&lt;script&gt;" in out and "T &amp; &lt;b&gt;" in out
