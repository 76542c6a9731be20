#!/usr/bin/python3
# Builds tests/corpus/zmq/ from the test vectors of zmq-wire.md §12.
# File format (also the fuzzer's input): byte 0 = header frame length N
# (0xff: the rest is one lone frame), then N header bytes, then the payload.
# Usage: tools/make-zmq-corpus.py [OUT_DIR] (default: this tree's
# tests/corpus/zmq); zmq-wire.md from $NTOPNG_SHARED (default ../shared).
import re, sys, zlib, os, struct
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.environ.get('NTOPNG_SHARED') or os.path.join(os.path.dirname(root), 'shared')
doc = open(os.path.join(shared, 'docs', 'zmq-wire.md')).read()
sec = doc[doc.index('## 12. Test vectors'):]
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'tests', 'corpus', 'zmq')
def hexbytes(txt):
    return bytes(int(h, 16) for h in re.findall(r'\b[0-9a-f]{2}\b', txt))
blocks = re.findall(r'\*\*(TV\d+)[^\n]*\n```\n(.*?)```', sec, re.S)
vec = {}
for name, body in blocks:
    lines = body.split('\n')
    hdr = b''; pay = b''; mode = None; paytxt = []
    for ln in lines:
        if ln.startswith('hdr:'):
            mode = 'hdr'; ln = ln[4:]
        elif ln.startswith('pay'):
            mode = 'pay'
            rest = ln.split(':', 1)[1].strip()
            if rest.startswith('{') or rest.startswith('['):
                pay = rest.encode(); mode = 'done'; continue
            ln = rest
        elif ln.startswith('inflates') or ln.startswith('{'):
            mode = 'done'
        if mode == 'hdr':
            part = ln.split('|')[0] if '|' in ln and not re.match(r'\s*[0-9a-f]{2} ', ln) else ln
            # keep only leading hex pairs (stop at comment text)
            m = re.match(r'\s*((?:[0-9a-f]{2}\s+)*[0-9a-f]{2})', ln)
            if m: hdr += hexbytes(m.group(1))
        elif mode == 'pay':
            m = re.match(r'\s*((?:[0-9a-f]{2}\s+)*[0-9a-f]{2})', ln)
            if m: pay += hexbytes(m.group(1))
    vec[name] = (hdr, pay)
# TV4 payload lines mix comments: rebuild strictly from the doc's layout
tv4 = sec[sec.index('**TV4'):sec.index('**TV5')]
body = tv4.split('```')[1]
pay = b''
for ln in body.split('\n')[2:]:
    ln = ln.split('   ')[0] if not ln.startswith('01 01') else '01 01'
    # each line: hex pairs possibly followed by label text; take pairs up to first non-hex token
    toks = ln.split()
    for t in toks:
        if re.fullmatch(r'[0-9a-f]{2}', t): pay += bytes([int(t, 16)])
        else: break
vec['TV4'] = (vec['TV4'][0], pay)
for name, (hdr, pay) in sorted(vec.items()):
    print(name, len(hdr), len(pay))
os.makedirs(out, exist_ok=True)

def tlv_str_key_u8(k, s): return bytes([0x2b, k]) + struct.pack('>H', len(s)) + s.encode()
def tlv(k, v, vt):
    kt, kb = (2, bytes([k])) if k < 256 else (3, struct.pack('>H', k))
    if vt == 'u8': return bytes([kt << 4 | 2]) + kb + bytes([v])
    if vt == 'u16': return bytes([kt << 4 | 3]) + kb + struct.pack('>H', v)
    if vt == 'u32': return bytes([kt << 4 | 4]) + kb + struct.pack('>I', v)
    if vt == 's': return bytes([kt << 4 | 11]) + kb + struct.pack('>H', len(v)) + v.encode()
    if vt == 'f': return bytes([kt << 4 | 10]) + kb + struct.pack('<f', v)
r1 = (b'\x01\x01' + tlv(8, '192.168.1.10', 's') + tlv(12, '93.184.216.34', 's') + tlv(7, 51514, 'u16') +
      tlv(11, 443, 'u16') + tlv(4, 6, 'u8') + tlv(1, 1500, 'u16') + tlv(2, 10, 'u8') + tlv(23, 3000, 'u16') +
      tlv(24, 8, 'u8') + tlv(22, 1700000000, 'u32') + tlv(21, 1700000030, 'u32') + tlv(57590, '91.126', 's') +
      tlv(130, '10.0.0.254', 's') + tlv(10, 3, 'u8') + tlv(14, 5, 'u8') + tlv(57595, 12.5, 'f') + b'\x01')
