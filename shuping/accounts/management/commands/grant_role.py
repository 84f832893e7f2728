"""`shuping grant-role USERNAME ROLE CODE`: give a user a role at a node (creating the
user with `--create`; a generated password is printed once)."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuping.accounts.models import Role
from shuping.accounts.services import grant_role
from shuping.organizations.models import Organization


class Command(BaseCommand):
    help = "为用户授予某个党组织上的角色（organizer/host/reporter/superior/admin）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=list(Role.values))
        parser.add_argument("code", help="组织编码")
        parser.add_argument("--create", action="store_true", help="用户不存在时创建")
        parser.add_argument("--name", default="", help="新用户的姓名")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organization.objects.get(code=options["code"])
        except Organization.DoesNotExist:
            raise CommandError(f"组织编码不存在：{options['code']}") from None
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            if not options["create"]:
                raise CommandError(f"用户不存在：{options['username']}（加 --create 创建）")
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                options["username"], password=password, first_name=options["name"]
            )
            self.stdout.write(f"已创建用户 {user.username}，初始密码：{password}")
        grant_role(user, actor=None, role=options["role"], organization=org)
        self.stdout.write(f"{user.username}：{Role(options['role']).label} @ {org.name}")
