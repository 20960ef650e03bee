"""A small KubeSphere v4.1 API emulator (ks-apiserver, its controllers and the
kube-apiserver behind it), for testing the kubesphere.core collection.

Run it with ``python -m emulator --port 0``; drive it from tests with
``emulator.testing.EmulatorProcess``.
"""

__version__ = "0.1.0"
