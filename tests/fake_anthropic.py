"""A local fake of the Anthropic Messages API, for tests and benchmarks (no network).

In-process: `with FakeAnthropic(latency="uniform:0.01:0.03", fault_rate=0.2) as fake:` then
point `ANTHROPIC_BASE_URL` at `fake.url`. As a process:
`python tests/fake_anthropic.py --port 0 --latency uniform:0.1:0.5 --fault-rate 0.2` prints
its URL on the first line; `GET /_fake/stats` returns the counters as JSON and
`GET /_fake/latencies` the latency drawn for each answered request (`POST /_fake/reset`
clears the prompt cache and that record). With `latency_key="content"` each request's
latency is drawn from its own seed (the seed and the first user message), so the same
delegate takes the same time whatever order the requests arrive in (for benchmarks that
compare schedulers on identical latencies).

It speaks the real wire format: SSE with `message_start`, `content_block_start`,
`content_block_delta` (`input_json_delta` / `text_delta`), `content_block_stop`,
`message_delta` with usage, `message_stop`; JSON errors; the Message Batches endpoints.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import re
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULT_KINDS = (
    "429",  # rate limited, with retry-after / retry-after-ms
    "529",  # overloaded
    "500",  # internal error
    "malformed_json",  # the tool input JSON is broken mid-stream
    "cut_short",  # the stream ends cleanly before message_delta / message_stop
    "drop",  # the connection is dropped mid-body (incomplete chunked read)
    "error_event",  # an SSE `error` event (overloaded_error) inside a 200 stream
    "hang",  # headers never come (until `hang_s`)
    "max_tokens",  # the answer stops with stop_reason max_tokens
    "spend_limit",  # 429 saying the spend limit is reached
    "401",  # authentication error
)
# The faults `fault_rate` draws from: the transient ones the engine must survive.
TRANSIENT_FAULTS = ("429", "529", "500", "malformed_json", "cut_short", "drop", "error_event")
SPEND_LIMIT_MESSAGE = (
    "This request would exceed your organization's monthly spend limit. "
    "You will regain access on 2027-01-01 at 00:00 UTC."
)


def parse_latency(spec: str | float | None) -> Any:
    """ "0.05", "fixed:0.05", "uniform:0.1:0.5", "longtail:0.2:0.8" (median, lognormal sigma)."""
    if spec is None:
        return lambda rng: 0.0
    if isinstance(spec, int | float):
        return lambda rng: float(spec)
    kind, _, rest = spec.partition(":")
    if not rest:
        value = float(kind)
        return lambda rng: value
    args = [float(x) for x in rest.split(":")]
    if kind == "fixed":
        return lambda rng: args[0]
    if kind == "uniform":
        return lambda rng: rng.uniform(args[0], args[1])
    if kind == "longtail":
        median, sigma = args[0], args[1] if len(args) > 1 else 0.8
        return lambda rng: min(median * math.exp(rng.gauss(0, sigma)), median * 50)
    raise ValueError(f"unknown latency {spec!r}")


def tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return max(1, len(text) // 4)


# --- The responder: a plausible answer for any requested schema ---------------------


class Responder:
    """Builds an answer that validates against the requested output schema, using ids and
    text from the request so that aggregation has something real to work with."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request
        self.user_text = _first_user_text(request)
        self.all_text = json.dumps(request, ensure_ascii=False)
        self.task_ids = list(dict.fromkeys(re.findall(r"\b(T\d+)\b", self.all_text)))
        self.goal_ids = list(dict.fromkeys(re.findall(r"\b(G\d+)\b", self.all_text)))
        self.payload = _payload(self.user_text)

    def answer(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        special = getattr(self, f"_answer_{name}", None)
        if special is not None:
            result: dict[str, Any] = special(schema)
            return result
        return self.fill(schema, schema, "")

    # Known WorkOS outputs: choices a reviewer would recognise.
    def _answer_BacklogTriage(self, schema: dict[str, Any]) -> dict[str, Any]:
        item_id = _find_key(self.payload, ("item_id",)) or _find_id(self.payload, "B") or "B1"
        text = _find_key(self.payload, ("text",)) or "Follow up on this item"
        title = " ".join(str(text).split())[:60].rstrip(" .") or "Follow up"
        return {
            "item_id": item_id,
            "decision": "create_task",
            "title": title[:1].upper() + title[1:],
            "category": "other",
            "priority": "P2",
            "estimate_minutes": 30,
            "rationale": f"A concrete, doable item: {title.lower()}.",
        }

    def _answer_TaskAnalysis(self, schema: dict[str, Any]) -> dict[str, Any]:
        analysis = self._enum_from_text(schema, "analysis_type") or "priority"
        tid = self.task_ids[0] if self.task_ids else "T1"
        out: dict[str, Any] = {"analysis_type": analysis, "findings": [f"Checked {tid} first."]}
        field = {
            "priority": ("priority", "P1"),
            "category": ("category", "admin"),
            "time_estimates": ("estimate_minutes", 45),
        }.get(analysis)
        if field:
            out["suggestions"] = [
                {
                    "task_id": tid,
                    "field": field[0],
                    "suggested": field[1],
                    "reason": f"Its {field[0].replace('_', ' ')} looks off.",
                    "confidence": 0.8,
                }
            ]
        if analysis == "blockers" and len(self.task_ids) > 1:
            out["blockers"] = [
                {"task_id": tid, "blocked_by": [self.task_ids[1]], "unblocking_step": "Ask first."}
            ]
        if analysis == "goal_alignment":
            goal = self.goal_ids[0] if self.goal_ids else None
            out["alignments"] = [{"task_id": tid, "goal_id": goal, "score": 0.7}]
        return out

    def _answer_PlanPerspective(self, schema: dict[str, Any]) -> dict[str, Any]:
        perspective = self._enum_from_text(schema, "perspective") or "priority_focus"
        ranked = [
            {"task_id": t, "reason": f"Ranked {i + 1} for {perspective}.", "minutes": 30}
            for i, t in enumerate(self.task_ids[:3])
        ]
        return {"perspective": perspective, "ranked": ranked, "summary": "Start with the first."}

    def _enum_from_text(self, schema: dict[str, Any], prop: str) -> str | None:
        node = _resolve(schema, schema.get("properties", {}).get(prop, {}))
        values = node.get("enum") or []
        found = [v for v in values if isinstance(v, str) and v in self.user_text]
        return found[0] if found else (values[0] if values else None)

    # Any other schema: fill every property with something valid.
    def fill(self, root: dict[str, Any], node: dict[str, Any], name: str) -> Any:
        node = _resolve(root, node)
        if "const" in node:
            return node["const"]
        if node.get("enum"):
            found = [v for v in node["enum"] if isinstance(v, str) and v in self.user_text]
            return found[0] if found else node["enum"][0]
        for key in ("anyOf", "oneOf"):
            if key in node:
                options = [o for o in node[key] if _resolve(root, o).get("type") != "null"]
                if not options or name.endswith("_of"):
                    return None
                return self.fill(root, options[0], name)
        kind = node.get("type", "object")
        if kind == "object":
            return {k: self.fill(root, v, k) for k, v in node.get("properties", {}).items()}
        if kind == "array":
            return [self.fill(root, node.get("items", {}), name)]
        if kind == "integer":
            low = node.get("minimum", node.get("exclusiveMinimum", 0) + 1)
            return max(int(low), min(30, int(node.get("maximum", 30))))
        if kind == "number":
            return max(float(node.get("minimum", 0)), min(0.8, float(node.get("maximum", 1))))
        if kind == "boolean":
            return False
        if name.endswith("id"):
            return self.task_ids[0] if self.task_ids else "T1"
        return f"A sensible {name.replace('_', ' ') or 'value'}."


def _resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {})
        return _resolve(root, target)
    return node


