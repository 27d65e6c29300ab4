"""HTML pages rendered with Jinja2 (autoescaped)."""
