# SPDX-License-Identifier: Apache-2.0
"""GET /hello: answers a fixed JSON greeting."""

import json
import os


def lambda_handler(event, context):
    greeting = os.environ.get("GREETING", "Hello")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": "%s world" % greeting.lower()}),
    }