def _first_user_text(request: dict[str, Any]) -> str:
    for message in request.get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        for block in content or []:
            if block.get("type") == "text":
                return str(block.get("text", ""))
    return ""


def _payload(text: str) -> Any:
    start = text.find("{")
    if start < 0:
        return {}
    try:
        return json.JSONDecoder().raw_decode(text[start:])[0]
    except ValueError:
        return {}


def _find_key(node: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(node, dict):
        for k in keys:
            if isinstance(node.get(k), str) and node[k].strip():
                return node[k]
        for v in node.values():
            if (found := _find_key(v, keys)) is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            if (found := _find_key(v, keys)) is not None:
                return found
    return None


def _find_id(node: Any, prefix: str) -> str | None:
    match = re.search(rf'"({prefix}\d+)"', json.dumps(node))
    return match.group(1) if match else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 drops bursts of connects (1 s SYN retries)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hang up: normal here
            super().handle_error(request, client_address)


# --- The server -----------------------------------------------------------------------


class FakeAnthropic:
    """The fake API. Counters and the request log are safe to read while it runs."""

    def __init__(
        self,
        *,
        latency: str | float | None = None,
        fault_rate: float = 0.0,
        faults: tuple[str, ...] = TRANSIENT_FAULTS,
        script: list[str | None] | None = None,
        max_in_flight: int | None = None,
        api_key: str | None = None,
        retry_after: float = 0.05,
        lookups: int = 0,
        invalid_first: bool = False,
        reject_forced_tool: tuple[str, ...] = ("claude-sonnet-5-5",),
        batch_polls: int = 1,
        hang_s: float = 10.0,
        chunk: int = 16,
        seed: int = 0,
        latency_key: str = "sequence",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.latency = parse_latency(latency)
        if latency_key not in ("sequence", "content"):
            raise ValueError(f"latency_key must be 'sequence' or 'content', not {latency_key!r}")
        self.latency_key = latency_key
        self.seed = seed
        self.latencies: list[dict[str, Any]] = []  # {"key", "latency"} per answered request
        self.fault_rate = fault_rate
        self.faults = faults
        self.script = list(script or [])
        self.max_in_flight = max_in_flight
        self.api_key = api_key
        self.retry_after = retry_after
        self.lookups = lookups  # read-only tool calls the "model" makes before answering
        self.invalid_first = invalid_first  # the first answer per delegate breaks validation
        self.reject_forced_tool = reject_forced_tool
        self.batch_polls = batch_polls
        self.hang_s = hang_s
        self.chunk = chunk
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.requests = 0
        self.in_flight = 0
        self.in_flight_max = 0
        self.statuses: Counter[int] = Counter()
        self.rate_limited: Counter[str] = Counter()  # 429s by cause
        self.faults_injected: Counter[str] = Counter()
        self.log: list[dict[str, Any]] = []  # request bodies (headers minus the key)
        self.cache: set[str] = set()
        self.batches: dict[str, dict[str, Any]] = {}
        self._answered: set[str] = set()
        self._ids = itertools.count(1)
        self.server = _Server((host, port), _make_handler(self))
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropic:
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "in_flight": self.in_flight,
                "in_flight_max": self.in_flight_max,
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "rate_limited": dict(self.rate_limited),
                "faults_injected": dict(self.faults_injected),
                "batches": len(self.batches),
            }

    def draw_latency(self, request: dict[str, Any]) -> float:
        """This request's latency; recorded so a benchmark can compute its lower bound."""
        key = hashlib.sha256(_first_user_text(request).encode()).hexdigest()[:16]
        if self.latency_key == "content":
            value = float(self.latency(random.Random(f"{self.seed}:{key}")))
        else:
            with self.lock:
                value = float(self.latency(self.rng))
        with self.lock:
            self.latencies.append({"key": key, "latency": value})
        return value

    def message_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.log if r.get("_path") == "/v1/messages"]

    # -- decisions ---------------------------------------------------------------

    def next_fault(self) -> str | None:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            if self.fault_rate and self.rng.random() < self.fault_rate:
                return self.rng.choice(self.faults)
        return None

    def cache_usage(self, request: dict[str, Any]) -> tuple[int, int, int]:
        """(input, cache_creation, cache_read): the prefix up to the last cache_control
        breakpoint (tools, then system, then messages) is cached per model."""
        parts: list[Any] = []
        prefix: list[Any] | None = None
        for tool in request.get("tools", []):
            parts.append(tool)
            if tool.get("cache_control"):
                prefix = list(parts)
        system = request.get("system", [])
        for block in [system] if isinstance(system, str) else system:
            parts.append(block)
            if isinstance(block, dict) and block.get("cache_control"):
                prefix = list(parts)
        for message in request.get("messages", []):
            content = message.get("content")
            for block in [content] if isinstance(content, str) else content:
                parts.append(block)
                if isinstance(block, dict) and block.get("cache_control"):
                    prefix = list(parts)
        total = tokens(parts)
        if prefix is None:
            return total, 0, 0
        cached = tokens(prefix)
        key = hashlib.sha256(
            (request.get("model", "") + json.dumps(prefix, sort_keys=True)).encode()
        ).hexdigest()
        with self.lock:
            hit = key in self.cache
            self.cache.add(key)
        rest = max(1, total - cached)
        return (rest, 0, cached) if hit else (rest, cached, 0)

    def respond(self, request: dict[str, Any], fault: str | None) -> dict[str, Any]:
        """The assistant message (content, stop_reason, usage) for a request."""
        model = request.get("model", "claude-fake")
        tools = {t["name"]: t for t in request.get("tools", []) if "input_schema" in t}
        choice = request.get("tool_choice") or {}
        responder = Responder(request)
        turns = sum(1 for m in request.get("messages", []) if m.get("role") == "assistant")
        lookup_names = [
            n for n in ("search_tasks", "get_task", "list_goals", "search_notes") if n in tools
        ]
        output_names = [n for n in tools if n not in lookup_names]
        content: list[dict[str, Any]]
        if (
            lookup_names
            and turns < self.lookups
            and choice.get("type") in ("any", "auto")
            and not _is_repair(request)
        ):
            name = lookup_names[turns % len(lookup_names)]
            args = {"query": "report"} if name.startswith("search") else {}
            if name == "get_task":
                args = {"id": responder.task_ids[0] if responder.task_ids else "T1"}
            content = [
                {"type": "tool_use", "id": f"toolu_{next(self._ids)}", "name": name, "input": args}
            ]
            stop = "tool_use"
        else:
            fmt = (request.get("output_config") or {}).get("format")
            if choice.get("type") == "tool":
                name = choice["name"]
            elif output_names and not fmt:
                name = output_names[0]
            else:
                name = ""
            schema = tools[name]["input_schema"] if name else (fmt or {}).get("schema", {})
            props = schema.get("properties", {})
            known = next(
                (n for key, n in _KNOWN_OUTPUTS.items() if key in props),
                schema.get("title", name),
            )
            answer = responder.answer(name or known, schema)
            key = hashlib.sha256(_first_user_text(request).encode()).hexdigest()
            with self.lock:
                first = key not in self._answered
                self._answered.add(key)
            if self.invalid_first and first:
                answer = {"unexpected": "field"}
            if name:
                content = [
                    {
                        "type": "tool_use",
                        "id": f"toolu_{next(self._ids)}",
                        "name": name,
                        "input": answer,
                    }
                ]
                stop = "tool_use"
            else:
                content = [{"type": "text", "text": json.dumps(answer)}]
                stop = "end_turn"
        if fault == "max_tokens":
            stop = "max_tokens"
        fresh, created, read = self.cache_usage(request)
        return {
            "id": f"msg_fake_{next(self._ids)}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": fresh,
                "output_tokens": tokens(content),
                "cache_creation_input_tokens": created,
                "cache_read_input_tokens": read,
            },
        }


