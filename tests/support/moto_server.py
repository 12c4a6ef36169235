#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""moto's server (`python3 -m moto.server` arguments) with motoext.py loaded first,
so that its CloudFormation knows the resource types moto lacks, and with TCP_NODELAY
on its connections. Used by awsenv.py and bench/run.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoext  # noqa: E402,F401  (registers CloudFormation resource types)

from moto.server import main  # noqa: E402
import werkzeug.serving  # noqa: E402

# TCP_NODELAY, as in proxycommon.py: werkzeug writes headers and body separately, so
# with Nagle on, each response after the first on a kept-alive connection waits for the
# client's delayed ACK (40 ms).
werkzeug.serving.WSGIRequestHandler.disable_nagle_algorithm = True

if __name__ == "__main__":
    sys.exit(main())
