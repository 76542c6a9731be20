"""A ClickHouse server for end-to-end tests: started on free loopback
ports with its configuration, data and log under a temporary directory,
stopped by PID.

    from chserver import ClickHouse, have_clickhouse
    if not have_clickhouse():
        sys.exit(77)
    with ClickHouse() as ch:
        ch.query("SELECT 1")            # text of the answer (TSV)
        ch.http_port                     # for -F clickhouse;127.0.0.1@PORT;...

Two servers as the two shards of one cluster (a Distributed table over
per-shard MergeTree tables; no ZooKeeper):

    a, b = cluster_pair()                # not started yet; both know the
    with a, b:                           # cluster "ntop2" of both shards
        ...

kill() stops the server with SIGKILL (an outage); start() brings it back
on the same ports and data directory.  The server runs as the user of the
test (clickhouse-server refuses to run as root unless its files are
root's: they are, as everything is under the test's TMPDIR).
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SERVER = os.environ.get("CLICKHOUSE_SERVER", "/usr/bin/clickhouse-server")
if not os.path.exists(SERVER) and os.path.exists("/usr/sbin/clickhouse-server"):
    SERVER = "/usr/sbin/clickhouse-server"
CLUSTER = "ntop2"


def have_clickhouse():
    return os.access(SERVER, os.X_OK)


def _free_ports(n):
    """n distinct free loopback ports (all bound at once, then freed)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger>
    <level>information</level>
    <log>{dir}/log/server.log</log>
    <errorlog>{dir}/log/server.err.log</errorlog>
    <size>100M</size>
    <count>1</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <interserver_http_port>{inter}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>8589934592</uncompressed_cache_size>
  <mark_cache_size>104857600</mark_cache_size>
  <path>{dir}/data/</path>
  <tmp_path>{dir}/tmp/</tmp_path>
  <user_files_path>{dir}/user_files/</user_files_path>
  <format_schema_path>{dir}/format_schemas/</format_schema_path>
  <users_config>{dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <{cluster}>
{shards}
    </{cluster}>
  </remote_servers>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
"""

SHARD = """      <shard>
        <replica><host>127.0.0.1</host><port>{tcp}</port></replica>
      </shard>"""

USERS = """<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>2000000000</max_memory_usage>
      <load_balancing>random</load_balancing>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks>
        <ip>127.0.0.1</ip>
        <ip>::1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <writer>
      <password>s3cret</password>
      <networks>
        <ip>127.0.0.1</ip>
      </networks>
      <profile>default</profile>
      <quota>default</quota>
    </writer>
  </users>
  <quotas>
    <default>
      <interval>
        <duration>3600</duration>
        <queries>0</queries>
        <errors>0</errors>
        <result_rows>0</result_rows>
        <read_rows>0</read_rows>
        <execution_time>0</execution_time>
      </interval>
    </default>
  </quotas>
</yandex>
"""


class ClickHouse:
    """One clickhouse-server process.  Use as a context manager."""

    def __init__(self, name="ch", base=None):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="ntopng-%s-" % name, dir=base)
        self.http_port, self.tcp_port, self.inter_port = _free_ports(3)
        self.shard_tcp_ports = [self.tcp_port]
        self.peer = None   # the other server of a cluster_pair()
        self.proc = None
        self.keep = bool(os.environ.get("KEEP_CLICKHOUSE"))

    def write_config(self):
        for d in ("log", "data", "tmp", "user_files", "format_schemas"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        shards = "\n".join(SHARD.format(tcp=p) for p in self.shard_tcp_ports)
        with open(os.path.join(self.dir, "config.xml"), "w") as f:
            f.write(CONFIG.format(dir=self.dir, http=self.http_port, tcp=self.tcp_port,
                                  inter=self.inter_port, cluster=CLUSTER, shards=shards))
        with open(os.path.join(self.dir, "users.xml"), "w") as f:
            f.write(USERS)

    def start(self, timeout=60, tries=3):
        """Starts the server; when one of its ports was taken meanwhile
        (another process got it between our pick and the server's bind),
        picks new ones and tries again (a pair's peer is told the new
        port: its configuration file is rewritten, which the server
        rereads)."""
        for attempt in range(tries):
            try:
                return self._start(timeout)
            except RuntimeError as e:
                if "Address already in use" not in str(e) or attempt == tries - 1:
                    raise
                old = self.tcp_port
                self.http_port, self.tcp_port, self.inter_port = _free_ports(3)
                for srv in (self, self.peer):
                    if srv is not None:
                        srv.shard_tcp_ports = [self.tcp_port if p == old else p
                                               for p in srv.shard_tcp_ports]
                if self.peer is not None and self.peer.proc is not None:
                    self.peer.write_config()
        return self

    def _start(self, timeout):
        self.write_config()
        self.out = open(os.path.join(self.dir, "log", "stdout.log"), "ab")
        self.proc = subprocess.Popen(
            [SERVER, "--config-file=" + os.path.join(self.dir, "config.xml")],
            stdout=self.out, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("clickhouse-server exited with %d: %s"
                                   % (self.proc.returncode, self.log_tail()))
            try:
                if self.query("SELECT 1", timeout=2).strip() == "1":
                    return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError("clickhouse-server did not answer on %d: %s"
                           % (self.http_port, self.log_tail()))

    def log_tail(self, n=3000):
        try:
            with open(os.path.join(self.dir, "log", "server.err.log"), "rb") as f:
                return f.read()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def query(self, sql, body=None, timeout=30):
        """POSTs sql (and body); returns the answer text, raises on HTTP errors."""
        url = "http://127.0.0.1:%d/?%s" % (self.http_port, urllib.parse.urlencode({"query": sql}))
        req = urllib.request.Request(url, data=body if body is not None else b"", method="POST")
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.read().decode("utf-8", "replace")

    def version(self):
        return self.query("SELECT version()").strip()

    def kill(self):
        """SIGKILL, as an outage (the data directory stays)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def __enter__(self):
        if self.proc is None:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def cluster_pair(base=None):
    """Two servers, each configured with the cluster CLUSTER of both as
    its two shards (one replica each)."""
    a = ClickHouse("ch-shard1", base)
    b = ClickHouse("ch-shard2", base)
    a.shard_tcp_ports = [a.tcp_port, b.tcp_port]
    b.shard_tcp_ports = [a.tcp_port, b.tcp_port]
    a.peer, b.peer = b, a
    return a, b


if __name__ == "__main__":
    import sys
    if not have_clickhouse():
        print("clickhouse-server not installed")
        sys.exit(77)
    with ClickHouse() as ch:
        print("version", ch.version(), "http", ch.http_port)