_KNOWN_OUTPUTS = {
    "decision": "BacklogTriage",
    "analysis_type": "TaskAnalysis",
    "perspective": "PlanPerspective",
}


def _is_repair(request: dict[str, Any]) -> bool:
    return "previous answer was rejected" in json.dumps(request.get("messages", []))


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _make_handler(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        # -- plumbing ------------------------------------------------------------

        def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.send_header("request-id", f"req_fake_{next(fake._ids)}")
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
            with fake.lock:
                fake.statuses[status] += 1

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            try:
                body = json.loads(raw)
            except ValueError:
                body = {}
            return body if isinstance(body, dict) else {}

        def _authorised(self) -> bool:
            # The SDK sends the key as x-api-key or (anthropic >= 2.16) as a bearer token.
            sent = self.headers.get("x-api-key") or self.headers.get("authorization", "")
            if fake.api_key is None or sent.removeprefix("Bearer ") == fake.api_key:
                return True
            self._json(401, _error("authentication_error", "invalid x-api-key"))
            return False

        # -- routes --------------------------------------------------------------

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/_fake/stats":
                return self._json(200, fake.stats())
            if path == "/_fake/latencies":
                with fake.lock:
                    drawn = list(fake.latencies)
                return self._json(200, {"latencies": drawn})
            if not self._authorised():
                return None
            match = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", path)
            if not match or match.group(1) not in fake.batches:
                return self._json(404, _error("not_found_error", f"no such path {path}"))
            batch = fake.batches[match.group(1)]
            if match.group(2):
                lines = "".join(json.dumps(r) + "\n" for r in batch["results"]).encode()
                self.send_response(200)
                self.send_header("content-type", "application/binary")
                self.send_header("content-length", str(len(lines)))
                self.end_headers()
                self.wfile.write(lines)
                return None
            batch["polls"] += 1
            return self._json(200, _batch_view(fake, batch))

        def do_POST(self) -> None:
            path = self.path.split("?")[0]
            body = self._body()
            with fake.lock:
                fake.log.append(
                    {
                        "_path": path,
                        "_headers": {
                            k.lower(): v
                            for k, v in self.headers.items()
                            if k.lower() not in ("x-api-key", "authorization")
                        },
                        **body,
                    }
                )
            if path == "/_fake/reset":
                with fake.lock:
                    fake.cache.clear()
                    fake.latencies.clear()
                return self._json(200, {"ok": True})
            if not self._authorised():
                return None
            if path == "/v1/messages/batches":
                return self._create_batch(body)
            if path != "/v1/messages":
                return self._json(404, _error("not_found_error", f"no such path {path}"))
            with fake.lock:
                fake.requests += 1
                fake.in_flight += 1
                fake.in_flight_max = max(fake.in_flight_max, fake.in_flight)
                over = fake.max_in_flight is not None and fake.in_flight > fake.max_in_flight
            try:
                self._messages(body, over)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with fake.lock:
                    fake.in_flight -= 1
            return None

        def _messages(self, body: dict[str, Any], over_capacity: bool) -> None:
            model = str(body.get("model", ""))
            choice = body.get("tool_choice") or {}
            if over_capacity:
                with fake.lock:
                    fake.rate_limited["concurrency"] += 1
                return self._rate_limited(
                    "Number of concurrent connections has exceeded your rate limit."
                )
            forced = choice.get("type") in ("tool", "any")
            if forced and any(model.startswith(p) for p in fake.reject_forced_tool):
                return self._json(
                    400,
                    _error(
                        "invalid_request_error",
                        f"tool_choice forcing tool use is not supported on {model}",
                    ),
                )
            fault = fake.next_fault()
            if fault:
                with fake.lock:
                    fake.faults_injected[fault] += 1
            total = fake.draw_latency(body)
            if fault == "hang":
                fake.stopping.wait(fake.hang_s)
                return self._json(504, _error("api_error", "hung"))
            if fault == "401":
                return self._json(401, _error("authentication_error", "invalid x-api-key"))
            if fault == "429":
                with fake.lock:
                    fake.rate_limited["injected"] += 1
                time.sleep(total / 4)
                return self._rate_limited(
                    "Number of request tokens has exceeded your per-minute rate limit."
                )
            if fault == "spend_limit":
                with fake.lock:
                    fake.rate_limited["spend_limit"] += 1
                return self._json(429, _error("rate_limit_error", SPEND_LIMIT_MESSAGE))
            if fault == "529":
                time.sleep(total / 4)
                return self._json(529, _error("overloaded_error", "Overloaded"))
            if fault == "500":
                time.sleep(total / 4)
                return self._json(500, _error("api_error", "Internal server error"))
            message = fake.respond(body, fault)
            if not body.get("stream"):
                time.sleep(total)
                return self._json(200, message, _limit_headers(fake))
            return self._stream(message, fault, total)

        def _rate_limited(self, text: str) -> None:
            headers = {
                "retry-after": str(max(1, math.ceil(fake.retry_after))),
                "retry-after-ms": str(int(fake.retry_after * 1000)),
                "anthropic-ratelimit-requests-remaining": "0",
            }
            self._json(429, _error("rate_limit_error", text), headers)

        def _stream(self, message: dict[str, Any], fault: str | None, total: float) -> None:
            events = list(_sse_events(message, fake.chunk, fault))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("transfer-encoding", "chunked")
            self.send_header("request-id", f"req_fake_{next(fake._ids)}")
            for k, v in _limit_headers(fake).items():
                self.send_header(k, v)
            self.end_headers()
            with fake.lock:
                fake.statuses[200] += 1
            pause = total / max(1, len(events))
            cut = len(events) // 2
            for i, (name, data) in enumerate(events):
                if fault == "drop" and i == cut:
                    # Half a chunk, then a hard close: the client sees an incomplete body.
                    self.wfile.write(b"400\r\nevent: content_block_delta\n")
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if fault == "cut_short" and name in ("message_delta", "message_stop"):
                    break
                frame = f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                self.wfile.write(f"{len(frame):x}\r\n".encode() + frame + b"\r\n")
                self.wfile.flush()
                if fake.stopping.wait(pause):
                    return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _create_batch(self, body: dict[str, Any]) -> None:
            batch_id = f"msgbatch_fake_{next(fake._ids)}"
            results = []
            for item in body.get("requests", []):
                message = fake.respond(item.get("params", {}), None)
                results.append(
                    {
                        "custom_id": item.get("custom_id"),
                        "result": {"type": "succeeded", "message": message},
                    }
                )
            batch = {"id": batch_id, "results": results, "polls": 0, "created": time.time()}
            fake.batches[batch_id] = batch
            return self._json(200, _batch_view(fake, batch))

    return Handler


def _limit_headers(fake: FakeAnthropic) -> dict[str, str]:
    if fake.max_in_flight is None:
        return {}
    with fake.lock:
        left = max(0, fake.max_in_flight - fake.in_flight)
    return {"anthropic-ratelimit-requests-remaining": str(left)}


def _batch_view(fake: FakeAnthropic, batch: dict[str, Any]) -> dict[str, Any]:
    ended = batch["polls"] >= fake.batch_polls
    n = len(batch["results"])
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(batch["created"]))
    return {
        "id": batch["id"],
        "type": "message_batch",
        "processing_status": "ended" if ended else "in_progress",
        "request_counts": {
            "processing": 0 if ended else n,
            "succeeded": n if ended else 0,
            "errored": 0,
            "canceled": 0,
            "expired": 0,
        },
        "created_at": created,
        "expires_at": created,
        "ended_at": created if ended else None,
        "results_url": f"{fake.url}/v1/messages/batches/{batch['id']}/results" if ended else None,
    }


