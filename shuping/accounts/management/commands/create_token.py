"""`shuping create-token USERNAME`: print a new API token once (only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.accounts.services import create_api_token


class Command(BaseCommand):
    help = "为用户创建 API 令牌；令牌只显示这一次。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行创建")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"用户不存在：{options['username']}") from None
        raw = create_api_token(user, actor=None, name=options["name"])
        self.stdout.write(raw)
