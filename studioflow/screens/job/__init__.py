"""The job page: one job and everything it holds, a tab each (see page.py; a module per tab)."""

from studioflow.screens.job.fields import when
from studioflow.screens.job.page import JobScreen

__all__ = ["JobScreen", "when"]
