"""The kept error list of a refused import: scoped to its user and what was imported into."""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from shuping.lib import import_errors
from shuping.lib.errors import NotFound
from shuping.lib.import_errors import RowError


def _request(user_pk: int, session: dict[str, Any]) -> Any:
    return SimpleNamespace(user=SimpleNamespace(pk=user_pk), session=session)


def test_kept_list_answers_only_its_user_and_scope() -> None:
    session: dict[str, Any] = {}
    errors = [RowError("表", 2, "列", "=1+1 不对"), RowError("文件", 0, "", "整份文件")]
    assert import_errors.keep(_request(1, session), "x", errors, scope=7) == 2
    resp = import_errors.download_kept(_request(1, session), "x", filename="清单.xlsx", scope=7)
    ws: Any = load_workbook(io.BytesIO(resp.content)).active
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["工作表", "行号", "列", "问题"],
        ["表", 2, "列", "=1+1 不对"],  # formula-like text stays text
        ["文件", None, None, "整份文件"],
    ]
    for who, scope, slot in ((2, 7, "x"), (1, 8, "x"), (1, 7, "y")):
        with pytest.raises(NotFound):
            import_errors.download_kept(_request(who, session), slot, filename="a", scope=scope)
    import_errors.forget(_request(1, session), "x")
    assert session == {}
