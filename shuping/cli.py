"""The `shuping` console command: Django's management commands plus the project's own.

Project commands may be typed with hyphens (`shuping import-roster`); they map to
the underscore module names Django looks up.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuping.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "shuping"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
