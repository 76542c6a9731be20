"""Helper for the persistence tests: a real redis-server on a free
loopback port, without persistence (--save ''), stopped by its PID.

    with Redis() as r:
        r.cli("KEYS", "*")      # redis-cli output lines
        r.stop(); r.start()     # same port again
"""
import shutil
import socket
import subprocess
import tempfile
import time

from node import free_port


class Redis:
    def __init__(self):
        self.port = free_port()
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="ntopng-redis-")

    @staticmethod
    def available():
        return shutil.which("redis-server") and shutil.which("redis-cli")

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--bind", "127.0.0.1", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not open port %d" % self.port)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def cli(self, *args, db=0):
        out = subprocess.run(["redis-cli", "-p", str(self.port), "-n", str(db)]
                             + [str(a) for a in args],
                             capture_output=True, text=True, timeout=10).stdout
        return [l for l in out.split("\n") if l != ""]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
