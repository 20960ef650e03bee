"""Build the collection tarball from the files git tracks, never from whatever lies in the checkout.

ansible-galaxy builds from a directory and ships everything build_ignore does not name, so an
untracked file (a team file with passwords, as a user may keep beside the playbooks) would ship.
galaxy.yml's manifest allow-list needs the distlib library, which ansible-core does not bring, so
the allow-list is git's: the tracked files (as they are in the working tree) are copied to a
staging directory and built there; build_ignore still drops the development-only ones.

    tools/build_collection.py [--output-path DIR]     (what `make package` runs)
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def tracked_files(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True).stdout
    return [name for name in out.decode("utf-8").split("\0") if name]


def stage(root, target):
    for name in tracked_files(root):
        source = os.path.join(root, name)
        if not os.path.lexists(source):      # deleted in the working tree, not committed yet
            continue
        dest = os.path.join(target, name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy2(source, dest, follow_symlinks=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-path", default=os.path.join(ROOT, ".build", "dist"))
    args = parser.parse_args(argv)
    galaxy = os.path.join(os.path.dirname(sys.executable), "ansible-galaxy")
    with tempfile.TemporaryDirectory(prefix="ks-collection-") as staging:
        stage(ROOT, staging)
        return subprocess.call([galaxy if os.path.exists(galaxy) else "ansible-galaxy", "collection", "build",
                                "--force", "--output-path", os.path.abspath(args.output_path), staging])


if __name__ == "__main__":
    sys.exit(main())
