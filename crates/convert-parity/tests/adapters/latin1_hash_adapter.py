#!/usr/bin/env python3
"""A protocol-v1 adapter with a classic hashing bug, for the fuzzer's own tests.

It answers the `hash` family with MurmurHash3 x86 32-bit of each character's
code unit & 0xff (what the npm `murmurhash` 1.x package did) instead of the
UTF-8 bytes: right for ASCII, wrong for everything else. `--crash-after N`
makes it exit after N answers instead (a crashing target).
"""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("--crash-after", type=int, default=-1)
args = p.parse_args()


def murmur3_32(data: bytes, seed: int) -> int:
    c1, c2, mask = 0xCC9E2D51, 0x1B873593, 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & mask
    h = seed & mask
    body = len(data) - len(data) % 4
    for i in range(0, body, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = rotl((k * c1) & mask, 15) * c2 & mask
        h = (rotl(h ^ k, 13) * 5 + 0xE6546B64) & mask
    k = 0
    for i, b in enumerate(data[body:]):
        k |= b << (8 * i)
    if len(data) % 4:
        h ^= rotl((k * c1) & mask, 15) * c2 & mask
    h ^= len(data)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & mask
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & mask
    return h ^ (h >> 16)


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


answered = 0
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("cmd") == "start":
        send({"ready": True,
              "implementation": {"name": "latin1-hash", "version": "1", "language": "python"},
              "capabilities": {"families": ["hash"], "contract_versions": [11]}})
    elif msg.get("cmd") == "run":
        if answered == args.crash_after:
            sys.exit(3)
        value = msg["case"]["input"]["value"]
        units = value.encode("utf-16-le")
        latin1 = bytes(units[i] for i in range(0, len(units), 2))
        send({"seq": msg["seq"], "result": {"hash": murmur3_32(latin1, msg["case"]["input"]["seed"])}})
        answered += 1
    elif msg.get("cmd") == "stop":
        break
