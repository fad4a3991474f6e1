#!/usr/bin/env python3
"""A protocol-v1 adapter that misbehaves on command, for the runner's own tests.

It answers the `hash` family with {"hash": len(value)} (the synthetic test
vectors expect exactly that) and injects one fault on the case named by
--case:

  crash        exit with status 3 instead of answering
  hang         stop answering anything (sleep forever)
  no-answer    skip this case's answer but answer the next ones (out of order)
  garbage      print a line that is not JSON
  wrong-seq    answer with another seq
  huge-line    print one line of --huge-bytes bytes
  stdout-flood print bytes without a newline, forever
  stderr-flood write --huge-bytes bytes to stderr, then answer correctly
  stderr-flood-forever  write to stderr forever, never answer
  slow         sleep --sleep seconds, then answer correctly
  orphan       start a child process that sleeps (it inherits the pipes and
               carries --marker), then stop answering
  errored      answer {"errored": ...}
  skipped      answer {"skipped": ...}
  wrong-shape  answer a result of the wrong shape
  float        answer the right hash as a float (3.0 for 3)
  off-by-one   answer the hash plus one
  crash-always exit with status 3 on every run request (whatever --case)
  bad-handshake answer `start` with garbage
  not-ready    answer `start` with {"ready": false}

--marker is ignored; tests use it to find leftover processes in /proc.
--pid-dir: write a file named after the pid of every process this adapter
starts (itself included), so tests can check that each was reaped.
"""
import argparse
import json
import os
import subprocess
import sys
import time

p = argparse.ArgumentParser()
p.add_argument("--mode", default="ok")
p.add_argument("--case", default="")
p.add_argument("--huge-bytes", type=int, default=20 * 1024 * 1024)
p.add_argument("--sleep", type=float, default=0.0)
p.add_argument("--marker", default="")
p.add_argument("--pid-dir", default="")
args = p.parse_args()


def record_pid(pid):
    if args.pid_dir:
        open(os.path.join(args.pid_dir, str(pid)), "w").close()


record_pid(os.getpid())


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    msg = json.loads(line)
    cmd = msg.get("cmd")
    if cmd == "start":
        if args.mode == "bad-handshake":
            sys.stdout.write("hello?\n")
            sys.stdout.flush()
            continue
        if args.mode == "not-ready":
            send({"ready": False, "message": "this adapter is broken on purpose"})
            sys.exit(0)
        send({"ready": True,
              "implementation": {"name": "fault-adapter", "version": "1", "language": "python"},
              "capabilities": {"families": ["hash"], "contract_versions": [11]}})
    elif cmd == "run":
        seq, case = msg["seq"], msg["case"]
        here = case["id"] == args.case
        if args.mode == "crash-always" or (here and args.mode == "crash"):
            sys.stderr.write("fault adapter: crashing on purpose\n")
            sys.exit(3)
        if here and args.mode == "hang":
            time.sleep(3600)
        if here and args.mode == "orphan":
            child = subprocess.Popen(
                [sys.executable, "-c", "import time; time.sleep(3600)", "--marker", args.marker])
            record_pid(child.pid)
            time.sleep(3600)
        if here and args.mode == "stdout-flood":
            chunk = "x" * 65536
            while True:
                sys.stdout.write(chunk)
        if here and args.mode == "stderr-flood-forever":
            chunk = "e" * 65536 + "\n"
            while True:
                sys.stderr.write(chunk)
        if here and args.mode == "no-answer":
            continue
        if here and args.mode == "garbage":
            sys.stdout.write("this is not json\n")
            sys.stdout.flush()
            continue
        if here and args.mode == "wrong-seq":
            send({"seq": seq + 100, "result": {"hash": 0}})
            continue
        if here and args.mode == "huge-line":
            sys.stdout.write("x" * args.huge_bytes + "\n")
            sys.stdout.flush()
            continue
        if here and args.mode == "stderr-flood":
            chunk = "e" * 65536 + "\n"
            for _ in range(args.huge_bytes // len(chunk)):
                sys.stderr.write(chunk)
            sys.stderr.flush()
        if here and args.mode == "slow":
            time.sleep(args.sleep)
        if here and args.mode == "errored":
            send({"seq": seq, "errored": {"message": "the SDK threw on purpose"}})
            continue
        if here and args.mode == "skipped":
            send({"seq": seq, "skipped": {"reason": "cannot reach this on purpose"}})
            continue
        if here and args.mode == "float":
            send({"seq": seq, "result": {"hash": float(len(case["input"]["value"]))}})
            continue
        if here and args.mode == "off-by-one":
            send({"seq": seq, "result": {"hash": len(case["input"]["value"]) + 1}})
            continue
        if here and args.mode == "wrong-shape":
            send({"seq": seq, "result": {"hash": "not a number"}})
            continue
        send({"seq": seq, "result": {"hash": len(case["input"]["value"])}})
    elif cmd == "stop":
        sys.exit(0)
