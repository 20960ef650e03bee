"""The command line: port file, startup line, config file, clean shutdown."""

import os
import signal
import subprocess
import sys

import emulator
from emulator.testing import EmulatorProcess

from emu_helpers import Client


def test_startup_line_port_file_and_sigterm(tmp_path):
    """The console script of the installed package, run away from the checkout."""
    port_file = tmp_path / "port"
    command = os.path.join(os.path.dirname(sys.executable), "kubesphere-emulator")
    process = subprocess.Popen([command, "--port", "0", "--port-file", str(port_file),
                                "--bcrypt-cost", "4"], cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline().strip()
        port = port_file.read_text()
        assert line == f"KubeSphere emulator listening on http://127.0.0.1:{port}"
        assert Client(f"http://127.0.0.1:{port}").get("/livez").text == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0


def test_version(tmp_path):
    command = os.path.join(os.path.dirname(sys.executable), "kubesphere-emulator")
    result = subprocess.run([command, "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=20,
                            check=True)
    assert result.stdout == f"kubesphere-emulator {emulator.__version__}\n"


def test_loopback_only(tmp_path):
    result = subprocess.run([sys.executable, "-m", "emulator", "--host", "0.0.0.0"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode != 0 and "loopback" in result.stderr


def test_config_file(tmp_path):
    config = tmp_path / "emulator.yaml"
    config.write_text(
        "clusters:\n"
        "  - {name: east, provider: aws, connection: proxy, kubernetes_version: v1.30.4, node_count: 5,\n"
        "     region: eu-east, labels: {env: prod}}\n"
        "  - {name: west, ready: false}\n"
        "users:\n"
        "  - {name: carol, password: Carol-Pass-1, email: carol@example.com, globalrole: platform-self-provisioner}\n"
        "auth: {token_ttl: 60, admin_password: Admin-Pass-9}\n"
        "version: {git_version: v4.1.2}\n")
    with EmulatorProcess(config=str(config), bcrypt_cost=4) as emu:
        emu.admin_password = "Admin-Pass-9"
        admin = Client(emu.url, emu.login())
        east = admin.get("/apis/cluster.kubesphere.io/v1alpha1/clusters/east").json()
        assert east["spec"]["connection"]["type"] == "proxy" and east["status"]["nodeCount"] == 5
        assert east["metadata"]["labels"]["env"] == "prod"
        assert admin.get("/clusters/west/version").status_code == 503
        assert admin.get("/clusters/east/version").json()["kubernetes"]["gitVersion"] == "v1.30.4"
        assert admin.get("/version").json()["gitVersion"] == "v4.1.2"
        carol = Client(emu.url, emu.login("carol", "Carol-Pass-1"))
        assert carol.get("/oauth/userinfo").json()["email"] == "carol@example.com"


def test_process_options_become_flags():
    emu = EmulatorProcess(members="a, b", not_ready=["b"], token_ttl=5, bcrypt_cost=4)
    command = emu.command(port=0)
    assert command[command.index("--members") + 1] == "a,b"
    assert command[command.index("--not-ready") + 1] == "b"
    assert command[command.index("--token-ttl") + 1] == "5"


def test_a_failed_start_reports_why(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters: [{name: x, colour: blue}]\n")
    emu = EmulatorProcess(config=str(bad))
    try:
        emu.start()
    except Exception as exc:          # EmulatorError with the emulator's stderr
        assert "colour" in str(exc)
    else:
        raise AssertionError("the emulator started with a bad config")
    assert emu.process is None
