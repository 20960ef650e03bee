"""TLS end to end: the emulator serves HTTPS with a CA it generates (or a certificate for another name,
or an expired one), and modules and the inventory plugin verify it by default, trust it through
ca_path / KUBESPHERE_CA_PATH, and word each failure so the user knows what to fix."""
import subprocess

import pytest

from ks_ansible import BIN, ROOT, Ansible

READ = ("kubesphere.core.ks_info", "kind=user name=admin")


@pytest.fixture
def tls_emulator(fresh_emulator):
    return fresh_emulator(tls=True)


def failure(run):
    assert run.rc != 0, run.output[-3000:]
    return run.output


def test_verified_with_the_ca_and_refused_clearly_without(tls_emulator, tmp_path):
    ansible = Ansible(tls_emulator, tmp_path)
    assert tls_emulator.url.startswith("https://")
    ansible.playbook("tls_reads.yml", env={"KUBESPHERE_CA_PATH": tls_emulator.ca_path}).assert_ok()

    output = failure(ansible.adhoc(*READ))      # verification is on by default: the CA is unknown
    assert "TLS error: the certificate of 127.0.0.1:%d is signed by a CA that the system's CA bundle does not " \
           "hold" % tls_emulator.port in output
    assert "set ca_path (or KUBESPHERE_CA_PATH, or the CA field of the AWX credential)" in output
    assert tls_emulator.counters()["logins"]["password_ok"] == 1    # the refused runs sent nothing


def test_validate_certs_false_warns_once_per_run(tls_emulator, tmp_path):
    run = Ansible(tls_emulator, tmp_path).playbook("tls_reads.yml", env={"KUBESPHERE_VALIDATE_CERTS": "false"})
    run.assert_ok()
    warning = "TLS certificate verification is disabled (validate_certs=false) for %s" % tls_emulator.url
    assert run.output.count(warning) == 1, run.output


def test_inventory_plugin_honours_the_ca_path(tls_emulator, tmp_path):
    ansible = Ansible(tls_emulator, tmp_path)
    cmd = [str(BIN / "ansible-inventory"), "-i", str(ROOT / "tests/integration/inventory/plain.ks_clusters.yml"),
           "--list"]
    ok = subprocess.run(cmd, env=ansible.env({"KUBESPHERE_CA_PATH": tls_emulator.ca_path}), cwd=str(ROOT),
                        capture_output=True, text=True, timeout=120, check=False)
    assert ok.returncode == 0 and '"host"' in ok.stdout, ok.stderr


def test_hostname_mismatch_names_the_host_and_the_certificate_names(fresh_emulator, tmp_path):
    emulator = fresh_emulator(tls_names=["ks.example.com", "console.example.com"])
    output = failure(Ansible(emulator, tmp_path).adhoc(*READ, env={"KUBESPHERE_CA_PATH": emulator.ca_path}))
    assert "is not valid for the host name 127.0.0.1: it holds ks.example.com, console.example.com" in output
    assert "use a name the certificate holds in ks_host" in output


def test_expired_certificate_says_so(fresh_emulator, tmp_path):
    emulator = fresh_emulator(tls_expired=True)
    output = failure(Ansible(emulator, tmp_path).adhoc(*READ, env={"KUBESPHERE_CA_PATH": emulator.ca_path}))
    assert "TLS error: the certificate of 127.0.0.1:%d has expired (not valid after " % emulator.port in output


def test_https_against_a_plain_http_port_says_so_without_ca_advice(emulator, tmp_path):
    env = {"KUBESPHERE_HOST": emulator.url.replace("http://", "https://")}
    output = failure(Ansible(emulator, tmp_path).adhoc(*READ, env=env))
    assert "TLS error: 127.0.0.1:%d answers plain HTTP, not HTTPS" % emulator.port in output
    assert "use http:// in ks_host for this port" in output
    assert "ca_path" not in output and "validate_certs" not in output


def test_unreadable_or_non_pem_ca_path_says_so(emulator, tmp_path):
    der = tmp_path / "ca.der"
    der.write_bytes(b"\x30\x82\x03\x0c not pem")
    output = failure(Ansible(emulator, tmp_path).adhoc(*READ, env={"KUBESPHERE_CA_PATH": str(der)}))
    assert "ca_path %s is not a PEM CA bundle" % der in output
