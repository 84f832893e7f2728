"""Every audit action has a Chinese label, the filter offers each, and the log page
shows no stored key (issue 13, point 4)."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

from shuping.audit import labels
from shuping.audit.services import record
from shuping.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""action\s*=\s*"([a-z_]+\.[a-z_]+)\"""")
# Actions built with f-strings, spelled out.
COMPOSED = {
    "report.save",
    "report.import",
    "report.upload_picture",
    "report.upload_slides",
    "meeting.in_progress",
    "meeting.closed",
}


def recorded_actions() -> set[str]:
    found = set(COMPOSED)
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_recorded_action_has_a_chinese_label_and_is_in_the_filter():
    actions = recorded_actions()
    assert len(actions) > 50
    missing = sorted(a for a in actions if a not in labels.ACTIONS)
    assert missing == [], f"give these audit actions a label in their AppConfig.ready(): {missing}"
    offered = {key for _, items in labels.action_choices() for key, _ in items}
    assert actions <= offered


def test_each_app_labels_the_actions_it_records():
    """The words live beside the code that records the action, not in the audit app."""
    assert not (ROOT / "audit" / "stage_labels.py").exists()
    misplaced = []
    for app in sorted(p for p in ROOT.iterdir() if (p / "apps.py").exists()):
        own = "".join(
            (app / name).read_text(encoding="utf-8")
            for name in ("apps.py", "audit_labels.py")
            if (app / name).exists()
        )
        for path in app.rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            for action in LITERAL.findall(path.read_text(encoding="utf-8")):
                if f'"{action}"' not in own:
                    misplaced.append(f"{app.name}: {action}")
    assert misplaced == []


def test_changes_read_in_chinese():
    lines = labels.change_lines("ballot.open", {"state": ["draft", "open"]})
    assert lines == [("状态", "准备中 → 测评中")]
    lines = labels.change_lines("campaign.sample", {"chosen": ["甲支部", "乙支部"]})
    assert lines == [("抽中", "甲支部、乙支部")]
    (line,) = labels.change_lines("ballot.close", {"digest": "ab" * 32})
    assert line[0] == "校验码" and len(line[1]) < 20
    assert labels.change_lines("x.y", {"secret_key": 1}) == [("其他信息", "1")]
    assert labels.action_label("nobody.registered") == "其他操作"


def test_log_page_shows_labels_not_keys(client, cast):
    record(
        actor=cast.organizer,
        action="ballot.issue_tokens",
        target=cast.street,
        organization=cast.street,
        changes={"issued": 20, "category": "member"},
    )
    record(
        actor=cast.organizer,
        action="campaign.status",
        target=cast.street,
        organization=cast.street,
        changes={"status": ["draft", "active"]},
    )
    assert client.login(username=cast.organizer.username, password=PASSWORD)
    html = client.get(reverse("organizations:audit")).content.decode()
    assert "生成扫码测评票" in html and "草拟 → 进行中" in html
    for key in ("ballot.issue_tokens", "campaign.status", "draft", "issued"):
        assert key not in html.split("<tbody>", 1)[1]
    filtered = client.get(reverse("organizations:audit"), {"action": "campaign.status"})
    body = filtered.content.decode().split("<tbody>", 1)[1]
    assert "变更方案状态" in body and "生成扫码测评票" not in body