def _sse_events(
    message: dict[str, Any], chunk: int, fault: str | None
) -> Iterator[tuple[str, Any]]:
    start = {**message, "content": [], "stop_reason": None}
    start["usage"] = {**message["usage"], "output_tokens": 1}
    yield "message_start", {"type": "message_start", "message": start}
    yield "ping", {"type": "ping"}
    for index, block in enumerate(message["content"]):
        if block["type"] == "tool_use":
            yield (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {**block, "input": {}},
                },
            )
            text = json.dumps(block["input"])
            if fault == "malformed_json":
                text = '{"oops": ,, ' + text[1:]  # invalid wherever the model is cut
            for piece in _pieces(text, chunk):
                delta = {"type": "input_json_delta", "partial_json": piece}
                yield (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
        else:
            yield (
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
            for piece in _pieces(block["text"], chunk):
                delta = {"type": "text_delta", "text": piece}
                yield (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    if fault == "error_event":
        yield "error", _error("overloaded_error", "Overloaded")
        return
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
            "usage": message["usage"],
        },
    )
    yield "message_stop", {"type": "message_stop"}


def _pieces(text: str, size: int) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", default="uniform:0.1:0.5")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", default=",".join(TRANSIENT_FAULTS))
    parser.add_argument("--max-in-flight", type=int, default=None)
    parser.add_argument("--retry-after", type=float, default=1.0)
    parser.add_argument("--api-key", default=None, help="require this x-api-key (401 otherwise)")
    parser.add_argument("--lookups", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--latency-key",
        choices=("sequence", "content"),
        default="sequence",
        help="content: a request's latency depends only on the seed and its user message",
    )
    parser.add_argument("--chunk", type=int, default=16, help="characters per streamed delta")
    args = parser.parse_args(argv)
    fake = FakeAnthropic(
        host=args.host,
        port=args.port,
        latency=args.latency,
        fault_rate=args.fault_rate,
        faults=tuple(f for f in args.faults.split(",") if f),
        max_in_flight=args.max_in_flight,
        retry_after=args.retry_after,
        api_key=args.api_key,
        lookups=args.lookups,
        seed=args.seed,
        latency_key=args.latency_key,
        chunk=args.chunk,
    )
    print(fake.url, flush=True)
    try:
        fake.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        print(json.dumps(fake.stats()), file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
