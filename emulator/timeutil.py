"""Time formats the real server uses (RFC 3339 seconds, Go durations)."""

import calendar
import time


def now():
    return time.time()


def rfc3339(t=None):
    """Kubernetes timestamps have second precision."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now() if t is None else t))


def parse_rfc3339(value):
    """Seconds since the epoch, or None when the value is not a timestamp."""
    if not value:
        return None
    try:
        return float(calendar.timegm(time.strptime(value, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def go_duration(seconds):
    """Format like Go's time.Duration.String(): 3m20.806567028s, 10m0s, 1h0m0s, 1.5ms."""
    nanos = int(round(seconds * 1e9))
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos == 0:
        return "0s"
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return sign + _trim(nanos / size) + unit
    hours, rest = divmod(nanos, 3600 * 10**9)
    minutes, rest = divmod(rest, 60 * 10**9)
    text = _trim_fraction(rest) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{text}"
    if minutes:
        return f"{sign}{minutes}m{text}"
    return sign + text


def _trim(value):
    return f"{value:.9f}".rstrip("0").rstrip(".")


def _trim_fraction(nanos):
    whole, frac = divmod(nanos, 10**9)
    if not frac:
        return str(whole)
    return f"{whole}.{frac:09d}".rstrip("0")
