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
import forwarder  # noqa: E402
import lcfixtures  # noqa: E402

SECRET = harness.TEST_SECRET
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def setup(tmp, key, **extra):
    env = harness.home(str(tmp))
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def inventory_json(env, *args):
    res = harness.run_awsx(["lc-migrate", "inventory", "--format", "json"] + list(args), env)
    return res, (json.loads(res.stdout) if res.returncode in (0, 1) and res.stdout else None)


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


# ---- inventory ----

def test_inventory_rows_match_estate(tmp):
    est = lcfixtures.build("lcm-inv")
    try:
        env = setup(tmp, "AKIALCMINVROWS000001")
        mark = harness.log_mark()
        res, doc = inventory_json(env, "--regions", ",".join(REGIONS))
        assert res.returncode == 0, describe(res)
        rows = est.filter(doc["LaunchConfigurations"], key="Name")
        got = sorted((r["Account"], r["Region"], r["Name"],
                      sorted(a["Name"] for a in r["AutoScalingGroups"]), r["InUse"]) for r in rows)
        assert got == est.expected_rows(), "rows differ:\n%r\n%r" % (got, est.expected_rows())
        # managed groups are marked, the others are not
        for r in rows:
            for a in r["AutoScalingGroups"]:
                want = next(g["managed_by"] for g in est.asgs
                            if g["region"] == r["Region"] and g["name"] == a["Name"])
                assert a["ManagedBy"] == want, (a, want)
        # what matters for migration
        by_name = {(r["Region"], r["Name"]): r for r in rows}
        for region in REGIONS:
            notes = lambda key: by_name[(region, est.lc(region, key)["name"])]["Notes"]
            assert "public-ip=false" in notes("private"), notes("private")
            assert "public-ip=true" in notes("public") and "sg-names" in notes("public")
            assert "spot" in notes("spot") and "rename" in notes("spot"), notes("spot")
            assert "classic-link" in notes("classic"), notes("classic")
            assert "managed" in notes("public"), notes("public")
        # every request was signed correctly, and the lists were paginated
        reqs = harness.requests_since(mark, access_key="AKIALCMINVROWS000001")
        assert reqs and all(r["verified"] for r in reqs), reqs
        ops = {r["operation"] for r in reqs}
        assert {"DescribeLaunchConfigurations", "DescribeAutoScalingGroups"} <= ops, ops
        summary = doc["Summary"]
        assert summary["FailedScopes"] == 0 and summary["Scopes"] == 3, summary
    finally:
        lcfixtures.teardown(est)


def test_inventory_aws_script_compatible_bytes(tmp):
    regions = ("ca-central-1", "sa-east-1")  # reserved in lcfixtures: no other test uses them
    est = lcfixtures.build("lcm-script", regions=regions)
    try:
        env = setup(tmp, "AKIALCMINVSCRIPT0001")
        out = pathlib.Path(tmp) / "inventory.csv"
        res = harness.run_awsx(["lc-migrate", "inventory", "--regions", ",".join(regions),
                                "--aws-script-compatible", "-o", str(out)], env)
        assert res.returncode == 0, describe(res)
        assert res.stdout == "", describe(res)
        want = est.aws_script_csv(list(regions))
        got = out.read_bytes()
        want = want if isinstance(want, bytes) else want.encode()
        assert got == want, "bytes differ:\n%r\n%r" % (got, want)
    finally:
        lcfixtures.teardown(est)


def test_inventory_formats_and_in_use(tmp):
    est = lcfixtures.build("lcm-fmt", regions=("us-west-2",))
    try:
        env = setup(tmp, "AKIALCMINVFORMAT0001")
        res = harness.run_awsx(["lc-migrate", "inventory", "--regions", "us-west-2",
                                "--format", "csv"], env)
        assert res.returncode == 0, describe(res)
        import csv
        import io
        rows = list(csv.reader(io.StringIO(res.stdout)))
        assert rows[0][:5] == ["account", "region", "name", "arn", "created"], rows[0]
        mine = sorted(r[2] for r in rows[1:] if est.owns(r[2]))
        assert mine == sorted(e["name"] for e in est.lcs), (mine, est.lcs)
        res = harness.run_awsx(["lc-migrate", "inventory", "--regions", "us-west-2"], env)
        assert res.returncode == 0 and res.stdout.startswith("ACCOUNT"), describe(res)
        assert "launch configurations" in res.stderr, describe(res)
        res, doc = inventory_json(env, "--regions", "us-west-2", "--in-use")
        assert res.returncode == 0, describe(res)
        names = {r["Name"] for r in est.filter(doc["LaunchConfigurations"], key="Name")}
        want = {e["name"] for e in est.lcs if est.asgs_of(e["region"], e["name"])}
        assert names == want, (names, want)
        # --output json is the default format for scripts
        res = harness.run_awsx(["lc-migrate", "inventory", "--regions", "us-west-2",
                                "--output", "json"], env)
        assert res.returncode == 0 and json.loads(res.stdout)["Summary"], describe(res)
    finally:
        lcfixtures.teardown(est)


