"""A decoder of the ZMQ wire protocol written from ../shared/docs/zmq-wire.md
alone (headers §2.2-2.3, zlib §3.2, TLV §3.3, JSON §3.1), independent of the
node's own collector: the tests use it to check what our -I sends is what a
real upstream ntopng would read.
"""
import json
import struct
import zlib


def parse_header(h):
    """-> dict(topic, version, msg_id, source_id, tlv, zlib) or None."""
    n = len(h)
    if n == 40:
        return dict(topic=h[:32].split(b"\0")[0].decode(), version=struct.unpack("<I", h[32:36])[0],
                    msg_id=0, source_id=0, tlv=False, zlib=None)
    if n not in (24, 28, 36) or h[16] > 4:
        return None
    topic = h[:16].split(b"\0")[0].decode(errors="replace")
    ver = h[16]
    if ver == 1:
        return dict(topic=topic, version=1, msg_id=struct.unpack("=I", h[20:24])[0], source_id=0,
                    tlv=False, zlib=None)
    if n == 24:
        return dict(topic=topic, version=ver, msg_id=struct.unpack(">I", h[20:24])[0],
                    source_id=h[17], tlv=ver == 3, zlib=None)
    if n == 28:
        return dict(topic=topic, version=ver, msg_id=struct.unpack(">I", h[20:24])[0],
                    source_id=struct.unpack(">I", h[24:28])[0], tlv=ver == 3, zlib=None)
    flags = h[17]
    return dict(topic=topic, version=ver, msg_id=struct.unpack(">I", h[28:32])[0],
                source_id=struct.unpack(">I", h[32:36])[0], tlv=bool(flags & 2),
                zlib=bool(flags & 4))


def decode_tlv(b):
    """nDPI serializer v1 TLV -> list of records (dict key -> value)."""
    if len(b) < 2 or b[0] != 1 or b[1] != 1:
        raise ValueError("not TLV v1")
    recs, cur, i = [], {}, 2

    def take(n):
        nonlocal i
        if i + n > len(b):
            raise ValueError("truncated TLV")
        v = b[i:i + n]
        i += n
        return v

    widths = {2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 2, 8: 4, 9: 8}
    while i < len(b):
        t = take(1)[0]
        kt, vt = t >> 4, t & 15
        if vt == 1:  # end of record
            recs.append(cur)
            cur = {}
            continue
        if kt in (2, 3, 4):
            key = int.from_bytes(take(widths[kt]), "big")
        elif kt == 11:
            key = take(struct.unpack(">H", take(2))[0]).decode()
        else:
            raise ValueError("bad key type %d" % kt)
        if vt in (2, 3, 4, 5):
            val = int.from_bytes(take(widths[vt]), "big")
        elif vt in (6, 7, 8, 9):
            val = int.from_bytes(take(widths[vt]), "big", signed=True)
        elif vt == 10:
            val = struct.unpack("=f", take(4))[0]
        elif vt == 11:
            val = take(struct.unpack(">H", take(2))[0]).decode(errors="replace")
        else:
            raise ValueError("unsupported value type %d" % vt)
        cur[key] = val
    if cur:
        recs.append(cur)
    return recs


def decode_message(frames):
    """[header, payload] -> (header dict, list of records or event dict)."""
    if len(frames) < 2:
        raise ValueError("message without payload")
    h = parse_header(frames[0])
    if h is None:
        raise ValueError("unsupported header of %d bytes" % len(frames[0]))
    p = frames[1]
    if h["zlib"]:
        p = zlib.decompress(p)
    elif not h["tlv"] and p[:1] == b"\0":
        p = zlib.decompress(p[1:])
    if h["tlv"] or p[:2] == b"\x01\x01":
        return h, decode_tlv(p)
    js = json.loads(p)
    return h, js if isinstance(js, list) or h["topic"] != "flow" else [js]
