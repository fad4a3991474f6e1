#!/usr/bin/env python3
"""convert-parity adapter (protocol v1) for the PyPI package convert-python-sdk.

Reads one JSON request per line on stdin and writes one JSON response per
``start`` / ``run`` request on stdout, in order. stdout carries protocol lines
only: the SDK's ``convert_sdk`` logger and anything printed go to stderr. See
README.md beside this file and spec/protocol.md in the repository.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import platform
import re
import sys
import time
import traceback
from typing import Any, Callable, Dict, Mapping, Optional

# stdout is the protocol channel: keep a private UTF-8 handle to it and send
# every other write (print, warnings, a library's stray output) to stderr.
PROTOCOL_OUT = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n", line_buffering=True)
sys.stdout = sys.stderr
REQUESTS_IN = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace", newline=None)

_sdk_log = logging.getLogger("convert_sdk")
_sdk_log_handler = logging.StreamHandler(sys.stderr)
_sdk_log_handler.setFormatter(logging.Formatter("[convert_sdk] %(levelname)s %(message)s"))
_sdk_log.addHandler(_sdk_log_handler)
_sdk_log.setLevel(logging.WARNING)
_sdk_log.propagate = False

import convert_sdk  # noqa: E402  (after stdout is redirected)
from convert_sdk import Core, InMemoryDataStore, InvalidConfigError, SDKConfig  # noqa: E402
from convert_sdk.config_loader.validators import validate_config  # noqa: E402
from convert_sdk.ports.storage import visitor_state_key  # noqa: E402
from convert_sdk.adapters.transport.httpx_transport import HttpxTransport  # noqa: E402
from convert_sdk.config import TransportConfig  # noqa: E402
from urllib.parse import urlsplit, parse_qsl  # noqa: E402
from convert_sdk.config_loader import load_snapshot  # noqa: E402
from convert_sdk.errors import ConfigLoadError  # noqa: E402
from convert_sdk.evaluation import bucketing as sdk_bucketing  # noqa: E402
from convert_sdk.evaluation import experiences as sdk_experiences  # noqa: E402
from convert_sdk.evaluation import rules as sdk_rules  # noqa: E402

PROTOCOL_VERSION = 1
SDK_NAME = "convert-python-sdk"
FAMILIES = [
    "hash", "bucketing", "rule", "experience", "experiences", "feature", "segments", "diagnostics", "config_validation", "scenario",
]
DEFAULT_ENVIRONMENT = "staging"  # the JavaScript SDK's default, as the protocol says
U32_MAX = 0xFFFFFFFF


def log(message: str) -> None:
    sys.stderr.write(f"[adapter-python] {message}\n")
    sys.stderr.flush()


def send(message: Dict[str, Any]) -> None:
    PROTOCOL_OUT.write(json.dumps(message, allow_nan=False, separators=(",", ":")) + "\n")
    PROTOCOL_OUT.flush()


class InputError(ValueError):
    """The case input does not have the family's shape."""


class OfflineTransport:
    """A Transport (structural protocol) that never touches the network."""

    def fetch_config(self, config: Any) -> Dict[str, Any]:
        raise ConfigLoadError("network disabled by the convert-parity adapter")

    def send_tracking(self, payload: Dict[str, Any], *, sdk_key: str) -> int:
        log("dropped a tracking batch (network disabled)")
        return 200

    def close(self) -> None:
        pass

    def __enter__(self) -> "OfflineTransport":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass


# --- input checking ----------------------------------------------------------


def require_object(value: Any, path: str) -> Dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"invalid input: `{path}` must be a JSON object")
    return value


def require_string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"invalid input: `{path}` must be a string")
    return value


