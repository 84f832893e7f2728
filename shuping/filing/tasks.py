"""Tasks run by the worker (`shuping db_worker`, started by `shuping serve` and `shuping demo`)."""

from __future__ import annotations

from django_tasks import task

from shuping.filing.package import build_package


@task()
def build_package_task(package_id: int) -> None:
    build_package(package_id)
