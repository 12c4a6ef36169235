# SPDX-License-Identifier: Apache-2.0
"""awsx sync --watch against moto behind the verifying proxy.

The watcher runs as a child process; each test waits (bounded) for what it expects in
the proxy's request log or in the watcher's output, then stops it with SIGINT.  Write
calls are counted from the proxy's log with this process's own key (synctest.KEY)."""

import os
import pathlib
import signal
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
import harness  # noqa: E402
import samstack  # noqa: E402
import synctest  # noqa: E402
from synctest import KEY, boto, writes  # noqa: E402

BLOG = synctest.ROOT / "examples" / "blog"
WAIT_S = 40


class Watcher:
    def __init__(self, env, d, stack, *extra):
        self.out = open(pathlib.Path(d).parent / "watch.out", "w+")
        self.err = open(pathlib.Path(d).parent / "watch.err", "w+")
        self.p = subprocess.Popen([harness.awsx_bin(), "sync", "--stack-name", stack,
                                   "--no-confirm", "--watch"] + list(extra),
                                  env=env, cwd=str(d), stdout=self.out, stderr=self.err)
        self.wait_text("watching")

    def text(self):
        self.err.flush()
        self.out.flush()
        return (pathlib.Path(self.err.name).read_text() + "\n" +
                pathlib.Path(self.out.name).read_text())

    def wait_text(self, needle, count=1, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.text().count(needle) >= count:
                return
            if self.p.poll() is not None:
                raise AssertionError("the watcher exited (%s):\n%s" % (self.p.returncode,
                                                                       self.text()))
            time.sleep(0.05)
        raise AssertionError("no %r (x%d) within %d s:\n%s" % (needle, count, timeout,
                                                               self.text()))

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGINT)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=10)
        return self.p.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.out.close()
        self.err.close()


def setup(tmp, app=BLOG):
    env = synctest.environment(tmp)
    d = synctest.write_app(tmp, app)
    stack = "watch-" + uuid.uuid4().hex[:10]
    ids = samstack.deploy_sam_stack(stack, str(d))
    return env, d, stack, ids


def code_updates(mark, physical=None):
    return [e for e in writes(mark) if e["api"] == "UpdateFunctionCode"
            and (physical is None or physical in e["path"])]


def wait_for(check, what, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = check()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s" % what)


def deployed_sha(ids, fid):
    return boto("lambda").get_function(FunctionName=ids[fid])["Configuration"]["CodeSha256"]


def test_edit_updates_the_function_and_ctrl_c_exits_130(tmp):
    env, d, stack, ids = setup(tmp)
    with Watcher(env, d, stack) as w:
        before = deployed_sha(ids, "HelloWorldFunction")
        mark = harness.log_mark()
        with open(d / "hello_world" / "app.py", "a") as f:
            f.write("\n# edited while watching\n")
        wait_for(lambda: code_updates(mark, ids["HelloWorldFunction"]), "UpdateFunctionCode")
        assert deployed_sha(ids, "HelloWorldFunction") != before
        assert not code_updates(mark, ids["GreetingFunction"])
        rc = w.stop()
    assert rc == 130, rc


def test_atomic_save_is_seen(tmp):
    env, d, stack, ids = setup(tmp)
    with Watcher(env, d, stack):
        mark = harness.log_mark()
        target = d / "greeting" / "app.py"
        tmpfile = d / "greeting" / ".app.py.swp-tmp"
        tmpfile.write_text(target.read_text() + "\n# saved atomically\n")
        os.rename(tmpfile, target)
        wait_for(lambda: code_updates(mark, ids["GreetingFunction"]), "UpdateFunctionCode")


def test_rapid_edits_give_at_most_two_syncs_and_the_last_content(tmp):
    env, d, stack, ids = setup(tmp)
    with Watcher(env, d, stack) as w:
        mark = harness.log_mark()
        p = d / "hello_world" / "app.py"
        base = p.read_text()
        for i in range(100):
            p.write_text(base + "\n# edit %d\n" % i)
        wait_for(lambda: code_updates(mark), "UpdateFunctionCode")
        w.wait_text("updated")
        time.sleep(1.5)   # room for a (wrong) extra sync to show up
        n = len(code_updates(mark))
        assert 1 <= n <= 2, n
        # what is deployed is the last edit
        local = [l for l in (d / ".awsx" / "build" / "HelloWorldFunction" / "app.py")
                 .read_text().splitlines() if l.startswith("# edit")]
        assert local == ["# edit 99"], local
        assert "# edit 99" in p.read_text()


def test_edit_during_a_sync_gives_exactly_one_follow_up(tmp):
    import base64
    import hashlib
    env, d, stack, ids = setup(tmp)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as slow:
        env["AWS_ENDPOINT_URL"] = slow.url
        with Watcher(env, d, stack) as w:
            slow.set_schedule([], default={"delay_ms": 700})
            p = d / "hello_world" / "app.py"
            p.write_text(p.read_text() + "\n# first\n")
            w.wait_text("syncing")
            time.sleep(0.3)           # the sync is on the wire now (700 ms per request)
            p.write_text(p.read_text() + "\n# second\n")
            w.wait_text("syncing", count=2)
            w.wait_text("1 updated", count=1)
            slow.set_schedule([], default={})
            deadline = time.monotonic() + WAIT_S
            while w.text().count(" unchanged in ") + w.text().count(" updated, ") < 3 and \
                    time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)           # room for a (wrong) third sync to show up
            assert w.text().count("syncing") == 2, w.text()
    # the last content is what Lambda has
    zip_sha = base64.b64encode(hashlib.sha256(
        (d / ".awsx" / "build" / "HelloWorldFunction.zip").read_bytes()).digest()).decode()
    assert "# second" in (d / ".awsx" / "build" / "HelloWorldFunction" / "app.py").read_text()
    assert deployed_sha(ids, "HelloWorldFunction") == zip_sha


