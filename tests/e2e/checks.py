"""Accessibility measurements run inside the page (Playwright `page.evaluate`), returning plain data."""

from __future__ import annotations

from typing import Any, TypedDict

from playwright.sync_api import Page


class Unlabelled(TypedDict):
    tag: str
    type: str
    id: str
    name: str


class LowContrast(TypedDict):
    element: str
    text: str
    color: str
    background: str
    ratio: float
    required: float


# Every visible form control and the text of its accessible name, as a screen reader would announce it:
# aria-labelledby, aria-label, then its <label>s (label[for] or a wrapping label).
_UNLABELLED_JS = """
() => {
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const text = (el) => (el ? (el.textContent || "").trim() : "");
  const out = [];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || !visible(el)) continue;
    if (["submit", "button", "reset"].includes(el.type) && (el.value || "").trim()) continue;
    const byIds = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .map((id) => text(document.getElementById(id))).join(" ").trim();
    const aria = (el.getAttribute("aria-label") || "").trim();
    const labels = Array.from(el.labels || []).map(text).join(" ").trim();
    if (!byIds && !aria && !labels) {
      out.push({tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id || "", name: el.name || ""});
    }
  }
  return out;
}
"""

# WCAG 2.x contrast of every visible element that holds text of its own, against the background
# it is painted on: the element's and its ancestors' background colours composited up to the first
# opaque one (white when none is). Large text (>= 24px, or >= 18.66px bold) needs 3:1, other text 4.5:1.
_CONTRAST_JS = """
(root) => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = "rgba(0, 0, 0, 0)";
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = rgba(getComputedStyle(node).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
  };
  const hasOwnText = (el) => Array.from(el.childNodes).some(
    (n) => n.nodeType === 3 && n.textContent.trim().length > 0);
  const out = [];
  const scope = document.querySelector(root) || document.body;
  for (const el of scope.querySelectorAll("*")) {
    if (!hasOwnText(el) || el.closest("#map, svg, script, style, noscript, option")) continue;
    const style = getComputedStyle(el);
    const hidden = style.visibility === "hidden" || Number(style.opacity) === 0;
    if (hidden || el.getClientRects().length === 0) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right <= 0 || rect.bottom <= 0) continue;
    const bg = background(el);
    const fg = over(rgba(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const required = large ? 3 : 4.5;
    if (ratio < required) {
      out.push({element: describe(el), text: el.textContent.trim().slice(0, 60),
                color: style.color, background: `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`,
                ratio: Math.round(ratio * 100) / 100, required});
    }
  }
  return out;
}
"""

_OVERFLOW_JS = """
() => {
  const limit = window.innerWidth + 1;
  const clipped = (el) => {
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      if (getComputedStyle(node).overflowX !== "visible") return true;
    }
    return false;
  };
  const describe = (el) => {
    const cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "";
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > limit && !clipped(el)) {
      wide.push(`${describe(el)} (right edge ${Math.round(r.right)} px)`);
    }
  }
  const page = document.documentElement;
  return {scrollWidth: page.scrollWidth, innerWidth: window.innerWidth, wide: wide.slice(0, 8)};
}
"""


def unlabelled_controls(page: Page) -> list[Unlabelled]:
    """Visible inputs, selects and textareas without an accessible name."""
    found: list[Unlabelled] = page.evaluate(_UNLABELLED_JS)
    return found


def low_contrast_text(page: Page, root: str = "body") -> list[LowContrast]:
    """Visible text under `root` (a CSS selector) whose contrast with its background is below WCAG AA."""
    found: list[LowContrast] = page.evaluate(_CONTRAST_JS, root)
    return found


def horizontal_overflow(page: Page) -> dict[str, Any]:
    """The page's scroll width against the viewport, and the first elements reaching past its right edge."""
    found: dict[str, Any] = page.evaluate(_OVERFLOW_JS)
    return found
