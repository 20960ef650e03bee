"""Build the collection's documentation site as the Ansible documentation builds a collection's:
antsibull-docs writes a page for every module, plugin and role from its own documentation, and the
guides listed in docs/docsite/extra-docs.yml; Sphinx renders them with the Ansible theme. Any warning
fails the build.

    tools/build_docsite.py [--dest DIR]     (what `make docsite` runs; the site is DIR/html/index.html)
"""

import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=os.path.join(ROOT, ".build", "docsite"))
    args = parser.parse_args(argv)
    dest = os.path.abspath(args.dest)
    rst, html = os.path.join(dest, "rst"), os.path.join(dest, "html")
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(rst, mode=0o700)          # antsibull-docs wants a directory only its owner may write
    os.chmod(dest, 0o700)
    os.chmod(rst, 0o700)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, ".build", "collections"),
               PATH=BIN + os.pathsep + os.environ.get("PATH", ""))     # antsibull-docs runs ansible-doc
    subprocess.run([os.path.join(BIN, "antsibull-docs"), "collection", "--use-current", "--squash-hierarchy",
                    "--fail-on-error", "--cleanup", "everything", "--dest-dir", rst, "kubesphere.core"],
                   env=env, check=True)
    subprocess.run([os.path.join(BIN, "sphinx-build"), "-b", "html", "-q", "-W", "--keep-going", "-n",
                    "-c", os.path.join(ROOT, "tools", "docsite"), rst, html], env=env, check=True)
    print("the site: %s" % os.path.join(html, "index.html"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
