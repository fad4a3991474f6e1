#!/usr/bin/env python3
"""A protocol-v1 adapter that leaks state between cases, for the runner's own
tests of the determinism probe (`convert-parity run --shuffle`).

It relays every message to an inner adapter (--inner, a command line; the
tests use the reference engine's `convert-parity adapter`) and, for cases whose
input names a `visitor_id`, keeps a per-visitor cache across cases, the bug
class of an SDK whose visitor store outlives a visitor's config:

  none    no leak: relays answers unchanged (the control)
  first   a sticky cache keyed by visitor id: the first answer given to a
          visitor is the answer to every later case of that visitor
  stale   answers each case with the previous case's answer for the same
          visitor (remembering the latest real answer): state from the end of
          a long session leaks into a reused adapter
"""
import argparse
import json
import shlex
import subprocess
import sys

p = argparse.ArgumentParser()
p.add_argument("--inner", required=True)
p.add_argument("--leak", choices=["none", "first", "stale"], default="first")
args = p.parse_args()

inner = subprocess.Popen(
    shlex.split(args.inner), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
)
cache = {}


def ask(line):
    inner.stdin.write(line)
    inner.stdin.flush()
    return inner.stdout.readline()


for line in sys.stdin:
    msg = json.loads(line)
    cmd = msg.get("cmd")
    if cmd == "stop":
        inner.stdin.write(line)
        inner.stdin.close()
        inner.wait()
        sys.exit(0)
    if cmd == "define":
        # Not answered (feature `define`, which the inner adapter declares).
        inner.stdin.write(line)
        inner.stdin.flush()
        continue
    answer = ask(line)
    if cmd == "run" and args.leak != "none":
        visitor = msg["case"]["input"].get("visitor_id")
        reply = json.loads(answer)
        if isinstance(visitor, str) and "result" in reply:
            key = (msg["family"], visitor)
            real = reply["result"]
            if args.leak == "first":
                reply["result"] = cache.setdefault(key, real)
            else:
                reply["result"] = cache.get(key, real)
                cache[key] = real
            answer = json.dumps(reply) + "\n"
    sys.stdout.write(answer)
    sys.stdout.flush()
