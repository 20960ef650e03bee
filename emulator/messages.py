"""Transport-neutral request and response objects, so the application can be
driven by the HTTP server or called directly in unit tests."""

import json
from urllib.parse import parse_qs, unquote, urlsplit

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"


class Request:
    def __init__(self, method, target, headers=None, body=b"", client_ip="127.0.0.1"):
        self.method = method.upper()
        split = urlsplit(target)
        self.raw_path = split.path or "/"
        self.path = unquote(self.raw_path)
        self.query_string = split.query
        self.query = parse_qs(split.query, keep_blank_values=True)
        self._headers = {k.lower(): v for k, v in (headers or {}).items()}
        self.body = body or b""
        self.client_ip = client_ip

    def header(self, name, default=None):
        return self._headers.get(name.lower(), default)

    def arg(self, name, default=None):
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def content_type(self):
        """The media type without parameters, lower-cased ('' when absent)."""
        value = self.header("content-type") or ""
        return value.split(";", 1)[0].strip().lower()


class Response:
    def __init__(self, status, body=b"", content_type=None, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.content_type = content_type
        self.headers = list(headers or [])

    def json(self):
        return json.loads(self.body)


def dump_json(obj, sort_keys=False):
    return json.dumps(obj, separators=(",", ":"), sort_keys=sort_keys, ensure_ascii=False)


def json_response(obj, status=200, sort_keys=False, headers=None):
    return Response(status, dump_json(obj, sort_keys) + "\n", JSON_TYPE, headers)


def text_response(status, text, content_type=TEXT_TYPE):
    return Response(status, text, content_type)