def test_inventory_all_regions(tmp):
    env = setup(tmp, "AKIALCMINVALLREG0001")
    mark = harness.log_mark()
    res, doc = inventory_json(env, "--all-regions")
    assert res.returncode == 0, describe(res)
    regions = {s["Region"] for s in doc["Scopes"]}
    assert len(regions) >= 10 and "us-east-1" in regions, regions
    ops = [r["operation"] for r in harness.requests_since(mark, access_key="AKIALCMINVALLREG0001")]
    assert ops.count("DescribeRegions") == 1, ops


def test_inventory_one_region_fails_others_written(tmp):
    # the first answer is AccessDenied and retries are off: exactly one
    # scope fails, the others are still read and written, exit status 1
    env = setup(tmp, "AKIALCMINVFAIL000001", AWS_MAX_ATTEMPTS=1)
    out = pathlib.Path(tmp) / "inv.json"
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        # request 1 is STS GetCallerIdentity (the account id); the next is a scope's
        fault.set_schedule([{}, {"status": 403, "protocol": "query", "code": "AccessDenied",
                                 "message": "User is not authorized"}])
        env["AWS_ENDPOINT_URL"] = fault.url
        res = harness.run_awsx(["lc-migrate", "inventory", "--regions",
                                "us-east-1,eu-west-1,ap-southeast-2", "--format", "json",
                                "-o", str(out)], env)
    assert res.returncode == 1, describe(res)
    doc = json.loads(out.read_text())
    failed = [s for s in doc["Scopes"] if s["Error"]]
    assert len(failed) == 1 and "AccessDenied" in failed[0]["Error"], doc["Scopes"]
    assert len(doc["Scopes"]) == 3, doc["Scopes"]
    assert "could not read account" in res.stderr and "AccessDenied" in res.stderr, describe(res)
    assert "1 account or region scope could not be read" in res.stderr, describe(res)


def test_inventory_throttling_exhausted_in_one_region(tmp):
    env = setup(tmp, "AKIALCMINVTHROT00001", AWS_MAX_ATTEMPTS=1)
    with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
        fault.set_schedule([{}, {"throttle": "query"}])
        env["AWS_ENDPOINT_URL"] = fault.url
        res, doc = inventory_json(env, "--regions", "us-east-1,eu-west-1")
    assert res.returncode == 1, describe(res)
    failed = [s for s in doc["Scopes"] if s["Error"]]
    assert len(failed) == 1 and "Throttling" in failed[0]["Error"], doc["Scopes"]


def test_inventory_organization(tmp):
    # two accounts: the management account and one member, entered through
    # AssumeRole of the given role (regional STS), each inventoried
    import boto3
    moto = harness.env()["moto_url"]
    kw = dict(endpoint_url=moto, aws_access_key_id="AKIALCMINVORGSETUP01",
              aws_secret_access_key=SECRET, region_name="us-east-1")
    org = boto3.client("organizations", **kw)
    try:
        org.create_organization(FeatureSet="ALL")
    except org.exceptions.AlreadyInOrganizationException:
        pass
    member = org.create_account(Email="lcm@example.com", AccountName="lcm-member")
    member_id = member["CreateAccountStatus"]["AccountId"]
    est_main = lcfixtures.build("lcm-org-main", regions=("eu-central-1",))
    est_member = lcfixtures.build("lcm-org-member", regions=("eu-central-1",), account=member_id)
    try:
        env = setup(tmp, "AKIALCMINVORG0000001")
        mark = harness.log_mark()
        res, doc = inventory_json(env, "--org", "--org-role", "OrganizationAccountAccessRole",
                                  "--external-id", "lcm-ext", "--regions", "eu-central-1")
        assert res.returncode == 0, describe(res)
        accounts = {s["Account"] for s in doc["Scopes"]}
        assert {"123456789012", member_id} <= accounts, accounts
        for est in (est_main, est_member):
            rows = est.filter(doc["LaunchConfigurations"], key="Name")
            got = sorted((r["Account"], r["Region"], r["Name"],
                          sorted(a["Name"] for a in r["AutoScalingGroups"]), r["InUse"])
                         for r in rows)
            assert got == est.expected_rows(), (got, est.expected_rows())
        reqs = harness.requests_since(mark, access_key="AKIALCMINVORG0000001")
        assume = [r for r in reqs if r["operation"] == "AssumeRole"]
        assert len(assume) >= 2 and all(r["verified"] for r in assume), reqs
        assert all(r.get("region") == "us-east-1" for r in assume), assume
    finally:
        lcfixtures.teardown(est_member)
        lcfixtures.teardown(est_main)