def test_writes_in_awsx_folder_give_no_sync(tmp):
    env, d, stack, ids = setup(tmp)
    with Watcher(env, d, stack) as w:
        mark = harness.log_mark()
        junk = d / ".awsx" / "junk"
        junk.mkdir(parents=True, exist_ok=True)
        for i in range(5):
            (junk / ("f%d" % i)).write_text("x")
        (d / "hello_world" / "__pycache__").mkdir(exist_ok=True)
        (d / "hello_world" / "__pycache__" / "app.cpython-312.pyc").write_bytes(b"\0")
        time.sleep(1.5)
        assert "syncing" not in w.text(), w.text()
        assert not writes(mark), [e["api"] for e in writes(mark)]


def test_invalid_template_keeps_watching_and_the_fix_syncs(tmp):
    env, d, stack, ids = setup(tmp)
    with Watcher(env, d, stack) as w:
        t = d / "template.yaml"
        good = t.read_text()
        t.write_text(good.replace("Timeout:", "Timeout: [unclosed\n    Timeout:", 1))
        w.wait_text("not valid")
        assert "template.yaml:" in w.text(), w.text()
        mark = harness.log_mark()
        t.write_text(good.replace("Timeout: 10", "Timeout: 11"))
        wait_for(lambda: [e for e in writes(mark) if e["api"] == "UpdateStack"], "UpdateStack")
        w.wait_text("stack %s updated" % stack)
        conf = boto("lambda").get_function_configuration(FunctionName=ids["HelloWorldFunction"])
        assert conf["Timeout"] == 11, conf["Timeout"]


def test_survives_a_ten_second_outage(tmp):
    env, d, stack, ids = setup(tmp)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        env["AWS_ENDPOINT_URL"] = fault.url
        with Watcher(env, d, stack) as w:
            fault.set_schedule([], default={"status": 503})
            started = time.monotonic()
            before = deployed_sha(ids, "HelloWorldFunction")
            p = d / "hello_world" / "app.py"
            p.write_text(p.read_text() + "\n# during the outage\n")
            w.wait_text("retrying")
            remaining = 10 - (time.monotonic() - started)
            if remaining > 0:
                time.sleep(remaining)
            fault.set_schedule([], default={})
            wait_for(lambda: deployed_sha(ids, "HelloWorldFunction") != before,
                     "the edit deployed after the outage", timeout=60)
            assert w.p.poll() is None, "the watcher died"


def test_new_deleted_and_recreated_folders(tmp):
    env, d, stack, ids = setup(tmp)
    fn = ids["HelloWorldFunction"]
    with Watcher(env, d, stack) as w:
        lib = d / "hello_world" / "lib"
        mark = harness.log_mark()
        lib.mkdir()
        (lib / "helper.py").write_text("X = 1\n")
        wait_for(lambda: code_updates(mark, fn), "a sync for the new folder")
        w.wait_text("updated")
        import shutil
        mark = harness.log_mark()
        shutil.rmtree(lib)
        wait_for(lambda: code_updates(mark, fn), "a sync for the deleted folder")
        n = w.text().count("updated")
        w.wait_text("updated", count=n)
        lib.mkdir()
        (lib / "helper.py").write_text("X = 2\n")
        mark = harness.log_mark()
        wait_for(lambda: code_updates(mark, fn), "a sync for the folder made again")
        time.sleep(0.5)
        # an edit inside the folder made again is seen: its watch is a new one
        mark = harness.log_mark()
        (lib / "helper.py").write_text("X = 3\n")
        wait_for(lambda: code_updates(mark, fn), "a sync for an edit in the new folder")


harness.main(globals())
