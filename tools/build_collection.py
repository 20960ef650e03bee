"""The collection's allow-list: what the Galaxy tarball ships, written into galaxy.yml's manifest.

galaxy.yml's `manifest` names every file that ships, one `include` per file, so a plain
`ansible-galaxy collection build` and `make package` build the same tarball, and a file nobody
listed (a team file with passwords dropped into playbooks/vars/, a scratch role) never ships,
wherever it lies. The list is made here from the files git tracks under SHIPPED:

    tools/build_collection.py --update          rewrite galaxy.yml's list (`make manifest`)
    tools/build_collection.py --check           fail, naming the difference, if the list is stale
    tools/build_collection.py [--output-path D] check, then build (`make package`)

The `manifest` key needs the distlib library at build time (ansible-galaxy says so and stops
without it): requirements-dev.txt pins it.
"""

import argparse
import difflib
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What a user of the collection gets. The tests a collection conventionally ships are its sanity
# ignore files (tests/sanity/): Automation Hub and the Ansible package run `ansible-test sanity` on the
# tarball, and it needs them there. The unit, integration and fidelity tests need the emulator, the
# recordings and the development tools, none of which ship, so they would only fail in the tarball.
SHIPPED = (
    "README.md", "LICENSE", "CHANGELOG.md",
    # Where ansible-builder's introspection of the installed collection looks (meta/execution-environment.yml
    # names them); meta/ holds copies for `ansible-builder build -f meta/execution-environment.yml`.
    "requirements.txt", "bindep.txt",
    "meta/", "plugins/", "roles/", "playbooks/", "docs/", "tests/sanity/",
    # The released notes, not the fragments of the next release (consumed when it is cut).
    "changelogs/changelog.yaml", "changelogs/config.yaml",
)
BEGIN = "    # BEGIN allow-list: tools/build_collection.py --update writes the lines below (make manifest)\n"
END = "    # END allow-list\n"


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True).stdout
    return [name for name in out.decode("utf-8").split("\0") if name]


def shipped(name):
    if any(part.startswith(".") for part in name.split("/")):    # caches such as changelogs/.plugin-cache.yaml
        return False
    return any(name == entry or (entry.endswith("/") and name.startswith(entry)) for entry in SHIPPED)


def allow_list(root):
    """The tracked files that ship, sorted, as distlib `include` directives (one literal path each)."""
    # Symlinks are left out: distlib passes them over, so listing one would promise a file that never ships.
    names = sorted(name for name in tracked_files(root)
                   if shipped(name) and os.path.isfile(os.path.join(root, name))
                   and not os.path.islink(os.path.join(root, name)))
    special = [name for name in names if any(c in name for c in "*?[] \t")]
    if special:
        raise SystemExit("cannot list a file whose name holds a glob character or a space: %s" % special)
    return ["include %s" % name for name in names]


def galaxy_path(root):
    return os.path.join(root, "galaxy.yml")


def listed(root):
    with open(galaxy_path(root)) as handle:
        manifest = yaml.safe_load(handle).get("manifest") or {}
    return list(manifest.get("directives") or [])


def update(root):
    with open(galaxy_path(root)) as handle:
        text = handle.read()
    if BEGIN not in text or END not in text:
        raise SystemExit("galaxy.yml has no allow-list markers (%r ... %r)" % (BEGIN.strip(), END.strip()))
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    body = "".join("    - %s\n" % directive for directive in allow_list(root))
    with open(galaxy_path(root), "w") as handle:
        handle.write(head + BEGIN + body + END + tail)


def stale(root):
    """The difference between galaxy.yml's list and the tracked files, as a unified diff ('' when none)."""
    have, want = listed(root), allow_list(root)
    if have == want:
        return ""
    return "".join(difflib.unified_diff([d + "\n" for d in have], [d + "\n" for d in want],
                                        "galaxy.yml manifest", "tracked files under SHIPPED"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-path", default=os.path.join(ROOT, ".build", "dist"))
    parser.add_argument("--update", action="store_true", help="rewrite galaxy.yml's allow-list")
    parser.add_argument("--check", action="store_true", help="only check that the allow-list is current")
    args = parser.parse_args(argv)
    if args.update:
        update(ROOT)
        return 0
    diff = stale(ROOT)
    if diff:
        sys.stderr.write(diff + "galaxy.yml's allow-list is stale: run `make manifest` and commit galaxy.yml\n")
        return 1
    if args.check:
        return 0
    # The very build a user runs by hand: nothing is staged, so nothing can differ.
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    return subprocess.call([galaxy if os.path.exists(galaxy) else "ansible-galaxy", "collection", "build",
                            "--force", "--output-path", os.path.abspath(args.output_path), ROOT])


if __name__ == "__main__":
    sys.exit(main())
