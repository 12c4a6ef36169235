# SPDX-License-Identifier: Apache-2.0
"""test_lc_migrate.py: `awsx lc-migrate` scenarios, one per test function,
run by ctest as lc-migrate-<name>.  AWS calls go through the SigV4-verifying
proxy in front of moto; no test asserts on elapsed time.
"""

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
import harness  # noqa: E402


def describe(res):
    return "\n  exit %s\n  stdout: %r\n  stderr: %r" % (res.returncode, res.stdout[-2000:],
                                                       res.stderr[-2000:])


def test_deny_policy(tmp):
    env = harness.home(str(tmp))
    res = harness.run_awsx(["lc-migrate", "deny-policy"], env)
    assert res.returncode == 0, describe(res)
    doc = json.loads(res.stdout)
    assert doc["Version"] == "2012-10-17", doc
    (stmt,) = doc["Statement"]
    assert stmt["Effect"] == "Deny" and stmt["Action"] == "autoscaling:CreateLaunchConfiguration", doc
    assert stmt["Resource"] == "*", doc


def test_help_lists_subcommands(tmp):
    env = harness.home(str(tmp))
    for argv in (["lc-migrate", "-h"], ["help", "lc-migrate"], ["lc-migrate", "--help"]):
        res = harness.run_awsx(argv, env)
        assert res.returncode == 0, describe(res)
        assert "deny-policy" in res.stdout, describe(res)
    res = harness.run_awsx(["help", "lc-migrate", "deny-policy"], env)
    assert res.returncode == 0 and "usage: awsx lc-migrate deny-policy" in res.stdout, describe(res)


def test_missing_or_unknown_subcommand(tmp):
    env = harness.home(str(tmp))
    res = harness.run_awsx(["lc-migrate"], env)
    assert res.returncode == 2 and "usage: awsx lc-migrate" in res.stderr, describe(res)
    res = harness.run_awsx(["lc-migrate", "deny-polcy"], env)
    assert res.returncode == 2 and "did you mean 'deny-policy'" in res.stderr, describe(res)
    res = harness.run_awsx(["lc-migrate", "deny-policy", "--bogus"], env)
    assert res.returncode == 2 and "unknown option '--bogus'" in res.stderr, describe(res)


harness.main(globals())
