#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""moto's server (`python3 -m moto.server` arguments) with motoext.py loaded first,
so that its CloudFormation knows the resource types moto lacks. Used by awsenv.py."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motoext  # noqa: E402,F401  (registers CloudFormation resource types)

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
