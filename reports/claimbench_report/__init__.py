"""claimbench reports: pure functions from result files (results/schema.json) to Markdown, HTML and plots.

Nothing here measures or re-computes a statistic the harness already computed: the report shows what the
result file says, so a report can always be regenerated from the file alone.
"""

from .load import load_result
from .render import render_html, render_markdown

__all__ = ["load_result", "render_html", "render_markdown"]
