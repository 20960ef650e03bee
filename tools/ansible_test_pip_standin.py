"""Give ansible-test a local pip bootstrap script.

ansible-test --venv downloads get-pip from a host this network cannot reach; it looks in its cache
first. The stand-in bootstraps pip with ensurepip and then installs what was asked from PyPI.
"""
import pathlib

import ansible.release

STANDIN = '''import subprocess, sys
subprocess.run([sys.executable, "-m", "ensurepip", "--upgrade"], check=True)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
if args:
    subprocess.run([sys.executable, "-m", "pip", "install"] + args, check=True)
'''

cache = pathlib.Path.home() / ".ansible" / "test" / "cache"
cache.mkdir(parents=True, exist_ok=True)
# ansible-test names the script after the pip version it bootstraps; write the ones this core knows.
for version in ("get_pip_23_1_2.py", "get_pip_24_0.py", "get_pip_24_2.py", "get_pip_25_2.py"):
    (cache / version).write_text(STANDIN)
print("ansible-test pip stand-in ready for ansible-core", ansible.release.__version__)
