#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for `python3.X -m pip install -r REQ -t TARGET` (no PyPI in tests).

Each requirement line NAME[==version] becomes TARGET/NAME/__init__.py holding the line,
so a changed requirements.txt gives different files.  Every invocation is appended to
$AWSX_FAKE_PIP_LOG (one JSON line: argv, cwd) when that is set.  A requirement named
"fail-to-install" makes it fail like pip does."""
import json
import os
import sys


def main(argv):
    log = os.environ.get("AWSX_FAKE_PIP_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"argv": argv, "cwd": os.getcwd()}) + "\n")
    if argv[:3] != ["-m", "pip", "install"]:
        print("fake python: only -m pip install is supported", file=sys.stderr)
        return 2
    req = argv[argv.index("-r") + 1]
    target = argv[argv.index("-t") + 1]
    os.makedirs(target, exist_ok=True)
    with open(req) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if line.startswith("fail-to-install"):
                print("ERROR: No matching distribution found for %s" % line, file=sys.stderr)
                return 1
            name = line
            for sep in "=<>!~[; ":
                name = name.split(sep, 1)[0]
            os.makedirs(os.path.join(target, name), exist_ok=True)
            with open(os.path.join(target, name, "__init__.py"), "w") as out:
                out.write("# %s\n" % line)
    print("Successfully installed (fake) from %s" % req)
    return 0


sys.exit(main(sys.argv[1:]))
