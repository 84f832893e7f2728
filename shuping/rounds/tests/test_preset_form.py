"""The structured preset editor: every shipped preset opens, saves unchanged with the
same rules, one edit changes exactly one thing, bad input errors at the field."""

from __future__ import annotations

import io
import re
import tomllib
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from shuping.audit.models import AuditEntry
from shuping.conftest import PASSWORD
from shuping.rounds import preset_form as pf
from shuping.rounds.models import Preset
from shuping.rounds.preset_services import copy_for_office
from shuping.rounds.preset_toml import dumps
from shuping.rounds.presets import parse_preset_text, shipped_presets
from shuping.rounds.rules import parse_rules

SHIPPED = list(shipped_presets())


class FormReader(HTMLParser):
    """The fields a browser would submit from the preset form (without any button)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._selected: str | None = None
        self._first: str | None = None
        self._area: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") != "file":
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.data.append((a["name"], a.get("value") or "on"))
            elif kind not in ("submit", "button"):
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._selected, self._first = a.get("name"), None, None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self._selected = a.get("value", "")
        elif tag == "textarea":
            self._area, self._text = a.get("name"), ""

    def handle_data(self, data: str) -> None:
        if self._area:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            value = self._selected if self._selected is not None else self._first
            self.data.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._area:
            self.data.append((self._area, self._text))
            self._area = None


def read_form(html: str) -> dict[str, list[str]]:
    reader = FormReader()
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.data:
        if name != "csrfmiddlewaretoken":
            out.setdefault(name, []).append(value)
    return out


def login(client: Client, user) -> Client:
    assert client.login(username=user.username, password=PASSWORD)
    return client


def office_copy(cast, key: str) -> Preset:
    return copy_for_office(
        key, actor=cast.street_organizer, committee=cast.street, title="甲街道的模板"
    )


def post(client: Client, url: str, data: dict[str, list[str]], button: str, value: str = "x"):
    return client.post(url, {**data, button: value})


@pytest.mark.parametrize("key", SHIPPED)
def test_each_shipped_preset_opens_and_saves_unchanged(client, cast, key):
    preset = office_copy(cast, key)
    before = preset.latest()
    login(client, cast.street_organizer)
    url = reverse("rounds:preset_edit", args=[preset.key])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert key not in html and ".toml" not in html and ".txt" not in html  # no codes or files
    response = post(client, url, read_form(html), "_save")
    assert response.status_code == 302, response.content.decode()[:3000]
    after = preset.latest()
    assert after.number == before.number + 1
    assert after.rules == before.rules
    assert parse_rules(after.rules) == parse_rules(before.rules)
    assert AuditEntry.objects.filter(action="preset.save").exists()


@pytest.mark.parametrize("key", SHIPPED)
def test_form_to_rules_to_toml_to_rules_is_identical(key):
    shipped = shipped_presets()[key]
    meta, data = parse_preset_text(shipped.text, source=key)
    state = pf.state_from_rules(meta, data, base=1)
    built = pf.build_rules(state, meta, data)
    assert built.errors == {}
    assert built.data == data and built.meta == meta
    text = dumps(built.meta, built.data)
    meta2, data2 = parse_preset_text(text, source=key)
    assert parse_rules(data2) == parse_rules(data) and data2 == data and meta2 == meta
    assert tomllib.loads(text)["key"] == key


@pytest.fixture
def edit004(client, cast):
    preset = office_copy(cast, "004_jiedao_shuangshu")
    login(client, cast.street_organizer)
    url = reverse("rounds:preset_edit", args=[preset.key])
    return preset, url, read_form(client.get(url).content.decode())


def _changed(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in sorted(set(before) | set(after)):
            out += _changed(before.get(k), after.get(k), f"{path}.{k}")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += _changed(b, a, f"{path}[{i}]")
        return out
    return [] if before == after else [path]


def _field(data: dict[str, list[str]], pattern: str) -> str:
    names = [n for n in data if re.fullmatch(pattern, n)]
    assert len(names) == 1, (pattern, names)
    return names[0]


def test_editing_the_quorum_changes_exactly_that(client, edit004):
    preset, url, data = edit004
    before = preset.latest().rules
    meetings = before["meetings"]
    index = next(i for i, m in enumerate(meetings) if m.get("quorum"))
    data[f"mtg-{index}-quorum.members_min_share"] = ["85%"]
    assert post(client, url, data, "_save").status_code == 302
    after = preset.latest().rules
    assert _changed(before, after) == [f".meetings[{index}].quorum.members_min_share"]
    quorum = parse_rules(after).meetings[index].quorum
    assert quorum is not None and quorum.members_min_share == pytest.approx(0.85)


def test_editing_a_phase_date_changes_exactly_that(client, edit004):
    preset, url, data = edit004
    before = preset.latest().rules
    data["ph-0-due_m"], data["ph-0-due_d"] = ["3"], ["5"]
    data["ph-0-start_m"], data["ph-0-start_d"] = [""], [""]
    assert post(client, url, data, "_save").status_code == 302
    after = preset.latest().rules
    changed = _changed(before, after)
    assert ".timeline[0].due" in changed and set(changed) <= {
        ".timeline[0].due",
        ".timeline[0].start",
    }
    assert after["timeline"][0]["due"].endswith("-03-05")


def test_editing_a_grade_share_changes_exactly_that(client, cast):
    preset = office_copy(cast, "002_shichang_jianguan")
    login(client, cast.street_organizer)
    url = reverse("rounds:preset_edit", args=[preset.key])
    data = read_form(client.get(url).content.decode())
    before = preset.latest().rules
    index = next(i for i, g in enumerate(before["grading"]) if g.get("share"))
    data[f"rule-{index}-share"] = ["15%"]
    assert post(client, url, data, "_save").status_code == 302
    after = preset.latest().rules
    assert _changed(before, after) == [f".grading[{index}].share"]
    assert after["grading"][index]["share"] == "3/20"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("meta.title", "", "请填写此项"),
        ("sec-0-max_share", "120%", "比例不能超过100%"),
        ("sec-0-title", " ", "请填写此项"),
        ("mtg-0-minutes_per_report", "七", "请填写整数"),
        ("rules.ballot_scale", "好", "至少填两档"),
    ],
)
def test_bad_input_errors_at_the_field(client, edit004, name, value, message):
    preset, url, data = edit004
    data[name] = [value]
    response = post(client, url, data, "_save")
    html = response.content.decode()
    assert response.status_code == 200 and preset.latest().number == 1
    field = re.search(
        rf'<div class="field[^"]*has-error[^"]*">(?:(?!</div>).)*name="{re.escape(name)}"'
        rf"(?:(?!</div>).)*</div>",
        html,
        re.S,
    )
    assert field and message in field.group(0)


def test_phase_end_before_start_errors_at_the_end(client, edit004):
    preset, url, data = edit004
    data["ph-0-start_y"], data["ph-0-start_m"], data["ph-0-start_d"] = ["0"], ["12"], ["20"]
    data["ph-0-due_y"], data["ph-0-due_m"], data["ph-0-due_d"] = ["0"], ["12"], ["10"]
    html = post(client, url, data, "_save").content.decode()
    assert "截止日期不能早于开始日期" in html and preset.latest().number == 1
    data["ph-0-due_m"], data["ph-0-due_d"] = ["2"], ["30"]
    assert "2月没有30日" in post(client, url, data, "_save").content.decode()


def test_quota_above_the_reporters_errors_at_the_quota(client, cast):
    preset = office_copy(cast, "004_jiedao_shuangshu")
    login(client, cast.street_organizer)
    url = reverse("rounds:preset_edit", args=[preset.key])
    data = read_form(client.get(url).content.decode())
    rules = preset.latest().rules
    index = next(i for i, g in enumerate(rules["grading"]) if g["kind"] == "quota_max")
    data["scope.expected_count"] = ["3"]
    data[f"rule-{index}-count"] = ["4"]
    html = post(client, url, data, "_save").content.decode()
    assert "名额不能超过应述职人数（3人）" in html and preset.latest().number == 1


def test_unknown_grade_in_a_rule_errors_at_the_field(client, cast):
    preset = office_copy(cast, "002_shichang_jianguan")
    login(client, cast.street_organizer)
    url = reverse("rounds:preset_edit", args=[preset.key])
    data = read_form(client.get(url).content.decode())
    data["rule-0-grades"] = ["优良"]
    html = post(client, url, data, "_save").content.decode()
    assert "等次“优良”不在测评或综合评价等次中" in html and preset.latest().number == 1


def test_rows_are_added_and_removed_without_javascript(client, edit004):
    preset, url, data = edit004
    sections = len([n for n in data if re.fullmatch(r"sec-\d+-src", n)])
    page = post(client, url, data, "_add", "sec").content.decode()
    data = read_form(page)
    assert len([n for n in data if re.fullmatch(r"sec-\d+-src", n)]) == sections + 1
    data[f"sec-{sections}-title"] = ["典型案例"]
    evaluators = len([n for n in data if re.fullmatch(r"mtg-0-ev-\d+-src", n)])
    data = read_form(post(client, url, data, "_add", "mtg-0-ev").content.decode())
    data[f"mtg-0-ev-{evaluators}-title"] = ["列席代表"]
    data[f"mtg-0-ev-{evaluators}-weight"] = ["10%"]
    data = read_form(post(client, url, data, "_remove", "ph-1").content.decode())
    before = preset.latest().rules
    assert post(client, url, data, "_save").status_code == 302
    after = preset.latest().rules
    titles = [s["title"] for s in after["report"]["sections"]]
    assert titles[-1] == "典型案例" and len(titles) == sections + 1
    new_key = after["report"]["sections"][-1]["key"]
    assert new_key not in {s["key"] for s in before["report"]["sections"]}
    assert after["meetings"][0]["evaluators"][-1]["title"] == "列席代表"
    assert len(after["timeline"]) == len(before["timeline"]) - 1
    assert after["timeline"][1] == before["timeline"][2]


def test_preview_shows_the_plan_without_saving(client, edit004):
    preset, url, data = edit004
    data["meta.title"] = ["甲街道双述双评（修改稿）"]
    page = post(client, url, data, "_preview")
    html = page.content.decode()
    assert page.status_code == 200 and "工作方案预览" in html and "述职范围" in html
    assert preset.latest().number == 1
    download = post(client, url, data, "_preview_docx")
    assert download.status_code == 200
    doc = Document(io.BytesIO(download.content))
    assert any("述职范围" in p.text for p in doc.paragraphs)
    assert preset.latest().number == 1


@pytest.mark.parametrize("who", ["reporter", "superior", "outsider"])
def test_forbidden_users_get_not_found(client, cast, who):
    preset = office_copy(cast, "004_jiedao_shuangshu")
    login(client, getattr(cast, who))
    url = reverse("rounds:preset_edit", args=[preset.key])
    assert client.get(url).status_code == 404
    assert client.post(url, {"base": "1", "_save": "x"}).status_code == 404
    assert preset.latest().number == 1


def test_a_shipped_preset_is_copied_not_edited(client, cast):
    login(client, cast.street_organizer)
    assert client.get(reverse("rounds:preset_edit", args=[SHIPPED[0]])).status_code == 404
    copy = client.post(
        reverse("rounds:preset_copy", args=[SHIPPED[0]]),
        {"committee": cast.street.pk, "title": "甲街道方案"},
    )
    assert copy.status_code == 302
    preset = Preset.objects.get(title="甲街道方案")
    assert copy["Location"] == reverse("rounds:preset_edit", args=[preset.key])


def test_a_stale_form_does_not_overwrite_a_newer_version(client, edit004):
    preset, url, data = edit004
    assert post(client, url, data, "_save").status_code == 302  # version 2
    data["meta.title"] = ["旧页面上的修改"]
    html = post(client, url, data, "_save").content.decode()  # still says base 1
    assert "已有更新的版本（第2版）" in html
    assert (
        preset.latest().number == 2 and Preset.objects.get(pk=preset.pk).title != "旧页面上的修改"
    )


def test_saved_preset_preview_page_and_download(client, cast):
    preset = office_copy(cast, "003_quwei_liangji")
    url = reverse("rounds:preset_preview", args=[preset.key])
    login(client, cast.street_organizer)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "一、述职范围和方式" in html and "003_" not in html
    download = client.get(url, {"download": "1"})
    assert download.status_code == 200
    assert any("述职范围" in p.text for p in Document(io.BytesIO(download.content)).paragraphs)
    login(client, cast.outsider)
    assert client.get(url).status_code == 404


def test_a_phase_cannot_count_from_itself(client, edit004):
    preset, url, data = edit004
    data["ph-0-after"] = data["ph-0-key"]
    data["ph-0-within_days"] = ["3"]
    html = post(client, url, data, "_save").content.decode()
    assert "不能选择本项自己" in html and preset.latest().number == 1
