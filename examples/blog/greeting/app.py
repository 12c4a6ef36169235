# SPDX-License-Identifier: Apache-2.0
"""GET /greeting?name=NAME: greets NAME (or "friend" without one)."""

import json
import os


def lambda_handler(event, context):
    params = (event or {}).get("queryStringParameters") or {}
    name = params.get("name") or "friend"
    greeting = os.environ.get("GREETING", "Hello")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": "%s, %s!" % (greeting, name)}),
    }
