from __future__ import annotations

import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_serve_refuses_a_busy_port():
    """Granian's SO_REUSEPORT would otherwise let two servers split one port's traffic."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match="已被占用"):
            call_command("serve", host="127.0.0.1", port=port, no_collectstatic=True)
        with pytest.raises(CommandError, match="已被占用"):
            call_command("demo", host="127.0.0.1", port=port)
