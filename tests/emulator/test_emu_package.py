"""The emulator as a package of its own (emulator/pyproject.toml): its wheel holds every module and data
file of emulator/ and nothing else, runs without the checkout, and the project's venv has it installed
with its console script (make venv)."""

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest

import emulator

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "emulator")
# What a build or a run leaves in the source folder: never part of the package.
_LEFTOVERS = ("build", "dist", "__pycache__")
_NOT_PACKAGED = ("pyproject.toml", "README.md")


def _leftover(name):
    return name in _LEFTOVERS or name.endswith(".egg-info")


def _source_files():
    found = set()
    for folder, dirs, files in os.walk(SOURCE):
        dirs[:] = [d for d in dirs if not _leftover(d)]
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), SOURCE)
            if path not in _NOT_PACKAGED and not name.endswith(".pyc"):
                found.add("emulator/" + path.replace(os.sep, "/"))
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built from a clean copy of emulator/ (a checkout's build/ leftovers could slip in)."""
    work = tmp_path_factory.mktemp("emulator-wheel")
    source = work / "emulator"
    shutil.copytree(SOURCE, source, ignore=lambda _dir, names: [n for n in names if _leftover(n)])
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation",
                            "-w", str(work / "dist"), str(source)], capture_output=True, text=True, timeout=300,
                           check=False)
    assert build.returncode == 0, build.stdout + build.stderr   # setuptools is pinned in requirements-dev.txt
    built = list((work / "dist").glob("kubesphere_emulator-*.whl"))
    assert len(built) == 1, built
    return built[0]


def test_the_wheel_holds_every_module_and_data_file_and_nothing_else(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = {n for n in archive.namelist() if not n.startswith("kubesphere_emulator-")}
    expected = _source_files()
    assert "emulator/role_templates.yaml" in expected and "emulator/routes/router.py" in expected
    assert names == expected, {"missing": sorted(expected - names), "extra": sorted(names - expected)}


def test_the_wheel_names_its_version_dependencies_and_command(wheel):
    with zipfile.ZipFile(wheel) as archive:
        info = f"kubesphere_emulator-{emulator.__version__}.dist-info/"
        metadata = archive.read(info + "METADATA").decode()
        entry_points = archive.read(info + "entry_points.txt").decode()
    assert "Name: kubesphere-emulator\n" in metadata
    assert f"Version: {emulator.__version__}\n" in metadata
    requires = {line.split(":", 1)[1].strip().split(";")[0].strip() for line in metadata.splitlines()
                if line.startswith("Requires-Dist:")}
    assert {"PyYAML>=5.4", "bcrypt>=3.1"} <= requires
    assert "kubesphere-emulator = emulator.__main__:main" in entry_points


def test_the_installed_wheel_runs_without_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = dict(os.environ, PYTHONPATH=str(target))
    where = subprocess.run([sys.executable, "-c", "import emulator; print(emulator.__file__)"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    assert where.startswith(str(target)), where
    port_file = tmp_path / "port"
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--port-file", str(port_file),
                                "--ks-version", "3.4", "--bcrypt-cost", "4"], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text().strip()}/kapis/version"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert json.load(answer)["gitVersion"] == "v3.4.1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_venv_has_the_package_and_its_command():
    """make venv installs it (pip install -e ./emulator): a venv without it fails here, not in a tool later."""
    assert importlib.metadata.version("kubesphere-emulator") == emulator.__version__
    assert os.access(os.path.join(os.path.dirname(sys.executable), "kubesphere-emulator"), os.X_OK)
