"""Decoding request bodies the way kube-apiserver does, with its messages."""

import yaml

from .. import errors, gojson

_YAML = ("application/yaml", "application/x-yaml", "text/yaml")
_PATCH_TYPES = {"application/merge-patch+json": "merge", "application/json-patch+json": "json",
                "application/strategic-merge-patch+json": "strategic",
                "application/apply-patch+yaml": "apply"}


def _unrecognized(kind, detail, raw):
    text = raw.decode("utf-8", "replace")
    if len(text) > 512:
        text = text[:512] + "..."
    return errors.bad_request(f"the object provided is unrecognized (must be of type {kind.kind}): {detail} ({text})")


def decode_object(request, kind):
    """The object in a POST/PUT body, checked against the kind of the URL."""
    content_type = request.content_type
    raw = request.body
    if content_type in _YAML:
        try:
            body = yaml.safe_load(raw.decode("utf-8", "replace"))
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error converting YAML to JSON: {exc}") from None
    elif content_type in ("", "application/json", "*/*"):
        try:
            body = gojson.loads(raw)
        except gojson.GoJSONError as exc:
            raise _unrecognized(kind, f"couldn't get version/kind; json parse error: {exc}", raw) from None
    else:
        raise errors.unsupported_media_type(["application/json", "application/yaml",
                                             "application/vnd.kubernetes.protobuf"])
    if not isinstance(body, dict):
        raise _unrecognized(kind, "couldn't get version/kind; json parse error: "
                                  "json: cannot unmarshal array into Go value of type struct "
                                  "{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
                                  "Kind string \"json:\\\"kind,omitempty\\\"\" }", raw)
    text = raw.decode("utf-8", "replace")
    if not body.get("kind"):
        raise _unrecognized(kind, f"Object 'Kind' is missing in '{text}'", raw)
    if not body.get("apiVersion"):
        raise _unrecognized(kind, f"Object 'apiVersion' is missing in '{text}'", raw)
    group, _slash, version = body["apiVersion"].rpartition("/")
    if body["kind"] != kind.kind or group != kind.group or version not in kind.versions:
        raise errors.bad_request(f"the API version in the data ({body['apiVersion']}) does not match the "
                                 f"expected API version ({kind.api_version()})"
                                 if body["kind"] == kind.kind else
                                 f"the kind in the data ({body['kind']}) does not match the expected kind "
                                 f"({kind.kind})")
    return body


def patch_type(request, kind):
    """merge | json | strategic | apply, or an ApiError(415)."""
    found = _PATCH_TYPES.get(request.content_type)
    accepted = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
    if not kind.custom:
        accepted.append("application/strategic-merge-patch+json")
    if found is None or (found == "strategic" and kind.custom):
        raise errors.unsupported_media_type(accepted)
    return found


def decode_patch(request, kind_of_patch):
    raw = request.body
    try:
        if kind_of_patch == "apply":
            body = yaml.safe_load(raw.decode("utf-8", "replace"))
        else:
            body = gojson.loads(raw)
    except (gojson.GoJSONError, yaml.YAMLError) as exc:
        raise errors.bad_request(f"error decoding patch: {exc}") from None
    if kind_of_patch == "json" and not isinstance(body, list):
        raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    if kind_of_patch != "json" and not isinstance(body, dict):
        raise errors.bad_request("error decoding patch: the patch must be a JSON object")
    return body