r2 = (bytes([0xbb]) + struct.pack('>H', 13) + b'IPV4_SRC_ADDR' + struct.pack('>H', 8) + b'10.9.9.9' +
      tlv(12, '10.8.8.8', 's') + tlv(7, 123, 'u8') + tlv(11, 123, 'u8') + tlv(4, 17, 'u8') + tlv(1, 76, 'u8') +
      tlv(2, 1, 'u8') + tlv(22, 1700000001, 'u32') + tlv(21, 1700000001, 'u32') + b'\x01')
assert vec["TV4"][1][:39] == r1[:39]  # the doc lines hold the same bytes
vec['TV4'] = (vec['TV4'][0], r1 + r2)
assert len(r1 + r2) == 177 and len(r1) == 111
vec['TV5'] = (vec['TV5'][0], r1)
vec['TV10'] = (b'flow'.ljust(32, b'\0') + struct.pack('<II', 0, 213), vec['TV10'][1])
assert zlib.decompress(vec['TV3'][1][1:]).startswith(b'{"8":"172.16.0.5"')
assert zlib.decompress(vec['TV6'][1]) == vec['TV1'][1]
def save(name, hdr, pay, lone=False):
    with open(os.path.join(out, name), 'wb') as f:
        f.write((bytes([0xff]) if lone else bytes([len(hdr)])) + hdr + pay)
for name, (hdr, pay) in vec.items():
    save(name.lower() + '.bin', hdr, pay)
    print(name, len(hdr), len(pay))
# negative vectors
save('n1_short_header.bin', b'flow'.ljust(20, b'\0'), vec['TV1'][1])
h = bytearray(vec['TV1'][0]); h[16] = 5
save('n2_version5.bin', bytes(h), vec['TV1'][1])
n3 = bytearray(vec['TV4'][1]); i = n3.index(bytes([0x3a, 0xe0, 0xfb])); n3[i] = 0x3e
save('n3_tlv_list.bin', vec['TV4'][0], bytes(n3))
save('n4_lone_header.bin', vec['TV1'][0], b'', lone=True)
save('n5_bad_json.bin', vec['TV1'][0], b'[{"8":"10.0.0.1","12":"10.0.0.2","1":5,"2":1},{"8":,},{"8":"10.0.0.3","12":"10.0.0.4","1":7,"2":1}]')
save('n6_zlib_bomb.bin', vec['TV1'][0], b'\x00' + zlib.compress(b' ' * (32 << 20), 9))
save('n7_wrong_types.bin', vec['TV1'][0], b'{"8":"10.0.0.1","12":"10.0.0.2","1":100,"2":2,"6":"x","10":"3","58":[1]}')
save('n8_truncated_zlib.bin', vec['TV1'][0], b'\x00' + zlib.compress(vec['TV1'][1])[:40])
save('n9_payload_alone.bin', b'', vec['TV1'][1], lone=True)
# hierarchies (docs/hierarchy.md "Convergence"): a snapshot on a
# subscriber's private topic (our string keys, u64 totals), a relayed one
# on "resync", and a node's event with its declaration
def skey(k, vt, v):
    b = bytes([0xb0 | vt]) + struct.pack('>H', len(k)) + k.encode()
    return b + (struct.pack('>H', len(v)) + v.encode() if vt == 11 else struct.pack('>Q', v))
def hdr28(topic, msg_id):
    return topic.encode().ljust(16, b'\0') + bytes([3, 0, 0, 0]) + struct.pack('>II', msg_id, 0x0a0b0c0d)
snap = (b'\x01\x01' + tlv(8, '10.1.0.1', 's') + tlv(12, '10.2.0.1', 's') + tlv(7, 1000, 'u16') +
        tlv(11, 53, 'u8') + tlv(4, 17, 'u8') + bytes([0x25, 1]) + struct.pack('>Q', 5 << 32) +
        tlv(2, 4, 'u8') + skey('SITE_PATH', 11, 'edge') + skey('ORIGIN_SEQ', 5, 12) + b'\x01')
save('h1_snapshot.bin', hdr28('snap.0123456789', 1), snap)
save('h2_resync.bin', hdr28('resync', 2), snap.replace(b'edge', b'e>rr'))
ev = hdr28('event', 3)
ev = ev[:16] + bytes([2]) + ev[17:]
save('h3_node_event.bin', ev, b'{"time":1796570000,"node_id":"edge","start_ms":1796569000000,'
     b'"uptime":1000,"export_interval":1,"export":{"flows":2,"bytes":900,"packets":9},'
     b'"snapshots":{"sent":1,"records":1,"refused":0}}')
