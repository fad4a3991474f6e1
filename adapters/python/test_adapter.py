"""Protocol-level tests of the python adapter: spawn it, speak protocol v1,
check the answers.

Expected values come from the reference digests: the JavaScript SDK's verified
hash and bucket tables (which the Python SDK must and does reproduce), and the
Python SDK's documented behaviour where it differs from JavaScript. Run with
``.venv/bin/python -m unittest -v test_adapter`` after installing.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import unittest
from typing import Any, List, Sequence, Tuple

ADAPTER_DIR = os.path.dirname(os.path.abspath(__file__))


def session(lines: Sequence[Any]) -> Tuple[int, List[dict], str]:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    run = subprocess.run(
        [sys.executable, "adapter.py"], cwd=ADAPTER_DIR, input=text,
        capture_output=True, text=True, timeout=60,
    )
    return run.returncode, [json.loads(line) for line in run.stdout.splitlines() if line], run.stderr


def rule_of(key: str, match_type: str, value: Any, negated: bool = False) -> dict:
    return {"OR": [{"AND": [{"OR_WHEN": [
        {"key": key, "value": value, "matching": {"match_type": match_type, "negated": negated}}]}]}]}


PROBE = {
    "account_id": "100",
    "project": {"id": "200"},
    "experiences": [{
        "id": "300", "key": "exp-1", "version": 11, "audiences": ["500"],
        "settings": {"matching_options": {"audiences": "any"}},
        "variations": [
            {"id": "301", "key": "variation-0", "status": "running", "traffic_allocation": 50},
            {"id": "302", "key": "variation-1", "status": "running", "traffic_allocation": 50},
        ],
    }],
    "audiences": [{"id": "500", "key": "aud-pro", "type": "transient", "rules": rule_of("plan", "matches", "pro")}],
}


def experience_input(**fields: Any) -> dict:
    payload = {
        "config": copy.deepcopy(PROBE), "visitor_id": "visitor-123",
        "visitor_attributes": {"plan": "pro", "country": "US"},
        "location_attributes": {"url": "x"}, "experience_key": "exp-1",
    }
    for name, value in fields.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


class AdapterTest(unittest.TestCase):
    def run_cases(self, cases: Sequence[Tuple[str, Any]]) -> List[dict]:
        lines: List[Any] = [{"cmd": "start", "protocol": 1}]
        for seq, (family, payload) in enumerate(cases, start=1):
            lines.append({"cmd": "run", "seq": seq, "family": family, "case": {"id": f"t{seq}", "input": payload}})
        lines.append({"cmd": "stop"})
        status, out, stderr = session(lines)
        self.assertEqual(status, 0, stderr)
        self.assertEqual(len(out), len(cases) + 1)
        self.assertEqual([answer["seq"] for answer in out[1:]], list(range(1, len(cases) + 1)))
        return out[1:]

    def test_handshake(self) -> None:
        status, out, _ = session([{"cmd": "start", "protocol": 1, "unknown_future_field": True}, {"cmd": "stop"}])
        self.assertEqual(status, 0)
        self.assertEqual(len(out), 1)
        self.assertTrue(out[0]["ready"])
        self.assertEqual(out[0]["implementation"]["name"], "convert-python-sdk")
        self.assertEqual(out[0]["implementation"]["version"], "2.1.0")
        self.assertEqual(out[0]["capabilities"], {
            "families": [
                "hash", "bucketing", "rule", "experience", "experiences", "feature",
                "segments", "diagnostics", "config_validation", "scenario",
            ],
            "contract_versions": [11, 12],
            "features": ["diagnostics", "visitor_state", "store_key", "mutual_exclusion", "preview", "timing", "define"],
        })

    def test_other_protocol_is_refused(self) -> None:
        status, out, _ = session([{"cmd": "start", "protocol": 2}, {"cmd": "stop"}])
        self.assertEqual(status, 0)
        self.assertEqual(len(out), 1)
        self.assertFalse(out[0]["ready"])
        self.assertIn("protocol 1", out[0]["message"])

    def test_hash_table(self) -> None:
        table = [("", 0, 0), ("", 1, 1364076727), ("hello", 0, 613153351), ("hello", 9999, 198804431),
                 ("abc", 9999, 3277137089), ("é", 9999, 3298638250), ("😀", 9999, 689720682),
                 ("用户123", 9999, 3859151469), ("e1visitor-1", 9999, 3363324936)]
        answers = self.run_cases([("hash", {"value": v, "seed": s}) for v, s, _ in table])
        for (value, seed, expected), answer in zip(table, answers):
            self.assertEqual(answer.get("result"), {"hash": expected}, (value, seed))
        # A lone surrogate has no UTF-8 form in Python: an error, not a crash.
        (lone,) = self.run_cases([("hash", {"value": "\ud800", "seed": 9999})])
        self.assertIn("UnicodeEncodeError", lone["errored"]["message"])

    def test_bucketing(self) -> None:
        worked = [{"id": "O", "traffic_allocation": 2}, {"id": "V1", "traffic_allocation": 47},
                  {"id": "V2", "traffic_allocation": 1}]
        cases = [
            ("bucketing", {"contract_version": 11, "experience_id": "300", "visitor_id": "visitor-123",
                           "variations": [{"id": "301", "traffic_allocation": 50}, {"id": "302", "traffic_allocation": 50}]}),
            ("bucketing", {"contract_version": 11, "experience_id": "900000001", "visitor_id": "thirds-core-O-1", "variations": []}),
            # v7 has value 4905: packed band V2 [4900, 5000), anchored band V1 [400, 5100).
            ("bucketing", {"contract_version": 11, "experience_id": "300", "visitor_id": "v7", "variations": worked}),
            ("bucketing", {"contract_version": 12, "experience_id": "300", "visitor_id": "v7", "variations": worked}),
        ]
        answers = [answer["result"] for answer in self.run_cases(cases)]
        self.assertEqual(answers, [
            {"bucket_value": 8107, "variation_id": "302"},
            {"bucket_value": 293, "variation_id": None},
            {"bucket_value": 4905, "variation_id": "V2"},
            {"bucket_value": 4905, "variation_id": "V1"},
        ])

    def test_rule(self) -> None:
        answers = self.run_cases([
            ("rule", {"rule": rule_of("a", "equals", "X"), "data": {"a": "x"}}),
            ("rule", {"rule": rule_of("b", "equals", "x", True), "data": {"a": "x"}}),
            ("rule", {"rule": rule_of("a", "isIn", "abc"), "data": {"a": "ABC"}}),
        ])
        self.assertEqual([answer["result"]["matched"] for answer in answers], [True, False, False])

    def test_experience(self) -> None:
        answers = [answer["result"] for answer in self.run_cases([
            ("experience", experience_input()),
            ("experience", experience_input(experience_key="nope")),
            ("experience", experience_input(visitor_attributes={"plan": "free"})),
            # Python reads absent location attributes as {} (a documented difference from JS).
            ("experience", experience_input(location_attributes=None)),
        ])]
        self.assertEqual(answers, [
            {"variation_id": "302", "variation_key": "variation-1", "reason": "resolved"},
            {"variation_id": None, "variation_key": None, "reason": "experience_not_found"},
            {"variation_id": None, "variation_key": None, "reason": "audience_mismatch"},
            {"variation_id": "302", "variation_key": "variation-1", "reason": "resolved"},
        ])

    def test_bad_input_is_answered(self) -> None:
        status, out, _ = session([
            {"cmd": "start", "protocol": 1},
            "not json at all",
            '{"cmd":"run","seq":1,"family":',
            {"cmd": "run", "seq": 2, "family": "hash", "case": {"id": "x", "input": {"value": 5, "seed": 1}}},
            {"cmd": "run", "seq": 3, "family": "hash", "case": {"id": "x", "input": {"value": "a", "seed": -1}}},
            {"cmd": "run", "seq": 4, "family": "bucketing", "case": {"id": "x", "input": {
                "contract_version": 11, "experience_id": "1", "visitor_id": "v", "variations": "x"}}},
            {"cmd": "run", "seq": 5, "family": "experience", "case": {"id": "x", "input": {
                "config": [], "visitor_id": "v", "experience_key": "k"}}},
            {"cmd": "run", "seq": 6, "family": "experience", "case": {"id": "x", "input": experience_input(
                config={"project": {"id": "1"}})}},
            {"cmd": "run", "seq": 7, "family": "teleport", "case": {"id": "x", "input": {}}},
            {"cmd": "run", "seq": 8, "family": "hash"},
            {"cmd": "run", "seq": 9, "family": "hash", "case": {"id": "x", "input": {"value": "hello", "seed": 9999}}},
        ])
        self.assertEqual(status, 0, "end of input exits 0")
        self.assertEqual([answer["seq"] for answer in out[1:]], list(range(1, 10)))
        for answer in out[1:7]:
            self.assertTrue(answer["errored"]["message"], answer)
        self.assertIn("skipped", out[7])
        self.assertIn("errored", out[8])
        self.assertEqual(out[9]["result"], {"hash": 198804431})

    # --- the families added with the whole evaluation surface and the SDK ---

    def test_config_validation_maps_the_sdk_errors(self) -> None:
        answers = self.run_cases([
            ("config_validation", {"config": []}),
            ("config_validation", {"config": {"project": {"id": "2"}}}),
            ("config_validation", {"config": {"account_id": "1", "project": {"id": ""}}}),
            ("config_validation", {"config": {"account_id": "1", "project": {"id": "2"}, "goals": {}}}),
            ("config_validation", {"config": {"account_id": "1", "project": {"id": "2"}}}),
        ])
        # python-sdk config_loader/validators.py: the checks, in order.
        self.assertEqual([a["result"].get("error") for a in answers], [
            {"kind": "not_an_object", "path": "$"},
            {"kind": "missing_field", "path": "$.account_id"},
            {"kind": "missing_field", "path": "$.project.id"},
            {"kind": "wrong_type", "path": "$.goals"},
            None,
        ])

    def test_preview_forces_a_stopped_variation_and_stores_nothing(self) -> None:
        config = {"account_id": "1", "project": {"id": "2"}, "experiences": [{
            "id": "300", "key": "e", "variations": [
                {"id": "301", "key": "a", "traffic_allocation": 50},
                {"id": "302", "key": "b", "status": "stopped", "traffic_allocation": 50}]}]}
        [answer] = self.run_cases([("experience", {
            "config": config, "visitor_id": "v", "location_attributes": {}, "experience_key": "e",
            "preview": {"experience_id": "300", "variation_id": "302"}, "visitor_state": {}})])
        # python-sdk-behaviour §4.4: the forced decision, zero trace.
        self.assertEqual(answer["result"]["variation_id"], "302")
        self.assertEqual(answer["result"]["stored_bucketing"], {})
        self.assertEqual(answer["result"]["store_key"], 'state:["v"]')

    def test_scenario_captures_the_request_the_transport_would_send(self) -> None:
        config = {"account_id": "100", "project": {"id": "200"},
                  "experiences": [{"id": "300", "key": "e", "variations": [{"id": "301", "key": "a", "traffic_allocation": 100}]}],
                  "goals": [{"id": "600", "key": "g"}]}
        [answer] = self.run_cases([("scenario", {"config": config, "operations": [
            {"op": "create_context", "context": "c", "visitor_id": "v"},
            {"op": "run_experience", "context": "c", "key": "e", "location_attributes": {}},
            {"op": "track_conversion", "context": "c", "goal_key": "g", "goal_data": [{"key": "amount", "value": 5}]},
            {"op": "track_conversion", "context": "c", "goal_key": "g"},
            {"op": "flush"}]})])
        [request] = answer["result"]["requests"]
        # python-sdk-behaviour §5: direct mode sends sdk_key "None"; one merged conversion event.
        self.assertEqual(request["path"], "/v1/track/None")
        events = request["body"]["visitors"][0]["events"]
        self.assertEqual([e["eventType"] for e in events], ["bucketing", "conversion"])
        self.assertEqual(events[1]["data"]["goalData"], [{"key": "amount", "value": 5}])

    def test_feature_casting_and_shape(self) -> None:
        config = {"account_id": "1", "project": {"id": "2"},
                  "experiences": [{"id": "300", "key": "e", "variations": [{"id": "301", "key": "a", "traffic_allocation": 100,
                    "changes": [{"id": "c", "type": "fullStackFeature", "data": {"feature_id": "700", "variables_data": {"n": "7", "on": "yes"}}}]}]}],
                  "features": [{"id": "700", "key": "f", "variables": [{"key": "n", "type": "integer"}, {"key": "on", "type": "boolean"}]}]}
        [enabled, missing] = self.run_cases([
            ("feature", {"config": config, "visitor_id": "v", "location_attributes": {}, "call": "run_feature", "feature_key": "f"}),
            ("feature", {"config": config, "visitor_id": "v", "location_attributes": {}, "call": "run_feature", "feature_key": "nope"}),
        ])
        # python-sdk-behaviour §4.6: int("7") = 7, "yes" is true; a miss is None.
        self.assertEqual(enabled["result"]["features"][0]["variables"], {"n": 7, "on": True})
        self.assertEqual(enabled["result"]["features"][0]["experience_id"], "300")
        self.assertEqual(missing["result"]["features"], [])

    def test_stop(self) -> None:
        status, out, _ = session([
            {"cmd": "start", "protocol": 1}, {"cmd": "stop"},
            {"cmd": "run", "seq": 1, "family": "hash", "case": {"id": "x", "input": {"value": "", "seed": 0}}},
        ])
        self.assertEqual(status, 0)
        self.assertEqual(len(out), 1)

    def test_time_case_scope_answers_what_run_answers(self) -> None:
        payload = experience_input()
        status, out, _ = session([
            {"cmd": "start", "protocol": 1},
            {"cmd": "run", "seq": 1, "family": "experience", "case": {"id": "r", "input": payload}},
            {"cmd": "time", "seq": 2, "family": "experience", "case": {"id": "t", "input": payload}, "iterations": 3},
            {"cmd": "time", "seq": 3, "family": "hash", "case": {"id": "h", "input": {"value": "hello", "seed": 9999}},
             "iterations": 5, "scope": "case"},
            {"cmd": "stop"},
        ])
        self.assertEqual(status, 0)
        self.assertIn("timing", out[0]["capabilities"]["features"])
        _, run, timed, hashed = out
        self.assertEqual(timed["seq"], 2)
        self.assertEqual(timed["timing"]["iterations"], 3)
        self.assertIsInstance(timed["timing"]["elapsed_ns"], int)
        # The timed evaluation is the normal path: the probe decides 302 (bucket 8107).
        self.assertEqual(timed["timing"]["result"], run["result"])
        self.assertEqual(run["result"]["variation_id"], "302")
        self.assertEqual(hashed["timing"]["result"], {"hash": 198804431})
        self.assertEqual(hashed["timing"]["iterations"], 5)

    def test_define_cases_by_reference_answer_as_whole_ones(self) -> None:
        payload = experience_input()
        rest = {k: v for k, v in payload.items() if k != "config"}
        digest = "sha256:probe"
        status, out, _ = session([
            {"cmd": "start", "protocol": 1},
            {"cmd": "run", "seq": 1, "family": "experience", "case": {"id": "whole", "input": payload}},
            {"cmd": "define", "digest": digest, "value": payload["config"]},
            {"cmd": "run", "seq": 2, "family": "experience", "case": {"id": "ref", "input": dict(rest), "refs": {"config": digest}}},
            {"cmd": "run", "seq": 3, "family": "experience", "case": {"id": "again", "input": dict(rest), "refs": {"config": digest}}},
            {"cmd": "time", "seq": 4, "family": "experience",
             "case": {"id": "timed", "input": dict(rest), "refs": {"config": digest}}, "iterations": 2},
            {"cmd": "run", "seq": 5, "family": "experience",
             "case": {"id": "undefined", "input": dict(rest), "refs": {"config": "sha256:never"}}},
            {"cmd": "define", "value": 1},
            {"cmd": "stop"},
        ])
        self.assertEqual(status, 0)
        self.assertIn("define", out[0]["capabilities"]["features"])
        self.assertEqual(len(out), 6, "define is never answered")
        _, whole, ref, again, timed, undefined = out
        self.assertEqual(ref["result"], whole["result"])
        self.assertEqual(again["result"], whole["result"])
        self.assertEqual(timed["timing"]["result"], whole["result"])
        self.assertEqual(undefined["seq"], 5)
        self.assertIn('undefined reference: `case.refs.config` names the digest "sha256:never"', undefined["errored"]["message"])

    def test_time_decision_scope_decides_every_visitor_once(self) -> None:
        payload = experience_input()
        n = 6
        runs = self.run_cases([
            ("experience", {**payload, "visitor_id": f"visitor-123-{i}"}) for i in range(n)
        ])
        expected: dict = {}
        for answer in runs:
            variation = answer["result"]["variation_id"]
            if variation is not None:
                expected[variation] = expected.get(variation, 0) + 1
        _, out, _ = session([
            {"cmd": "start", "protocol": 1},
            {"cmd": "time", "seq": 1, "family": "experience", "case": {"id": "d", "input": payload},
             "iterations": n, "scope": "decision"},
            {"cmd": "time", "seq": 2, "family": "hash", "case": {"id": "h", "input": {"value": "a", "seed": 1}},
             "iterations": 1, "scope": "decision"},
            {"cmd": "time", "seq": 3, "family": "experience", "case": {"id": "z", "input": payload}, "iterations": 0},
            {"cmd": "time", "seq": 4, "family": "experience",
             "case": {"id": "p", "input": {**payload, "preview": {"experience_id": "300", "variation_id": "301"}}},
             "iterations": 1, "scope": "decision"},
            {"cmd": "stop"},
        ])
        self.assertEqual(len(out), 5)
        self.assertEqual(out[1]["timing"]["iterations"], n)
        self.assertEqual(out[1]["timing"]["variations"], expected)
        self.assertEqual(sum(out[1]["timing"]["variations"].values()), n)
        for refused in out[2:]:
            self.assertIn("errored", refused, refused)


if __name__ == "__main__":
    unittest.main()
