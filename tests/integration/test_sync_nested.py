# SPDX-License-Identifier: Apache-2.0
"""awsx sync --code of a stack with a nested stack, against moto behind the proxy.

The app has a function of its own and an AWS::Serverless::Application whose Location
is a local template (child/template.yaml) with a function of its own (CodeUri relative
to child/). tests/support/samstack.py packages and uploads the child, the proxy
transforms the parent, moto's process (motoext.py) the child.  awsx names the nested
function "Child/ChildFunction" and finds it in the nested stack.  Write calls are
counted from the proxy's request log, never from awsx's own report."""

import json
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import samstack  # noqa: E402
import synctest  # noqa: E402

from synctest import by_id, sync, writes  # noqa: E402

def setup(tmp, app=synctest.NESTED_APP):
    """app written to tmp/app, its stack deployed; (env, app dir, stack name, ids of
    the parent stack, ids of the nested stack)."""
    env = synctest.environment(tmp)
    d = synctest.write_app(tmp, app)
    stack = "nested-" + uuid.uuid4().hex[:10]
    ids = samstack.deploy_sam_stack(stack, str(d))
    assert ids.get("Child"), ids
    _, cfn = samstack.clients(harness.env()["endpoint_url"])
    child = samstack.stack_resources(cfn, ids["Child"])
    assert child.get("ChildFunction"), child
    return env, d, stack, ids, child


def code_sha256(function_name):
    lam = synctest.boto("lambda")
    return lam.get_function(FunctionName=function_name)["Configuration"]["CodeSha256"]


def test_nested_function_synced_then_nothing_to_write(tmp):
    env, d, stack, ids, child = setup(tmp)
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert set(res) == {"ParentFunction", "Child/ChildFunction"}, res
    nested = res["Child/ChildFunction"]
    assert nested["Result"] == "updated", nested
    assert nested["PhysicalId"] == child["ChildFunction"], (nested, child)
    assert res["ParentFunction"]["PhysicalId"] == ids["ParentFunction"], res
    assert code_sha256(child["ChildFunction"]) == nested["CodeSha256"], nested
    paths = [e["path"] for e in writes(mark)]
    assert any(child["ChildFunction"] in p for p in paths), paths

    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    assert all(r["Result"] == "unchanged" for r in doc["Resources"]), doc
    w = writes(mark)
    assert not w, "an unchanged sync made write calls: %s" % [e["api"] for e in w]


def test_child_edit_updates_only_nested_function(tmp):
    env, d, stack, ids, child = setup(tmp)
    sync(env, d, stack)
    with open(d / "child" / "src" / "app.py", "a") as f:
        f.write("\n# edited\n")
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack)
    res = by_id(doc)
    assert res["Child/ChildFunction"]["Result"] == "updated", res
    assert res["ParentFunction"]["Result"] == "unchanged", res
    w = writes(mark)
    assert [e["api"] for e in w] == ["UpdateFunctionCode"], [e["api"] for e in w]
    assert child["ChildFunction"] in w[0]["path"], w[0]
    assert code_sha256(child["ChildFunction"]) == res["Child/ChildFunction"]["CodeSha256"]


def test_resource_id_selects_nested_function(tmp):
    env, d, stack, ids, child = setup(tmp)
    parent_sha = code_sha256(ids["ParentFunction"])
    mark = harness.log_mark()
    doc, _ = sync(env, d, stack, "--resource-id", "Child/ChildFunction")
    res = by_id(doc)
    assert set(res) == {"Child/ChildFunction"}, res
    assert res["Child/ChildFunction"]["Result"] == "updated", res
    w = writes(mark)
    assert [e["api"] for e in w] == ["UpdateFunctionCode"], [e["api"] for e in w]
    assert child["ChildFunction"] in w[0]["path"], w[0]
    assert code_sha256(ids["ParentFunction"]) == parent_sha


harness.main(globals())
