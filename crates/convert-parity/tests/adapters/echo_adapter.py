#!/usr/bin/env python3
"""A test adapter that answers every `run` with its input, as resolved.

`echo_adapter.py LOG [define]`: appends every request line it reads to LOG;
with `define` it declares the `define` feature, keeps `define`d values and
resolves `case.refs` (a digest it was never sent is an `errored` answer).
A case whose id is `crash-once` makes the first process that sees it exit
without answering (the marker file LOG.crashed remembers it).
"""
import json
import os
import sys

log_path = sys.argv[1]
declares_define = len(sys.argv) > 2 and sys.argv[2] == "define"
definitions = {}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


with open(log_path, "a", encoding="utf-8") as log:
    for line in sys.stdin:
        log.write(line)
        log.flush()
        request = json.loads(line)
        cmd = request.get("cmd")
        if cmd == "start":
            features = ["define"] if declares_define else []
            send({"ready": True,
                  "implementation": {"name": "echo", "version": "1", "language": "python"},
                  "capabilities": {"families": ["hash"], "contract_versions": [11], "features": features}})
        elif cmd == "define":
            definitions[request["digest"]] = request["value"]
        elif cmd == "run":
            case = request["case"]
            if case["id"] == "crash-once" and not os.path.exists(log_path + ".crashed"):
                open(log_path + ".crashed", "w").close()
                sys.exit(3)
            missing = [d for d in (case.get("refs") or {}).values() if d not in definitions]
            if missing:
                send({"seq": request["seq"], "errored": {"message": f"undefined reference {missing[0]}"}})
                continue
            for member, digest in (case.get("refs") or {}).items():
                case["input"][member] = definitions[digest]
            send({"seq": request["seq"], "result": case["input"]})
        elif cmd == "stop":
            break