# ---- plan ----

READ_ONLY = ("Describe", "Get", "List", "AssumeRole")


def plan_json(env, *args):
    res = harness.run_awsx(["lc-migrate", "plan", "--output", "json"] + list(args), env)
    assert res.returncode == 0, describe(res)
    return json.loads(res.stdout)


def test_plan_is_read_only_and_faithful(tmp):
    est = lcfixtures.build("lcm-plan", regions=("us-east-2",))
    try:
        env = setup(tmp, "AKIALCMPLAN000000001")
        mark = harness.log_mark()
        plan = plan_json(env, "--regions", "us-east-2")
        ops = {r["operation"] for r in harness.requests_since(mark, access_key="AKIALCMPLAN000000001")}
        assert all(op.startswith(READ_ONLY) for op in ops), ops
        lts = {e["LaunchConfigurationName"]: e for e in plan["LaunchTemplates"]
               if est.owns(e["LaunchConfigurationName"])}
        assert set(lts) == {e["name"] for e in est.lcs}, sorted(lts)
        region = "us-east-2"
        private = lts[est.lc(region, "private")["name"]]
        data = private["LaunchTemplateData"]
        nic = data["NetworkInterfaces"][0]
        assert nic["AssociatePublicIpAddress"] is False, data      # not turned into true
        assert data["Monitoring"] == {"Enabled": False}, data      # not turned into true
        assert "SecurityGroupIds" not in data, data                 # never both places
        public = lts[est.lc(region, "public")["name"]]["LaunchTemplateData"]
        web_id = est.sg_ids[region][est.prefix + "-web"]
        assert web_id in public["NetworkInterfaces"][0]["Groups"], public  # name -> id
        assert public["UserData"] == est.lc(region, "public")["lc"]["UserData"], public  # not re-encoded
        spot = lts[est.lc(region, "spot")["name"]]
        assert spot["LaunchTemplateData"]["InstanceMarketOptions"]["MarketType"] == "spot", spot
        assert "MaxPrice" not in json.dumps(spot["LaunchTemplateData"]), spot   # dropped by default
        assert spot["LaunchTemplateData"]["RamDiskId"], spot
        assert spot["LaunchTemplateName"].replace("_", "") and " " not in spot["LaunchTemplateName"]
        for e in lts.values():
            assert e["Action"] == "create" and e["Error"] is None, e
        groups = {g["AutoScalingGroupName"]: g for g in plan["AutoScalingGroups"]
                  if est.owns(g["AutoScalingGroupName"])}
        for g in est.asgs:
            got = groups[g["name"]]
            if g["managed_by"]:
                assert got["Action"] == "skip" and "export" in got["Reason"], got
            else:
                assert got["Action"] == "switch", got
    finally:
        lcfixtures.teardown(est)


