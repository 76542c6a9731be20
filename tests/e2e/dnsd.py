"""A small DNS server for the tests (UDP on 127.0.0.1, a random port):
answers PTR queries for the addresses in `ptr` ({ip: name}) and A
queries for the names in `a` ({name: "a.b.c.d"}), NXDOMAIN otherwise, and
counts every query by name (`queries`).  Runs in a thread of the test:

    with DnsServer(ptr={"192.168.1.6": "laptop.lan"}) as d:
        ... "--dns-server", "127.0.0.1:%d" % d.port ...
        d.queries["6.1.168.192.in-addr.arpa"]
"""
import collections
import ipaddress
import socket
import struct
import threading


def _qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        if n == 0:
            return ".".join(labels), off + 1
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n


def _encode(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


class DnsServer:
    def __init__(self, ptr=None, a=None):
        self.ptr = {}
        for ip, name in (ptr or {}).items():
            rev = ipaddress.ip_address(ip).reverse_pointer
            self.ptr[rev] = name
        self.a = dict(a or {})
        self.queries = collections.Counter()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join()
        self.sock.close()

    def count(self, name):
        with self.lock:
            return self.queries[name.lower()]

    def _run(self):
        while not self.stopping:
            try:
                msg, peer = self.sock.recvfrom(2048)
            except socket.timeout:
                continue
            try:
                reply = self._answer(msg)
            except (IndexError, struct.error):
                continue
            if reply:
                self.sock.sendto(reply, peer)

    def _answer(self, msg):
        qid, flags, qd = struct.unpack("!HHH", msg[:6])
        if qd != 1:
            return None
        name, off = _qname(msg, 12)
        qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
        question = msg[12:off + 4]
        lname = name.lower()
        with self.lock:
            self.queries[lname] += 1
        rdata = None
        if qtype == 12 and lname in self.ptr:
            rdata = _encode(self.ptr[lname])
        elif qtype == 1 and lname in self.a:
            rdata = socket.inet_aton(self.a[lname])
        if rdata is None:   # NXDOMAIN
            return struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
        answer = b"\xc0\x0c" + struct.pack("!HHIH", qtype, 1, 60, len(rdata)) + rdata
        return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer
