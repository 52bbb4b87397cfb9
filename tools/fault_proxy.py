"""A loopback HTTP proxy that sits in front of the emulator and injects AWS faults.

moto answers every call at once and never throttles, so the behaviour the collection promises under a
busy or broken AWS (retry throttling with backoff, stop at once on a quota, give up cleanly on a dead
network) needs something between the client and the emulator. This is that part, and only that: it
forwards real requests to the real emulator and, by a deterministic rule, answers some of them with the
error AWS would send instead.

Modes:
    throttle  every ``every``-th request gets AWS's throttling answer in its protocol (retryable;
              S3: 503 SlowDown, JSON: ThrottlingException, query/REST-XML: Throttling)
    limit     requests whose body or path contains ``match`` get a 400 LimitExceeded (not retryable)
    drop      every request's connection is closed without an answer (a network failure)

    with FaultProxy(upstream="http://127.0.0.1:5000", mode="throttle", every=3) as proxy:
        os.environ["AWS_ENDPOINT_URL"] = proxy.endpoint
        ...
        proxy.faults  # how many answers were faults (= retries the client had to make)
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}
# REST-JSON services whose GETs carry no JSON content type, so the signing name tells.
REST_JSON_SERVICES = {"elasticfilesystem", "lambda", "apigateway", "elasticache-serverless"}


def service_of(authorization: str) -> str:
    """The signing name in a SigV4 Authorization header (Credential=KEY/DATE/REGION/SERVICE/aws4_request)."""
    match = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", authorization or "")
    return match.group(1) if match else ""


def aws_error(headers, fault: str, limit_code: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body AWS sends for ``fault``, in the protocol of the request.

    query (STS, EC2, RDS...) and REST-XML (Route53, CloudFront): an XML ErrorResponse with a 400;
    JSON (X-Amz-Target: ECS, Logs, Secrets Manager...): a JSON body with __type; REST-JSON (EFS...): a JSON
    body with the x-amzn-ErrorType header; S3: 503 SlowDown for throttling, an XML Error otherwise.
    """
    json_protocol = bool(headers.get("X-Amz-Target"))
    service = service_of(headers.get("Authorization", ""))
    content_type = headers.get("Content-Type", "")
    throttle = fault == "throttle"
    message = "Rate exceeded" if throttle else "The maximum number of resources of this type has been reached"
    if service == "s3":
        code, status = ("SlowDown", 503) if throttle else (limit_code, 400)
        body = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
        return status, {"Content-Type": "application/xml"}, body.encode()
    if json_protocol:
        code = "ThrottlingException" if throttle else limit_code
        return (
            400,
            {"Content-Type": "application/x-amz-json-1.1"},
            json.dumps({"__type": code, "message": message}).encode(),
        )
    if "json" in content_type or service in REST_JSON_SERVICES:
        code = "ThrottlingException" if throttle else limit_code
        return (
            400,
            {"Content-Type": "application/json", "x-amzn-ErrorType": code},
            json.dumps({"message": message}).encode(),
        )
    code = "Throttling" if throttle else limit_code
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>fault-proxy</RequestId></ErrorResponse>"
    )
    return 400, {"Content-Type": "text/xml"}, body.encode()


class FaultProxy:
    def __init__(
        self, upstream: str, mode: str = "throttle", every: int = 3, match: str = "", limit_code: str = "LimitExceeded"
    ) -> None:
        if mode not in ("throttle", "limit", "drop"):
            raise ValueError(f"unknown fault mode {mode!r}")
        self.upstream = urlsplit(upstream)
        self.mode, self.every, self.match, self.limit_code = mode, max(1, every), match, limit_code
        self.requests = 0
        self.faults = 0
        self.actions: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "FaultProxy":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _decide(self, body: bytes, path: str, target: str) -> str | None:
        """Which fault, if any, this request gets."""
        with self._lock:
            self.requests += 1
            n = self.requests
            action = _action(body, path, target)
            self.actions.append(action)
            fault = None
            if self.mode == "drop":
                fault = "drop"
            elif self.mode == "throttle" and n % self.every == 0:
                fault = "throttle"
            elif self.mode == "limit" and self.match and (self.match in action or self.match.encode() in body):
                fault = "limit"
            if fault:
                self.faults += 1
            return fault

    def _handler(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet: the tests read counters, not logs
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._decide(body, self.path, self.headers.get("X-Amz-Target", ""))
                if fault == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if fault:
                    status, headers, payload = aws_error(self.headers, fault, proxy.limit_code)
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_HEADERS}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in HOP_HEADERS and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _serve

        return Handler


def _action(body: bytes, path: str, target: str) -> str:
    """The API action of a request: X-Amz-Target for JSON protocols, Action=... for query ones, else the path."""
    if target:
        return target.rsplit(".", 1)[-1]
    text = body.decode(errors="replace")
    for part in text.split("&"):
        if part.startswith("Action="):
            return part.split("=", 1)[1]
    return path