def test_plan_options(tmp):
    est = lcfixtures.build("lcm-plan-opt", regions=("us-west-1",))
    try:
        env = setup(tmp, "AKIALCMPLANOPT000001")
        spot_lc = est.lc("us-west-1", "spot")["name"]
        plan = plan_json(env, "--regions", "us-west-1", "--name", spot_lc, "--spot-price", "keep")
        (e,) = plan["LaunchTemplates"]
        assert e["LaunchTemplateData"]["InstanceMarketOptions"]["SpotOptions"]["MaxPrice"], e
        plan = plan_json(env, "--regions", "us-west-1", "--name", spot_lc, "--spot-price", "mixed")
        (e,) = plan["LaunchTemplates"]
        assert "InstanceMarketOptions" not in e["LaunchTemplateData"], e
        (g,) = plan["AutoScalingGroups"]
        assert g["MixedInstancesPolicy"] is True and g["Action"] == "switch", g
        public_asg = next(a["name"] for a in est.asgs if a["managed_by"] and
                          a["managed_by"].startswith("cloudformation"))
        plan = plan_json(env, "--regions", "us-west-1", "--asg", public_asg, "--include-managed")
        (g,) = plan["AutoScalingGroups"]
        assert g["Action"] == "switch" and g["ManagedBy"].startswith("cloudformation"), g
        res = harness.run_awsx(["lc-migrate", "plan", "--regions", "us-west-1", "--spot-price",
                                "cheap"], env)
        assert res.returncode == 2 and "--spot-price" in res.stderr, describe(res)
        # the text form names every launch configuration and ends with a summary
        res = harness.run_awsx(["lc-migrate", "plan", "--regions", "us-west-1", "--name",
                                spot_lc], env)
        assert res.returncode == 0 and spot_lc in res.stdout and "plan:" in res.stdout, describe(res)
    finally:
        lcfixtures.teardown(est)


def test_plan_unresolvable_group_name(tmp):
    import boto3
    region = "eu-west-2"
    kw = dict(endpoint_url=harness.env()["moto_url"], aws_access_key_id="AKIALCMPLANSG0000001",
              aws_secret_access_key=SECRET, region_name=region)
    asc = boto3.client("autoscaling", **kw)
    name = "lcm-plan-nosg-%s" % __import__("uuid").uuid4().hex[:8]
    asc.create_launch_configuration(LaunchConfigurationName=name, ImageId="ami-12c6146b",
                                    InstanceType="t3.micro", SecurityGroups=["no-such-group"])
    try:
        env = setup(tmp, "AKIALCMPLANSG0000001")
        plan = plan_json(env, "--regions", region, "--name", name)
        (e,) = plan["LaunchTemplates"]
        assert e["Error"] and "no-such-group" in e["Error"], e
        assert e["LaunchTemplateData"] is None, e
        assert plan["Summary"]["LaunchConfigurationsWithErrors"] == 1, plan["Summary"]
    finally:
        asc.delete_launch_configuration(LaunchConfigurationName=name)


# ---- apply and undo ----

def _moto(service, region, key):
    import boto3
    return boto3.client(service, endpoint_url=harness.env()["moto_url"], aws_access_key_id=key,
                        aws_secret_access_key=SECRET, region_name=region)


def _templates_from(est, region, key):
    """{lc name: [launch templates tagged as made from it]} for the estate."""
    ec2 = _moto("ec2", region, key)
    out = {}
    for t in ec2.describe_launch_templates()["LaunchTemplates"]:
        tags = {x["Key"]: x["Value"] for x in t.get("Tags", [])}
        lc = tags.get("awsx:source-launch-configuration")
        if lc and est.owns(lc):
            out.setdefault(lc, []).append(t)
    return out


def _switch_calls(fault):
    """(group, body) of every UpdateAutoScalingGroup the recorder saw."""
    import urllib.parse
    calls = []
    for body in fault.bodies:
        text = body.decode() if isinstance(body, bytes) else (body or "")
        form = dict(urllib.parse.parse_qsl(text))
        if form.get("Action") == "UpdateAutoScalingGroup":
            calls.append((form["AutoScalingGroupName"], form))
    return calls


