"""kubesphere-emulator --port 0 ... (or python -m emulator --port 0 ...)"""

import argparse
import json
import sys

from . import __version__
from .settings import ClusterSpec, Settings, load_config_file


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="kubesphere-emulator",
                                     description="KubeSphere API emulator (v4.1, or v3.4 with --ks-version 3.4)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port-file", help="write the bound port to this file once listening")
    parser.add_argument("--config", help="YAML file with clusters, users and auth settings")
    parser.add_argument("--members", default="", help="comma-separated member clusters, e.g. member1,member2")
    parser.add_argument("--not-ready", default="", help="comma-separated members that are not Ready")
    parser.add_argument("--joinable", default="",
                        help="comma-separated clusters a test may join as members (kubeconfig: "
                             "GET /_emulator/members/NAME/kubeconfig)")
    parser.add_argument("--cluster-join-ms", type=float,
                        help="how long the join's Helm install of ks-core into a member runs (default 1000)")
    parser.add_argument("--token-ttl", type=float, help="access token lifetime in seconds (default 7200)")
    parser.add_argument("--token-inactivity-timeout", type=float,
                        help="added to the refresh token lifetime, seconds (default 1800)")
    parser.add_argument("--lockout-max", type=int, help="failed logins before lock-out (default 10)")
    parser.add_argument("--lockout-window", type=float, help="lock-out window in seconds (default 600)")
    parser.add_argument("--controller-delay-ms", type=float, help="controller reaction delay (default 30)")
    parser.add_argument("--informer-lag-ms", type=float, help="how stale kapis reads are (default 20; 0 disables)")
    parser.add_argument("--extension-job-ms", type=float,
                        help="how long each emulated Helm job of an InstallPlan runs (default 1000)")
    parser.add_argument("--password-hash-ms", type=float,
                        help="extra time before the user controller hashes a new password (default 0)")
    parser.add_argument("--builtin-roles-delay-ms", type=float,
                        help="3.4: when a new workspace's or project's built-in roles appear after its finalizer "
                             "(default 100)")
    parser.add_argument("--admin-password", help="password of the seeded admin user (default P@88w0rd)")
    parser.add_argument("--bcrypt-cost", type=int, help="bcrypt cost for password hashing (default 10)")
    parser.add_argument("--jwt-secret", help="HS256 secret of issued tokens")
    parser.add_argument("--git-version", help="KubeSphere version reported by /version (default: the profile's)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA (see --tls-dir)")
    parser.add_argument("--tls-dir", help="directory for the generated ca.crt, server.crt and server.key")
    parser.add_argument("--tls-cert", help="serve this certificate (PEM, with --tls-key) instead of generating one")
    parser.add_argument("--tls-key", help="the private key of --tls-cert")
    parser.add_argument("--tls-names", default="",
                        help="comma-separated names of the generated certificate (default 127.0.0.1,::1,localhost)")
    parser.add_argument("--tls-expired", action="store_true", help="generate a certificate that expired yesterday")
    parser.add_argument("--faults", help='faults on at start, as JSON: {"status_rate": 0.1, "seed": 7} '
                                         "(see emulator/faults.py)")
    parser.add_argument("--ks-version", choices=("4.1", "3.4"),
                        help="which KubeSphere line to answer as (default 4.1; see emulator/profiles.py)")
    parser.add_argument("--list-total-key", choices=("totalItems", "total_count"),
                        help="the total's key in kapis lists: totalItems (4.1, 3.4) or total_count (4.2 Enterprise)")
    return parser.parse_args(argv)


_FLAG_TO_SETTING = ("token_ttl", "token_inactivity_timeout", "lockout_max", "lockout_window",
                    "controller_delay_ms", "informer_lag_ms", "extension_job_ms", "admin_password", "bcrypt_cost",
                    "jwt_secret", "git_version", "password_hash_ms", "ks_version", "list_total_key",
                    "cluster_join_ms", "builtin_roles_delay_ms")


def settings_from_args(args):
    settings = Settings(host=args.host, port=args.port, port_file=args.port_file)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the emulator listens on loopback only (--host 127.0.0.1)")
    if args.config:
        load_config_file(args.config, settings)
    for name in _FLAG_TO_SETTING:
        value = getattr(args, name)
        if value is not None:
            setattr(settings, name, value)
    settings.tls = bool(args.tls or args.tls_cert)
    settings.tls_dir, settings.tls_cert, settings.tls_key = args.tls_dir, args.tls_cert, args.tls_key
    settings.tls_names = [n.strip() for n in args.tls_names.split(",") if n.strip()]
    settings.tls_expired = args.tls_expired
    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("--tls-cert and --tls-key go together")
    if args.faults:
        try:
            settings.faults = json.loads(args.faults)
        except ValueError as exc:
            raise SystemExit(f"--faults is not JSON: {exc}")
    for name in [n.strip() for n in args.joinable.split(",") if n.strip()]:
        if name not in settings.joinable:
            settings.joinable.append(name)
    clashing = set(settings.joinable) & ({m.name for m in settings.members} | {"host"})
    if clashing:
        raise SystemExit(f"--joinable names clash with member clusters or host: {', '.join(sorted(clashing))}")
    not_ready = {n.strip() for n in args.not_ready.split(",") if n.strip()}
    known = {m.name for m in settings.members}
    for name in [n.strip() for n in args.members.split(",") if n.strip()]:
        if name not in known:
            settings.members.append(ClusterSpec(name=name))
            known.add(name)
    for member in settings.members:
        if member.name in not_ready:
            member.ready = False
    unknown = not_ready - known
    if unknown:
        raise SystemExit(f"--not-ready names unknown members: {', '.join(sorted(unknown))}")
    return settings


def main(argv=None):
    """The console script (kubesphere-emulator) and python -m emulator."""
    settings = settings_from_args(parse_args(sys.argv[1:] if argv is None else argv))
    from .app import App
    from .server import run
    return run(App(settings), settings)


if __name__ == "__main__":
    sys.exit(main())
