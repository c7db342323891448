"""The Power Query (M) function that lets Power BI call a scorer by URL."""

from .render import render_powerquery

__all__ = ("render_powerquery",)