def test_apply_creates_templates_and_switches_groups(tmp):
    region = "eu-west-3"
    key = "AKIALCMAPPLY00000001"
    est = lcfixtures.build("lcm-apply", regions=(region,))
    try:
        env = setup(tmp, key)
        journal = pathlib.Path(tmp) / "journal.jsonl"
        plan = plan_json(env, "--regions", region)
        res = harness.run_awsx(["lc-migrate", "apply", "--regions", region, "--yes",
                                "--journal", str(journal)], env)
        assert res.returncode == 0, describe(res)
        made = _templates_from(est, region, key)
        assert set(made) == {e["name"] for e in est.lcs}, sorted(made)
        assert all(len(v) == 1 for v in made.values()), made
        ec2 = _moto("ec2", region, key)
        planned = {e["LaunchConfigurationName"]: e for e in plan["LaunchTemplates"]}
        for lc, (t,) in made.items():
            (v,) = ec2.describe_launch_template_versions(
                LaunchTemplateId=t["LaunchTemplateId"])["LaunchTemplateVersions"]
            data = v["LaunchTemplateData"]
            want = planned[lc]["LaunchTemplateData"]
            arn = next(e["arn"] for e in est.lcs if e["name"] == lc)
            assert arn in v.get("VersionDescription", ""), v
            assert t["LaunchTemplateName"] == planned[lc]["LaunchTemplateName"], (t, planned[lc])
            # read back: the rules survived the round trip through EC2
            if "NetworkInterfaces" in want:
                got_nic = data["NetworkInterfaces"][0]
                assert got_nic["AssociatePublicIpAddress"] == \
                    want["NetworkInterfaces"][0]["AssociatePublicIpAddress"], (lc, data)
                assert sorted(got_nic.get("Groups", [])) == \
                    sorted(want["NetworkInterfaces"][0].get("Groups", [])), (lc, data)
                assert "SecurityGroupIds" not in data, (lc, data)
            if "Monitoring" in want:
                assert data["Monitoring"]["Enabled"] == want["Monitoring"]["Enabled"], (lc, data)
            if "UserData" in want:
                assert data["UserData"] == want["UserData"], lc
            for k in ("ImageId", "InstanceType", "EbsOptimized", "KernelId", "RamDiskId",
                      "IamInstanceProfile", "MetadataOptions", "InstanceMarketOptions",
                      "Placement"):
                if k in want:
                    assert data.get(k) == want[k], (lc, k, data.get(k), want[k])
            for i, bdm in enumerate(want.get("BlockDeviceMappings", [])):
                got = data["BlockDeviceMappings"][i]
                assert got["DeviceName"] == bdm["DeviceName"], (lc, got, bdm)
                for k, v in bdm.get("Ebs", {}).items():
                    assert got["Ebs"].get(k) == v, (lc, k, got, bdm)
                # what the rules drop stays dropped on the way back
                if "SnapshotId" in bdm.get("Ebs", {}):
                    assert got["Ebs"].get("Encrypted") is not False, (lc, got)
        asc = _moto("autoscaling", region, key)
        groups = {g["AutoScalingGroupName"]: g for g in asc.describe_auto_scaling_groups(
            AutoScalingGroupNames=[a["name"] for a in est.asgs])["AutoScalingGroups"]}
        for a in est.asgs:
            g = groups[a["name"]]
            if a["managed_by"]:
                assert "LaunchTemplate" not in g, g          # skipped: managed
            else:
                spec = g.get("LaunchTemplate") or g["MixedInstancesPolicy"]["LaunchTemplate"][
                    "LaunchTemplateSpecification"]
                assert spec["LaunchTemplateId"] == made[a["lc"]][0]["LaunchTemplateId"], g
                assert spec["Version"] == "1", g             # pinned to the created version
        ops = [json.loads(line)["op"] for line in journal.read_text().splitlines()]
        assert ops.count("template") == len(est.lcs) and ops.count("switch") == 2, ops
    finally:
        lcfixtures.teardown(est)


def test_apply_delete_unused(tmp):
    region = "af-south-1"
    key = "AKIALCMAPPLYDELETE01"
    est = lcfixtures.build("lcm-del", regions=(region,))
    try:
        env = setup(tmp, key)
        res = harness.run_awsx(["lc-migrate", "apply", "--regions", region, "--yes",
                                "--delete-unused", "--journal", str(pathlib.Path(tmp) / "j.jsonl")],
                               env)
        assert res.returncode == 0, describe(res)
        asc = _moto("autoscaling", region, key)
        left = {lc["LaunchConfigurationName"] for lc in asc.describe_launch_configurations(
            LaunchConfigurationNames=[e["name"] for e in est.lcs])["LaunchConfigurations"]}
        # kept: the LCs a skipped (managed) group still uses; deleted: all others
        managed_lcs = {a["lc"] for a in est.asgs if a["managed_by"]}
        assert left == managed_lcs, (left, managed_lcs)
        assert "kept launch configuration" in res.stdout, describe(res)
    finally:
        lcfixtures.teardown(est)


