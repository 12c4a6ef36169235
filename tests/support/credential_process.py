#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""credential_process.py: a `credential_process` helper for the integration
tests.  It prints, on stdout, the JSON document the AWS CLI expects from a
credential process:

    {"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ...,
     "SessionToken": ..., "Expiration": "2026-01-02T03:04:05Z"}

built from its arguments:

    --access-key ID          (required unless --fail)
    --secret KEY             (default: the test secret the verifying proxy knows)
    --token TOKEN            (optional; omitted from the output when absent)
    --expiration-minutes N   (optional; Expiration = now + N minutes)
    --expiration ISO8601     (optional; an exact Expiration instead)
    --fail MESSAGE           print MESSAGE on stderr and exit 1

Without an expiration the credentials are long-term (no Expiration member).
Standard library only, so it runs under any python3.
"""

import argparse
import datetime
import json
import sys

# Same value as harness.TEST_SECRET; repeated so this script needs no imports
# from the test tree.
TEST_SECRET = "awsx/TEST/secret/KEY0000000000000000000"


def main(argv):
    p = argparse.ArgumentParser(description="credential_process for tests")
    p.add_argument("--access-key")
    p.add_argument("--secret", default=TEST_SECRET)
    p.add_argument("--token")
    p.add_argument("--expiration-minutes", type=float)
    p.add_argument("--expiration")
    p.add_argument("--fail", metavar="MESSAGE")
    a = p.parse_args(argv)

    if a.fail is not None:
        sys.stderr.write(a.fail + "\n")
        return 1
    if not a.access_key:
        p.error("--access-key is required")

    doc = {"Version": 1, "AccessKeyId": a.access_key, "SecretAccessKey": a.secret}
    if a.token:
        doc["SessionToken"] = a.token
    if a.expiration:
        doc["Expiration"] = a.expiration
    elif a.expiration_minutes is not None:
        when = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        when += datetime.timedelta(minutes=a.expiration_minutes)
        doc["Expiration"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    sys.stdout.write(json.dumps(doc) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