def require_integer(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise InputError(f"invalid input: `{path}` must be an integer")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise InputError(f"invalid input: `{path}` must be an integer")
    return value


def optional(payload: Mapping[str, Any], field: str, check: Callable[[Any, str], Any]) -> Any:
    """``None`` for an absent or ``null`` field (as the contract types read it)."""
    value = payload.get(field)
    return None if value is None else check(value, field)


# --- families ----------------------------------------------------------------


def run_hash(payload: Dict[str, Any]) -> Dict[str, Any]:
    value = require_string(payload.get("value"), "value")
    seed = require_integer(payload.get("seed"), "seed")
    if not 0 <= seed <= U32_MAX:
        raise InputError("invalid input: `seed` must be in [0, 4294967295]")
    return {"result": {"hash": sdk_bucketing.murmurhash3_32(value, seed)}}


def run_bucketing(payload: Dict[str, Any]) -> Dict[str, Any]:
    contract_version = require_integer(payload.get("contract_version"), "contract_version")
    experience_id = require_string(payload.get("experience_id"), "experience_id")
    visitor_id = require_string(payload.get("visitor_id"), "visitor_id")
    variations = payload.get("variations")
    if not isinstance(variations, list):
        raise InputError("invalid input: `variations` must be an array")
    for i, variation in enumerate(variations):
        require_object(variation, f"variations[{i}]")
        require_string(variation.get("id"), f"variations[{i}].id")
        if "status" in variation and not isinstance(variation["status"], str):
            raise InputError(f"invalid input: `variations[{i}].status` must be a string when present")
    # The shape the SDK's own anchored-bucketing parity test builds: key = id.
    snapshot = load_snapshot(
        {
            "account_id": "parity-account",
            "project": {"id": "parity-project"},
            "experiences": [
                {
                    "id": experience_id,
                    "key": experience_id,
                    "version": contract_version,
                    "variations": variations,
                }
            ],
        }
    )
    decision = sdk_experiences.select_experience(experience_id, snapshot, visitor_id=visitor_id)
    bucket_value = sdk_bucketing.get_bucket_value_for_visitor(visitor_id, experience_id=experience_id)
    return {
        "result": {
            "bucket_value": bucket_value,
            "variation_id": None if decision is None else decision.variation_id,
        }
    }


def run_rule(payload: Dict[str, Any]) -> Dict[str, Any]:
    if "rule" not in payload:
        raise InputError("invalid input: `rule` is required")
    if "data" not in payload:
        raise InputError("invalid input: `data` is required")
    matched = sdk_rules.is_rule_matched(payload["data"], payload["rule"])
    if not isinstance(matched, bool):
        return {"errored": {"message": f"is_rule_matched returned a non-boolean: {matched!r}"}}
    return {"result": {"matched": matched}}


def visitor_setup(payload: Dict[str, Any]):
    """A Core and a context for a visitor-scoped case. A prior `visitor_state`
    is written into an InMemoryDataStore in the SDK's own state envelope, as if
    an earlier session had persisted it; the Core hydrates it on create_context."""
    config = require_object(payload.get("config"), "config")
    visitor_id = require_string(payload.get("visitor_id"), "visitor_id")
    environment = optional(payload, "environment", require_string)
    visitor_attributes = optional(payload, "visitor_attributes", require_object)
    state = optional(payload, "visitor_state", require_object)
    store = None
    if state is not None:
        store = InMemoryDataStore()
        store.set(
            visitor_state_key(visitor_id),
            {
                "attributes": {},
                "segments": dict(state.get("segments") or {}),
                "bucketing": dict(state.get("bucketing") or {}),
            },
        )
    sdk_config = SDKConfig(
        data=config,
        environment=DEFAULT_ENVIRONMENT if environment is None else environment,
        data_store=store,
    )
    core = Core(sdk_config, transport=OfflineTransport()).initialize()
    context = core.create_context(visitor_id, visitor_attributes=visitor_attributes)
    return core, context, store, visitor_id


def stored_output(store: Any, visitor_id: str) -> Dict[str, Any]:
    envelope = store.get(visitor_state_key(visitor_id)) or {}
    bucketing = envelope.get("bucketing") if isinstance(envelope, Mapping) else None
    return {
        "stored_bucketing": {str(k): str(v) for k, v in (bucketing or {}).items()},
        "store_key": visitor_state_key(visitor_id),
    }


def apply_preview(payload: Dict[str, Any], context: Any) -> None:
    preview = optional(payload, "preview", require_object)
    if preview is not None:
        context.set_preview(
            require_string(preview.get("experience_id"), "preview.experience_id"),
            require_string(preview.get("variation_id"), "preview.variation_id"),
        )


def run_experience(payload: Dict[str, Any]) -> Dict[str, Any]:
    experience_key = require_string(payload.get("experience_key"), "experience_key")
    if payload.get("force_variation_id") is not None:
        return {"skipped": {"reason": "convert-python-sdk 2.1.0 has no forced-variation API"}}
    location_attributes = optional(payload, "location_attributes", require_object)
    core, context, store, visitor_id = visitor_setup(payload)
    try:
        apply_preview(payload, context)
        # Diagnose first: it is read-only, while run_experience writes sticky state.
        diagnostic = context.diagnose_experience(experience_key, location_attributes=location_attributes)
        decision = context.run_experience(
            experience_key, location_attributes=location_attributes, enable_tracking=False
        )
        result: Dict[str, Any] = {
            "variation_id": None if decision is None else decision.variation_id,
            "variation_key": None if decision is None else decision.variation_key,
            "reason": diagnostic.reason.value,
        }
        if store is not None:
            result.update(stored_output(store, visitor_id))
    finally:
        core.close()
    return {"result": result}


def run_experiences(payload: Dict[str, Any]) -> Dict[str, Any]:
    location_attributes = optional(payload, "location_attributes", require_object)
    core, context, _store, _visitor_id = visitor_setup(payload)
    try:
        apply_preview(payload, context)
        decisions = context.run_experiences(location_attributes=location_attributes, enable_tracking=False)
    finally:
        core.close()
    return {
        "result": {
            "decisions": [
                {
                    "experience_id": str(d.experience_id),
                    "experience_key": str(d.experience_key),
                    "variation_id": str(d.variation_id),
                    "variation_key": d.variation_key,
                }
                for d in decisions
            ]
        }
    }


def encode_numbers(value: Any) -> Any:
    """Numbers JSON cannot carry, as {"$number": ...} (recursively)."""
    if isinstance(value, float) and not math.isfinite(value):
        return {"$number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, Mapping):
        return {str(k): encode_numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_numbers(v) for v in value]
    return value


def feature_entry(context: Any, feature: Any) -> Dict[str, Any]:
    status = getattr(feature.status, "value", feature.status)
    entry: Dict[str, Any] = {
        "feature_id": None if feature.feature_id is None else str(feature.feature_id),
        "feature_key": feature.feature_key,
        "status": str(status),
    }
    if str(status) == "enabled":
        if feature.experience_key is not None:
            experience = context.get_config_entity("experiences", feature.experience_key)
            if experience is not None and experience.get("id") is not None:
                entry["experience_id"] = str(experience.get("id"))
            entry["experience_key"] = feature.experience_key
        entry["variables"] = encode_numbers(dict(feature.variables))
    return entry


def run_feature(payload: Dict[str, Any]) -> Dict[str, Any]:
    call = require_string(payload.get("call"), "call")
    location_attributes = optional(payload, "location_attributes", require_object)
    experience_keys = payload.get("experience_keys")
    type_casting = payload.get("type_casting")
    kwargs: Dict[str, Any] = {"location_attributes": location_attributes}
    if experience_keys is not None:
        kwargs["experience_keys"] = list(experience_keys)
    if type_casting is not None:
        kwargs["type_casting"] = bool(type_casting)
    core, context, _store, _visitor_id = visitor_setup(payload)
    try:
        if call == "run_feature":
            answer = context.run_feature(require_string(payload.get("feature_key"), "feature_key"), **kwargs)
            features = [] if answer is None else [answer]
        elif call == "run_features":
            features = list(context.run_features(**kwargs))
        else:
            raise InputError(f"invalid input: `call` must be run_feature or run_features, not {call!r}")
        entries = [feature_entry(context, f) for f in features]
    finally:
        core.close()
    return {"result": {"features": entries}}


class CapturingTransport(OfflineTransport):
    """Records every tracking request as the SDK's own HTTP transport would
    send it (its URL builder, the default track endpoint), answering 200."""

    def __init__(self) -> None:
        self.requests: list = []

    def send_tracking(self, payload: Dict[str, Any], *, sdk_key: str) -> int:
        url = HttpxTransport._build_track_url(
            TransportConfig().track_base_url, str(payload.get("projectId", "")), sdk_key
        )
        parts = urlsplit(url)
        self.requests.append(
            {
                "method": "POST",
                "host": parts.netloc,
                "path": parts.path,
                "query": dict(parse_qsl(parts.query)),
                "body": json.loads(json.dumps(payload, default=str)),
            }
        )
        return 200


def experience_outcome(decision: Any) -> Any:
    if decision is None:
        return None
    return {"variation_id": str(decision.variation_id), "variation_key": decision.variation_key}


def run_scenario(payload: Dict[str, Any]) -> Dict[str, Any]:
    config = require_object(payload.get("config"), "config")
    operations = payload.get("operations")
    if not isinstance(operations, list):
        raise InputError("invalid input: `operations` must be a list")
    sdk_options = optional(payload, "sdk", require_object) or {}
    environment = sdk_options.get("environment")
    kwargs: Dict[str, Any] = {
        "data": config,
        "environment": DEFAULT_ENVIRONMENT if environment is None else environment,
    }
    if sdk_options.get("batch_size") is not None:
        kwargs["batch_size"] = int(sdk_options["batch_size"])
    transport = CapturingTransport()
    core = Core(SDKConfig(**kwargs), transport=transport).initialize()
    contexts: Dict[str, Any] = {}
    outcomes: list = []
    try:
        for i, op in enumerate(operations):
            if not isinstance(op, dict):
                raise InputError(f"invalid input: operations[{i}] must be an object")
            kind = op.get("op")
            ctx = contexts.get(op.get("context")) if kind not in ("create_context", "flush") else None
            if kind not in ("create_context", "flush") and ctx is None:
                raise InputError(f"invalid input: operations[{i}]: no context named {op.get('context')!r}")
            outcome: Any = None
            if kind == "create_context":
                contexts[op["context"]] = core.create_context(op["visitor_id"], visitor_attributes=op.get("attributes"))
            elif kind == "run_experience":
                outcome = experience_outcome(
                    ctx.run_experience(
                        op["key"],
                        attributes=op.get("attributes"),
                        location_attributes=op.get("location_attributes"),
                        enable_tracking=op.get("enable_tracking", True),
                    )
                )
            elif kind == "run_experiences":
                decisions = ctx.run_experiences(
                    location_attributes=op.get("location_attributes"),
                    enable_tracking=op.get("enable_tracking", True),
                )
                outcome = {
                    "decisions": [
                        {
                            "experience_id": str(d.experience_id),
                            "experience_key": str(d.experience_key),
                            "variation_id": str(d.variation_id),
                            "variation_key": d.variation_key,
                        }
                        for d in decisions
                    ]
                }
            elif kind == "run_feature":
                answer = ctx.run_feature(op["key"], location_attributes=op.get("location_attributes"))
                outcome = {"features": [] if answer is None else [feature_entry(ctx, answer)]}
            elif kind == "track_conversion":
                # The JS-shaped goal data: `amount` is the revenue, the rest
                # conversion data (the Python API's split).
                revenue = None
                data: Dict[str, Any] = {}
                for entry in op.get("goal_data") or []:
                    if entry.get("key") == "amount" and revenue is None:
                        revenue = entry.get("value")
                    else:
                        data[str(entry.get("key"))] = entry.get("value")
                ctx.track_conversion(
                    op["goal_key"],
                    revenue=revenue,
                    conversion_data=data or None,
                    force_multiple=bool(op.get("force_multiple", False)),
                )
            elif kind == "set_segments":
                ctx.set_segments(op["segments"])
            elif kind == "run_custom_segments":
                ctx.run_custom_segments(op["segment_keys"], rule_data=op.get("rule_data"))
            elif kind == "flush":
                core.flush()
            else:
                raise InputError(f"invalid input: operations[{i}]: unknown op {kind!r}")
            outcomes.append(outcome)
    finally:
        core.close()
    return {"result": {"outcomes": outcomes, "requests": transport.requests}}


def entity_ids(entities: Any) -> list:
    return [str(e.get("id")) for e in entities if isinstance(e, Mapping)]


def run_segments(payload: Dict[str, Any]) -> Dict[str, Any]:
    op = payload.get("op")
    if op in ("get_entity", "get_entity_by_id", "get_entities"):
        config = require_object(payload.get("config"), "config")
        entity_type = require_string(payload.get("entity_type"), "entity_type")
        core = Core(SDKConfig(data=config, environment=DEFAULT_ENVIRONMENT), transport=OfflineTransport()).initialize()
        try:
            context = core.create_context("entity-lookup")
            if op == "get_entity":
                found = context.get_config_entity(entity_type, require_string(payload.get("key"), "key"))
                ids = entity_ids([found] if found is not None else [])
            elif op == "get_entity_by_id":
                found = context.get_config_entity_by_id(entity_type, require_string(payload.get("id"), "id"))
                ids = entity_ids([found] if found is not None else [])
            else:
                keys = payload.get("keys")
                if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                    raise InputError("invalid input: `keys` must be a list of strings")
                ids = entity_ids(context.get_config_entities(entity_type, keys))
        finally:
            core.close()
        return {"result": {"ids": ids}}
    if op == "run_custom_segments":
        keys = payload.get("segment_keys")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise InputError("invalid input: `segment_keys` must be a list of strings")
        rule_data = optional(payload, "rule_data", require_object)
        core, context, _store, _visitor_id = visitor_setup(payload)
        try:
            result = context.run_custom_segments(keys, rule_data=rule_data)
            custom = context.default_segments.get("customSegments") or []
        finally:
            core.close()
        return {"result": {"added": [str(i) for i in result.matched_segment_ids], "custom_segments": [str(i) for i in custom]}}
    if op == "set_segments":
        segments = require_object(payload.get("segments"), "segments")
        core, context, _store, _visitor_id = visitor_setup(payload)
        try:
            context.set_segments(segments)
            stored = json.loads(json.dumps(dict(context.default_segments), default=list))
        finally:
            core.close()
        return {"result": {"stored_segments": stored}}
    raise InputError(f"invalid input: unknown segments op {op!r}")


def run_diagnostics(payload: Dict[str, Any]) -> Dict[str, Any]:
    diagnose = payload.get("diagnose")
    key = require_string(payload.get("key"), "key")
    location_attributes = optional(payload, "location_attributes", require_object)
    core, context, _store, _visitor_id = visitor_setup(payload)
    try:
        if diagnose == "experience":
            diagnostic = context.diagnose_experience(key, location_attributes=location_attributes)
        elif diagnose == "feature":
            diagnostic = context.diagnose_feature(key, location_attributes=location_attributes)
        elif diagnose == "goal":
            diagnostic = context.diagnose_goal(key)
        elif diagnose == "entity":
            diagnostic = context.diagnose_entity(require_string(payload.get("entity_type"), "entity_type"), key)
        else:
            raise InputError(f"invalid input: `diagnose` must be experience, feature, goal or entity, not {diagnose!r}")
    finally:
        core.close()
    details = diagnostic.details
    return {
        "result": {
            "reason": diagnostic.reason.value,
            "bucket_value": details.get("bucket_value"),
            "variation_key": details.get("variation_key"),
            "visitor_ref": details.get("visitor_ref"),
        }
    }


_CONFIG_FAULTS = [
    (re.compile(r"^config must be a mapping/dict"), "not_an_object", lambda m: "$"),
    (re.compile(r"^config is missing required field '(account_id|project)'"), "missing_field", lambda m: f"$.{m.group(1)}"),
    (re.compile(r"^config 'project' must be a mapping/dict"), "wrong_type", lambda m: "$.project"),
    (re.compile(r"^config 'project' is missing required field 'id'"), "missing_field", lambda m: "$.project.id"),
    (re.compile(r"^config '(\w+)' must be a list when present"), "wrong_type", lambda m: f"$.{m.group(1)}"),
]


def run_config_validation(payload: Dict[str, Any]) -> Dict[str, Any]:
    if "config" not in payload:
        raise InputError("invalid input: `config` is required")
    try:
        validate_config(payload["config"])
    except InvalidConfigError as error:
        message = str(error)
        for pattern, kind, path in _CONFIG_FAULTS:
            match = pattern.search(message)
            if match:
                return {"result": {"valid": False, "error": {"kind": kind, "path": path(match)}}}
        return {"errored": {"message": f"unrecognised InvalidConfigError: {message}"}}
    return {"result": {"valid": True}}


HANDLERS: Dict[str, Callable[[Dict[str, Any]], Dict[str, Any]]] = {
    "hash": run_hash,
    "bucketing": run_bucketing,
    "rule": run_rule,
    "experience": run_experience,
    "experiences": run_experiences,
    "feature": run_feature,
    "segments": run_segments,
    "diagnostics": run_diagnostics,
    "config_validation": run_config_validation,
    "scenario": run_scenario,
}


# --- timing (`time` requests, feature `timing`) ------------------------------
# The loop runs here, in CPython, with the input parsed once before the clock
# starts.


def time_case(family: str, payload: Dict[str, Any], iterations: int) -> Dict[str, Any]:
    """Scope `case`: the family's handler, exactly as `run` calls it."""
    handler = HANDLERS[family]
    answer: Dict[str, Any] = {}
    start = time.perf_counter_ns()
    for _ in range(iterations):
        answer = handler(payload)
        if "result" not in answer:
            return answer  # skipped or errored: nothing is timed
    elapsed = time.perf_counter_ns() - start
    return {"timing": {"iterations": iterations, "elapsed_ns": elapsed, "result": answer["result"]}}


def time_decisions(payload: Dict[str, Any], iterations: int) -> Dict[str, Any]:
    """Scope `decision`: one Core (tracking off), then create_context +
    run_experience for the visitors `{visitor_id}-{i}`."""
    config = require_object(payload.get("config"), "config")
    visitor_id = require_string(payload.get("visitor_id"), "visitor_id")
    experience_key = require_string(payload.get("experience_key"), "experience_key")
    environment = optional(payload, "environment", require_string)
    visitor_attributes = optional(payload, "visitor_attributes", require_object)
    location_attributes = optional(payload, "location_attributes", require_object)
    for field in ("visitor_state", "force_variation_id", "preview"):
        if payload.get(field) is not None:
            raise InputError(f"the decision scope takes no {field}")
    sdk_config = SDKConfig(data=config, environment=DEFAULT_ENVIRONMENT if environment is None else environment)
    core = Core(sdk_config, transport=OfflineTransport()).initialize()
    try:
        visitors = [f"{visitor_id}-{i}" for i in range(iterations)]
        counts: Dict[str, int] = {}
        start = time.perf_counter_ns()
        for visitor in visitors:
            context = core.create_context(visitor, visitor_attributes=visitor_attributes)
            decision = context.run_experience(
                experience_key, location_attributes=location_attributes, enable_tracking=False
            )
            if decision is not None:
                counts[decision.variation_id] = counts.get(decision.variation_id, 0) + 1
        elapsed = time.perf_counter_ns() - start
    finally:
        core.close()
    return {"timing": {"iterations": iterations, "elapsed_ns": elapsed, "variations": counts}}


# --- definitions (feature `define`) ------------------------------------------
# Values the runner sends once, under their digest, and later cases name in
# `case.refs` instead of carrying them. A defined value is shared by every
# case that refers to it, so nothing may modify it (as `time` already relies on).

DEFINITIONS: Dict[str, Any] = {}


def define(request: Dict[str, Any]) -> None:
    digest = request.get("digest")
    if not isinstance(digest, str) or "value" not in request:
        log("define request without a string digest and a value; ignored")
        return
    DEFINITIONS[digest] = request["value"]


def resolve_refs(case: Dict[str, Any]) -> None:
    """Sets each member named in `case.refs` to the value defined under its digest."""
    refs = case.get("refs")
    if refs is None:
        return
    if not isinstance(refs, dict):
        raise InputError("invalid request: `case.refs` must be a JSON object")
    for member, digest in refs.items():
        if not isinstance(digest, str) or digest not in DEFINITIONS:
            raise InputError(
                f"undefined reference: `case.refs.{member}` names the digest {json.dumps(digest)}, "
                "which no `define` request of this session defined"
            )
        case["input"][member] = DEFINITIONS[digest]


def answer_time(request: Dict[str, Any]) -> Dict[str, Any]:
    seq = request["seq"]
    family = request.get("family")
    scope = request.get("scope", "case")
    iterations = request.get("iterations")
    try:
        if not isinstance(family, str) or family not in HANDLERS:
            return {"seq": seq, "skipped": {"reason": f"family {json.dumps(family)} is not supported by this adapter"}}
        if not is_seq(iterations) or iterations < 1:
            raise InputError("`iterations` must be an integer >= 1")
        case = request.get("case")
        if not isinstance(case, dict):
            raise InputError("invalid request: `case` must be a JSON object")
        case_input = require_object(case.get("input"), "case.input")
        resolve_refs(case)
        if scope == "case":
            return {"seq": seq, **time_case(family, case_input, iterations)}
        if scope == "decision":
            if family != "experience":
                raise InputError(f"the decision scope is for the experience family, not {json.dumps(family)}")
            return {"seq": seq, **time_decisions(case_input, iterations)}
        return {"seq": seq, "skipped": {"reason": f"timing scope {json.dumps(scope)} is not supported by this adapter"}}
    except Exception as error:  # noqa: BLE001 — every failure becomes an answer
        return {"seq": seq, "errored": error_info(error)}


# --- protocol ----------------------------------------------------------------


def ready_message() -> Dict[str, Any]:
    return {
        "ready": True,
        "implementation": {
            "name": SDK_NAME,
            "version": convert_sdk.__version__,
            "language": "python",
            "runtime": f"{platform.python_implementation()} {platform.python_version()}",
        },
        "capabilities": {
            "families": FAMILIES,
            "contract_versions": [11, 12],
            "features": ["diagnostics", "visitor_state", "store_key", "mutual_exclusion", "preview", "timing", "define"],
        },
    }


def error_info(error: BaseException) -> Dict[str, Any]:
    message = str(error) or type(error).__name__
    info: Dict[str, Any] = {"message": message}
    if not isinstance(error, InputError):
        info["message"] = f"{type(error).__name__}: {message}"
        info["traceback"] = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return info


def answer_run(request: Dict[str, Any]) -> Dict[str, Any]:
    seq = request["seq"]
    family = request.get("family")
    try:
        if not isinstance(family, str) or family not in HANDLERS:
            return {"seq": seq, "skipped": {"reason": f"family {json.dumps(family)} is not supported by this adapter"}}
        case = request.get("case")
        if not isinstance(case, dict):
            raise InputError("invalid request: `case` must be a JSON object")
        case_input = require_object(case.get("input"), "case.input")
        resolve_refs(case)
        return {"seq": seq, **HANDLERS[family](case_input)}
    except Exception as error:  # noqa: BLE001 — every failure becomes an answer
        return {"seq": seq, "errored": error_info(error)}


def is_seq(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_SEQ_IN_RAW_LINE = re.compile(r'"seq"\s*:\s*(\d+)')


def handle_line(line: str) -> bool:
    """Answers one request line; returns False when the session ends."""
    if not line.strip():
        return True
    try:
        request = json.loads(line)
    except ValueError as error:
        log(f"request is not JSON ({error}): {line[:200]!r}")
        seq = _SEQ_IN_RAW_LINE.search(line)
        if seq:
            send({"seq": int(seq.group(1)), "errored": {"message": f"request is not JSON: {error}"}})
        return True
    if not isinstance(request, dict):
        log(f"request is not a JSON object: {line[:200]!r}")
        return True
    command = request.get("cmd")
    if command == "start":
        if request.get("protocol") != PROTOCOL_VERSION or isinstance(request.get("protocol"), bool):
            send({"ready": False, "message": f"this adapter speaks protocol {PROTOCOL_VERSION} only, not {json.dumps(request.get('protocol'))}"})
            return False
        send(ready_message())
        return True
    if command == "run":
        if not is_seq(request.get("seq")):
            log(f"run request without a valid seq: {line[:200]!r}")
            return True
        send(answer_run(request))
        return True
    if command == "time":
        if not is_seq(request.get("seq")):
            log(f"time request without a valid seq: {line[:200]!r}")
            return True
        send(answer_time(request))
        return True
    if command == "define":
        define(request)
        return True
    if command == "stop":
        return False
    log(f"unknown command {command!r}")
    if is_seq(request.get("seq")):
        send({"seq": request["seq"], "errored": {"message": f"unknown command {json.dumps(command)}"}})
    return True


def main() -> int:
    try:
        for line in REQUESTS_IN:
            if not handle_line(line):
                break
        PROTOCOL_OUT.flush()
    except BrokenPipeError:
        # The runner stopped reading: nobody is left to answer.
        log("stdout closed by the reader; exiting")
        # Keep the interpreter's final flush from failing on the closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, PROTOCOL_OUT.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