class _RefreshFake:
    """Auto Scaling in front of the verifying proxy, answering the instance
    refresh calls itself (moto 5.2.1 answers them with HTTP 500) and
    forwarding everything else unchanged."""

    NS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"

    def __init__(self, upstream):
        self.started, self.described = [], 0
        self.fwd = forwarder.Forwarder(upstream, answer=self.answer)
        self.url = self.fwd.url

    def answer(self, method, path, headers, body):
        import urllib.parse
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        xml = {"Content-Type": "text/xml"}
        if action == "StartInstanceRefresh":
            self.started.append(form["AutoScalingGroupName"])
            return 200, xml, ('<StartInstanceRefreshResponse xmlns="%s"><StartInstanceRefreshResult>'
                              "<InstanceRefreshId>ir-%d</InstanceRefreshId></StartInstanceRefreshResult>"
                              "</StartInstanceRefreshResponse>" % (self.NS, len(self.started)))
        if action == "DescribeInstanceRefreshes":
            self.described += 1
            return 200, xml, ('<DescribeInstanceRefreshesResponse xmlns="%s">'
                              "<DescribeInstanceRefreshesResult><InstanceRefreshes><member>"
                              "<InstanceRefreshId>%s</InstanceRefreshId>"
                              "<AutoScalingGroupName>%s</AutoScalingGroupName>"
                              "<Status>Successful</Status><PercentageComplete>100</PercentageComplete>"
                              "</member></InstanceRefreshes></DescribeInstanceRefreshesResult>"
                              "</DescribeInstanceRefreshesResponse>"
                              % (self.NS, form.get("InstanceRefreshIds.member.1", "ir-1"),
                                 form["AutoScalingGroupName"]))
        return None  # everything else goes to the verifying proxy

    def __enter__(self):
        self.fwd.__enter__()
        return self

    def __exit__(self, *a):
        self.fwd.__exit__(*a)


def test_apply_refresh_followed_to_the_end(tmp):
    region = "il-central-1"
    key = "AKIALCMAPPLYREFRESH1"
    est = lcfixtures.build("lcm-refresh", regions=(region,))
    try:
        env = setup(tmp, key)
        with _RefreshFake(harness.env()["endpoint_url"]) as fake:
            env["AWS_ENDPOINT_URL_AUTO_SCALING"] = fake.url
            journal = pathlib.Path(tmp) / "j.jsonl"
            res = harness.run_awsx(["lc-migrate", "apply", "--regions", region, "--yes",
                                    "--refresh", "--journal", str(journal)], env)
        assert res.returncode == 0, describe(res)
        switched = sorted(a["name"] for a in est.asgs if not a["managed_by"])
        assert sorted(fake.started) == switched, (fake.started, switched)
        assert fake.described >= len(switched), fake.described
        assert res.stdout.count("Successful") >= len(switched), describe(res)
        ops = [json.loads(x)["op"] for x in journal.read_text().splitlines()]
        assert ops.count("refresh") == len(switched), ops
    finally:
        lcfixtures.teardown(est)


def test_apply_without_yes_changes_nothing(tmp):
    region = "eu-south-1"
    key = "AKIALCMAPPLYNOYES001"
    est = lcfixtures.build("lcm-noyes", regions=(region,))
    try:
        env = setup(tmp, key)
        mark = harness.log_mark()
        res = harness.run_awsx(["lc-migrate", "apply", "--regions", region], env, input="")
        assert res.returncode == 0 and "nothing changed" in res.stderr, describe(res)
        assert "plan:" in res.stdout, describe(res)
        ops = {r["operation"] for r in harness.requests_since(mark, access_key=key)}
        assert all(op.startswith(READ_ONLY) for op in ops), ops
        assert not _templates_from(est, region, key)
    finally:
        lcfixtures.teardown(est)


