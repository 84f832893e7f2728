"""`shuping serve`: the production server (Granian, a Rust HTTP server running the
WSGI app in several worker processes), with static files served by Granian itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def start_task_worker() -> subprocess.Popen[bytes] | None:
    """Long work (the filing package) is queued in the database; one worker process runs
    it beside the web server, so `shuping serve` (and `shuping demo`) do everything."""
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if not backend.startswith("django_tasks_db."):
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "shuping.cli", "db_worker", "--interval", "2", "--verbosity", "0"]
    )


def require_free_port(host: str, port: int) -> None:
    """Granian binds with SO_REUSEPORT, so a second server on a busy port would start
    silently and share the traffic with the first one (perhaps on another database)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # SO_REUSEADDR so a just-stopped server's TIME_WAIT connections don't count;
            # a live listener still makes the bind fail.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError:
        raise CommandError(
            f"端口 {port} 已被占用：可能已有一个述评服务在运行。"
            "请先停止它，或用 --port 换一个端口。"
        ) from None


class Command(BaseCommand):
    help = "运行生产服务器（Granian）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_WORKERS", "0")),
            help="工作进程数，默认为 CPU 核数",
        )
        # Threads of one worker take turns on one interpreter lock: beyond what covers the
        # database waits they only fight for it. At a meeting's peak (bench/ballots.py,
        # 2 cores, interleaved runs) cores + 1 threads cost a ballot 30-40% less server
        # CPU on PostgreSQL than 2 x cores + 1 did, with a lower p99.
        default_threads = min(8, (os.cpu_count() or 1) + 1)
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", default_threads)),
            help="每个工作进程的线程数，默认为 CPU 核数加一",
        )
        # Granian holds one backpressure slot per open keep-alive connection: a room of
        # phones needs many more slots than threads, or late connections time out.
        parser.add_argument(
            "--backpressure",
            type=int,
            default=int(os.environ.get("WEB_BACKPRESSURE", "1024")),
            help="每个进程同时接受的连接数上限",
        )
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument(
            "--no-worker", action="store_true", help="不启动后台任务进程（另行运行 db_worker 时）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        require_free_port(options["host"], options["port"])
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # shared cache (idempotent)
        workers = options["workers"] or (os.cpu_count() or 1)
        self.stdout.write(
            f"述评 Shuping 正在 http://{options['host']}:{options['port']} 运行"
            f"（{workers} 个进程，另有 1 个后台任务进程），按 Ctrl+C 停止。"
        )
        worker = None if options["no_worker"] else start_task_worker()
        try:
            self._serve(options, workers)
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()

    def _serve(self, options: dict[str, Any], workers: int) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        Granian(
            "shuping.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=options["threads"],
            backpressure=max(options["backpressure"], options["threads"]),
            static_path_route=[settings.STATIC_URL.rstrip("/")],
            static_path_mount=[settings.STATIC_ROOT],
            log_level="warning",  # type: ignore[arg-type]
            respawn_failed_workers=True,
        ).serve()
