"""Runs one probe in this process and prints `RESULT <json>`: `python bench/attacks/probe.py MODULE NAME`.

The probe modules are loaded from this folder by path, so the attacks of this checkout run against whatever
tree is first on PYTHONPATH (this one, or an older checkout given with --before-tree).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    module_name, probe = sys.argv[1], sys.argv[2]
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != HERE]  # never shadow the tree's packages
    spec = importlib.util.spec_from_file_location(f"attack_{module_name}", HERE / f"{module_name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    print("RESULT " + json.dumps(getattr(module, f"probe_{probe}")()), flush=True)
    os._exit(0)  # do not wait for threads a frozen attack left behind


if __name__ == "__main__":
    main()
