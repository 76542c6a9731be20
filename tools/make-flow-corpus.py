#!/usr/bin/env python3
"""Seeds the NetFlow/IPFIX and sFlow fuzz corpora (tests/corpus/netflow,
tests/corpus/sflow) from the UDP payloads of the shared export captures,
plus deterministic mutations of them (truncations, bad lengths, zero-length
sets, absurd template field lengths, unknown versions).

Each corpus file is the fuzzers' input format: one byte that picks the
exporter address, then one UDP payload.  Stdlib only; deterministic.

usage: tools/make-flow-corpus.py [SHARED_PCAPS_DIR]   (default ../shared/pcaps)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pcapfile  # noqa: E402


def write(dirname, name, sel, data):
    with open(os.path.join(dirname, name), 'wb') as f:
        f.write(bytes([sel]) + data)


def netflow_mutations(p):
    """A few structural mutations of one NetFlow v9/IPFIX payload."""
    muts = []
    muts.append(('half', p[:len(p) // 2]))
    muts.append(('hdr-only', p[:20]))
    b = bytearray(p)
    if b[1] == 10 and len(b) > 20:
        b2 = bytearray(b); b2[18:20] = b'\x00\x00'          # zero set length
        muts.append(('zero-set', bytes(b2)))
        b2 = bytearray(b); b2[2:4] = b'\xff\xff'            # message length
        muts.append(('msglen', bytes(b2)))
        if struct.unpack('!H', b[16:18])[0] == 2 and len(b) > 28:
            b2 = bytearray(b); b2[26:28] = b'\xff\xfe'      # absurd field length
            muts.append(('absurd-field', bytes(b2)))
            b2 = bytearray(b); b2[22:24] = b'\x7f\xff'      # field count
            muts.append(('fieldcount', bytes(b2)))
            b2 = bytearray(b); b2[22:24] = b'\x00\x00'      # withdrawal
            muts.append(('withdraw', bytes(b2)))
    if b[1] == 9 and len(b) > 24:
        b2 = bytearray(b); b2[22:24] = b'\x00\x02'          # flowset len 2
        muts.append(('short-set', bytes(b2)))
        b2 = bytearray(b); b2[26:28] = b'\x00\x00'          # 0 fields
        muts.append(('zero-fields', bytes(b2)))
    if b[1] == 5:
        b2 = bytearray(b); b2[2:4] = b'\x00\x1f'            # count 31
        muts.append(('count31', bytes(b2)))
        b2 = bytearray(b); b2[22:24] = b'\x40\x64'          # sampling 1/100
        muts.append(('sampled', bytes(b2)))
    muts.append(('version7', b'\x00\x07' + p[2:]))
    return muts


def sflow_mutations(p):
    muts = [('half', p[:len(p) // 2]), ('hdr-only', p[:28])]
    b = bytearray(p)
    if len(b) > 36:
        b2 = bytearray(b); b2[24:28] = b'\x7f\xff\xff\xff'  # num samples
        muts.append(('nsamples', bytes(b2)))
        b2 = bytearray(b); b2[32:36] = b'\xff\xff\xff\xf0'  # sample length
        muts.append(('samplelen', bytes(b2)))
        b2 = bytearray(b); b2[4:8] = b'\x00\x00\x00\x02'    # agent v6
        muts.append(('agent6', bytes(b2)))
        b2 = bytearray(b); b2[3] = 4                        # sFlow v4
        muts.append(('version4', bytes(b2)))
    return muts


def main():
    pcaps = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(REPO), 'shared', 'pcaps')
    nf = os.path.join(REPO, 'tests', 'corpus', 'netflow')
    sf = os.path.join(REPO, 'tests', 'corpus', 'sflow')
    os.makedirs(nf, exist_ok=True)
    os.makedirs(sf, exist_ok=True)
    n = s = 0
    for name in ('export-netflow5', 'export-netflow5-fprobe', 'export-netflow9',
                 'export-ipfix', 'export-ipfix-absms', 'export-ipfix-pmacct',
                 'netflowv9', 'netflow-fritz'):
        pl = pcapfile.udp_payloads(os.path.join(pcaps, name + '.pcap'))
        for i, p in enumerate(pl):
            write(nf, 'seed-%s-%d' % (name, i + 1), 0, p); n += 1
        for tag, m in netflow_mutations(pl[0]):
            write(nf, 'mut-%s-%s' % (name, tag), 1, m); n += 1
    for name, limit in (('export-sflow', 16), ('sflow', 9)):
        pl = pcapfile.udp_payloads(os.path.join(pcaps, name + '.pcap'))
        for i, p in enumerate(pl[:limit]):
            write(sf, 'seed-%s-%d' % (name, i + 1), 0, p); s += 1
        for i in (0, 3):
            for tag, m in sflow_mutations(pl[i]):
                write(sf, 'mut-%s-%d-%s' % (name, i + 1, tag), 1, m); s += 1
    print('netflow corpus: %d files, sflow corpus: %d files' % (n, s))


if __name__ == '__main__':
    main()
