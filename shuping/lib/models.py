"""The one table the shared helpers need: office corrections to the official calendar."""

from __future__ import annotations

from django.db import models


class CalendarCorrection(models.Model):
    """A day the office knows better than the packaged calendar (a year it does not cover yet,
    or a local 调休). Read by `lib.workdays`; written by the results app's service."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "工作日更正"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'}"
