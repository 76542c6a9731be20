"""pcapfile.py - the classic pcap format, read and written by the
project's Python tools and tests (written from the format's description:
a 24-byte global header, then 16-byte record headers ts_sec, ts_usec,
incl_len, orig_len in the file's byte order, each followed by incl_len
bytes).  Big- and little-endian files, micro- and nanosecond magics.
"""
import struct

MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
          b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}


def parse(data):
    """-> (global header, link type, [(ts_sec, ts_usec, orig_len, frame)]),
    or None when data is not a classic pcap.  A record cut short by the
    end of the data ends the list."""
    end = MAGICS.get(bytes(data[:4]))
    if end is None or len(data) < 24:
        return None
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0fffffff
    recs, off = [], 24
    while off + 16 <= len(data):
        ts, tus, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            break
        recs.append((ts, tus, orig, bytes(data[off + 16:off + 16 + incl])))
        off += 16 + incl
    return bytes(data[:24]), linktype, recs


def read(path):
    """parse() of a file."""
    with open(path, "rb") as f:
        return parse(f.read())


def write(path, header, recs):
    """Writes a little-endian pcap: the given global header (24 bytes,
    little-endian) and (ts_sec, ts_usec, orig_len, frame) records."""
    with open(path, "wb") as f:
        f.write(header)
        for ts, tus, orig, frame in recs:
            f.write(struct.pack("<IIII", ts, tus, len(frame), orig))
            f.write(frame)


def udp_payloads(path):
    """UDP payloads of an Ethernet pcap (VLAN tags skipped), in order."""
    out = []
    for _, _, _, d in read(path)[2]:
        off, et = 14, struct.unpack("!H", d[12:14])[0]
        while et in (0x8100, 0x88a8):
            et = struct.unpack("!H", d[off + 2:off + 4])[0]
            off += 4
        if et == 0x0800 and d[off + 9] == 17:
            u = off + (d[off] & 15) * 4
        elif et == 0x86dd and d[off + 6] == 17:
            u = off + 40
        else:
            continue
        ulen = struct.unpack("!H", d[u + 4:u + 6])[0]
        out.append(d[u + 8:u + ulen])
    return out
