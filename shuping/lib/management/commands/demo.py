"""`shuping demo`: migrate, load the demo (idempotent), print the logins, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from shuping.demo import DEMO_PASSWORD, load_demo
from shuping.lib.management.commands.serve import require_free_port


class Command(BaseCommand):
    help = "加载演示数据并启动服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_serve"]:
            require_free_port(options["host"], options["port"])
        self.stdout.write("正在初始化数据库……")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("正在加载演示数据……")
        with transaction.atomic():
            logins = load_demo(lambda line: self.stdout.write("  " + line))
        url = f"http://{options['host']}:{options['port']}"
        self.stdout.write("")
        self.stdout.write(f"演示地址：{url}")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role in logins:
            self.stdout.write(f"  {username:<16} {role}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
