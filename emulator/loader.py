"""Import every module of the feature packages, so that kinds, admission hooks,
routes, controllers and authorization rules register themselves. Adding a
file to one of these packages is all it takes to add a feature."""

import importlib
import pkgutil

FEATURE_PACKAGES = ("emulator.kinds", "emulator.iam", "emulator.authz", "emulator.routes",
                    "emulator.controllers")

_loaded = False


def load_features():
    global _loaded
    if _loaded:
        return
    for package_name in FEATURE_PACKAGES:
        package = importlib.import_module(package_name)
        for module in sorted(m.name for m in pkgutil.iter_modules(package.__path__)):
            importlib.import_module(f"{package_name}.{module}")
    _loaded = True
