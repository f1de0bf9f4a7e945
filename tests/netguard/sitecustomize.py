"""Block outbound network for every Python process of the test run (loopback stays open).

Installed by tests/conftest.py through PYTHONPATH so that subprocesses (notebook kernels, the CLI)
inherit it. Anything that tries to download (nltk.download, a model hub) fails loudly.
"""
import os
import socket

if os.environ.get("KIT_BLOCK_NETWORK") == "1":
    _connect = socket.socket.connect
    _connect_ex = socket.socket.connect_ex

    def _allowed(address) -> bool:
        if isinstance(address, (str, bytes)):  # AF_UNIX
            return True
        host = str(address[0])
        return host in ("localhost", "::1") or host.startswith("127.") or host == "0.0.0.0"

    def connect(self, address):  # noqa: D401
        if not _allowed(address):
            raise OSError(f"network blocked by the test suite: connect to {address!r}")
        return _connect(self, address)

    def connect_ex(self, address):
        if not _allowed(address):
            raise OSError(f"network blocked by the test suite: connect to {address!r}")
        return _connect_ex(self, address)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