def test_apply_interrupted_then_resumed_duplicates_nothing(tmp):
    region = "ap-south-1"
    key = "AKIALCMAPPLYRESUME01"
    est = lcfixtures.build("lcm-resume", regions=(region,))
    try:
        env = setup(tmp, key, AWS_MAX_ATTEMPTS=1)
        journal = pathlib.Path(tmp) / "journal.jsonl"
        args = ["lc-migrate", "apply", "--regions", region, "--yes", "--journal", str(journal)]
        with harness.FaultProxy(harness.env()["endpoint_url"]) as fault:
            # the network goes away partway, after the read-only calls and a few
            # changes: every request from the 15th on is reset (curl quietly retries a
            # reused connection that turns out dead, so one reset is not enough)
            fault.set_schedule([{}] * 14, default={"reset": True})
            env["AWS_ENDPOINT_URL"] = fault.url
            res = harness.run_awsx(args, env)
        assert res.returncode == 4, describe(res)
        assert "resume with: awsx lc-migrate apply --journal" in res.stderr, describe(res)
        first = [json.loads(line) for line in journal.read_text().splitlines()]
        assert first and len(first) < len(est.lcs) + 2, first   # interrupted partway
        env["AWS_ENDPOINT_URL"] = harness.env()["endpoint_url"]
        res = harness.run_awsx(args, env)
        assert res.returncode == 0, describe(res)
        made = _templates_from(est, region, key)
        assert set(made) == {e["name"] for e in est.lcs}, sorted(made)
        assert all(len(v) == 1 for v in made.values()), {k: len(v) for k, v in made.items()}
        ops = [json.loads(line)["op"] for line in journal.read_text().splitlines()]
        assert ops.count("switch") == 2, ops
        # a third run, even with a new journal, finds its own templates by tag: nothing new
        res = harness.run_awsx(["lc-migrate", "apply", "--regions", region, "--yes",
                                "--journal", str(pathlib.Path(tmp) / "j2.jsonl")], env)
        assert res.returncode == 0 and "0 templates created, 0 new versions" in res.stdout, \
            describe(res)
        assert all(len(v) == 1 for v in _templates_from(est, region, key).values())
    finally:
        lcfixtures.teardown(est)


def test_undo_restores_every_group(tmp):
    region = "me-south-1"
    key = "AKIALCMUNDO000000001"
    est = lcfixtures.build("lcm-undo", regions=(region,))
    try:
        env = setup(tmp, key)
        journal = pathlib.Path(tmp) / "journal.jsonl"
        res = harness.run_awsx(["lc-migrate", "apply", "--regions", region, "--yes", "--include-managed",
                                "--journal", str(journal)], env)
        assert res.returncode == 0, describe(res)
        switched = [json.loads(x) for x in journal.read_text().splitlines()
                    if json.loads(x)["op"] == "switch"]
        assert len(switched) == len(est.asgs), switched
        # without --yes (no terminal): only says what it would do
        res = harness.run_awsx(["lc-migrate", "undo", "--journal", str(journal)], env, input="")
        assert res.returncode == 0 and "would switch group" in res.stdout, describe(res)
        with harness.FaultProxy(harness.env()["endpoint_url"]) as rec:   # a recorder
            env["AWS_ENDPOINT_URL"] = rec.url
            res = harness.run_awsx(["lc-migrate", "undo", "--journal", str(journal), "--yes",
                                    "--delete-templates"], env)
            calls = _switch_calls(rec)
        assert res.returncode == 0, describe(res)
        back = {g: form.get("LaunchConfigurationName") for g, form in calls}
        for s in switched:
            assert back.get(s["asg"]) == s["lc"], (s, back)
        assert not _templates_from(est, region, key), "templates left after --delete-templates"
        # undo again: nothing left to do
        env["AWS_ENDPOINT_URL"] = harness.env()["endpoint_url"]
        res = harness.run_awsx(["lc-migrate", "undo", "--journal", str(journal), "--yes"], env)
        assert res.returncode == 0 and "switched group" not in res.stdout, describe(res)
        res = harness.run_awsx(["lc-migrate", "undo"], env)
        assert res.returncode == 2 and "--journal" in res.stderr, describe(res)
    finally:
        lcfixtures.teardown(est)


def test_inventory_bad_input(tmp):
    env = setup(tmp, "AKIALCMINVBAD0000001")
    cases = [
        (["--org"], 2, "--org-role"),
        (["--org-role", "x"], 2, "--org"),
        (["--regions", "us-east-1; rm", "--format", "json"], 2, "invalid region"),
        (["--all-regions", "--regions", "us-east-1"], 2, "cannot be used together"),
        (["--format", "xml"], 2, "invalid --format"),
        (["--regions", "us-east-1", "-o", str(pathlib.Path(tmp) / "no" / "such" / "f.csv")], 1,
         "no/such/f.csv"),
    ]
    for args, code, needle in cases:
        res = harness.run_awsx(["lc-migrate", "inventory"] + args, env)
        assert res.returncode == code and needle in res.stderr, (args, describe(res))


harness.main(globals())
