# SPDX-License-Identifier: Apache-2.0
"""test_lcfixtures.py: the lc-migrate fixture library (tests/support/lcfixtures.py)
against moto, run by ctest as lcfixtures-<name>.

Each test builds an estate straight in moto, then reads it back through the
SigV4-verifying proxy with boto3 (its own access key) and checks that what the
Estate says is what AWS's APIs answer, rule by rule; then tears it down and
checks that nothing with its prefix is left.  eu-north-1 and ap-northeast-3
are this file's own regions (lcfixtures.RESERVED_REGIONS): the byte-exact
comparison with AWS's inventory script needs regions no other test writes to.
"""

import base64
import csv
import datetime
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
import harness  # noqa: E402
import lcfixtures  # noqa: E402

import boto3  # noqa: E402
import botocore.config  # noqa: E402

SCRIPT_REGIONS = ("eu-north-1", "ap-northeast-3")   # reserved for this file
OTHER_ACCOUNT = "210987654321"
LT_NAME = re.compile(r"^[a-zA-Z0-9().\-/_]+$")


def client(service, region, key="AKIAAWSXLCFXTEST0001", creds=None):
    kw = dict(aws_access_key_id=key, aws_secret_access_key=harness.TEST_SECRET)
    if creds:
        kw = dict(aws_access_key_id=creds["AccessKeyId"],
                  aws_secret_access_key=creds["SecretAccessKey"],
                  aws_session_token=creds["SessionToken"])
    cfg = botocore.config.Config(region_name=region, connect_timeout=10, read_timeout=60,
                                 retries={"mode": "standard", "max_attempts": 3})
    return boto3.session.Session().client(service, endpoint_url=harness.env()["endpoint_url"],
                                          config=cfg, **kw)


def all_lcs(asg, names=None):
    """The LCs of the region (only names, when given), in DescribeLaunchConfigurations
    order (bounded).  Tests of shared regions pass names: a full listing pages,
    and moto answers 500 when the LC a NextToken names was deleted meanwhile
    (another test's teardown)."""
    out, token = [], None
    for _ in range(200):
        kw = {"LaunchConfigurationNames": names} if names else {}
        if token:
            kw["NextToken"] = token
        page = asg.describe_launch_configurations(**kw)
        out += page["LaunchConfigurations"]
        token = page.get("NextToken")
        if not token:
            return out
    raise AssertionError("DescribeLaunchConfigurations did not end in 200 pages")


def mine(est, items, field):
    return [x for x in items if est.owns(x[field])]


def lc_names(est, region):
    return [e["name"] for e in est.lcs if e["region"] == region]


def asg_names(est, region):
    return [a["name"] for a in est.asgs if a["region"] == region]


def groups_of(asg, names):
    return asg.describe_auto_scaling_groups(AutoScalingGroupNames=names)["AutoScalingGroups"]


def managed_by(tags):
    t = {x["Key"]: x["Value"] for x in tags}
    if "aws:cloudformation:stack-name" in t:
        return "cloudformation:" + t["aws:cloudformation:stack-name"]
    if "elasticbeanstalk:environment-name" in t:
        return "elasticbeanstalk:" + t["elasticbeanstalk:environment-name"]
    return None


def created(text):
    """The XML CreatedTime text as a datetime, the way botocore reads it."""
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc)


def device(lc, name):
    (m,) = [m for m in lc["BlockDeviceMappings"] if m["DeviceName"] == name]
    return m


def check_rules(est, entry, lc, iam, ec2):
    """Every rule entry claims, checked on lc as boto3 read it back."""
    region, P = entry["region"], est.prefix
    sgs = est.sg_ids[region]
    for rule in entry["rules"]:
        what = "%s %s %r: %s" % (region, rule, entry["name"], lc)
        if rule == "public-ip-true":
            assert lc["AssociatePublicIpAddress"] is True, what
        elif rule == "public-ip-false":
            # sent explicitly: moto also answers false when it is not set
            assert entry["requested"]["AssociatePublicIpAddress"] is False, what
            assert lc["AssociatePublicIpAddress"] is False, what
        elif rule == "monitoring-true":
            assert lc["InstanceMonitoring"] == {"Enabled": True}, what
        elif rule == "monitoring-false":
            assert entry["requested"]["InstanceMonitoring"] == {"Enabled": False}, what
            assert lc["InstanceMonitoring"] == {"Enabled": False}, what
        elif rule == "monitoring-absent":
            assert "InstanceMonitoring" not in entry["requested"], what
            # AWS: Enabled true (the LC default); moto 5.2.1: false
            assert lc["InstanceMonitoring"] in ({"Enabled": True}, {"Enabled": False}), what
        elif rule == "ebs-optimized-true":
            assert lc["EbsOptimized"] is True, what
        elif rule == "ebs-optimized-false":
            assert lc["EbsOptimized"] is False and "EbsOptimized" in entry["requested"], what
        elif rule in ("user-data-pad1", "user-data-pad2"):
            ud, script = lc["UserData"], entry["user_data_script"]
            pad = "=" if rule == "user-data-pad1" else "=="
            assert ud.endswith(pad) and not ud.endswith(pad + "="), what
            assert "\n" not in ud and len(ud) > 76, what        # one line, longer than MIME's
            assert ud == base64.b64encode(script.encode("utf-8")).decode("ascii"), what
            assert base64.b64decode(ud, validate=True).decode("utf-8") == script, what
            assert script.count("\n") >= 3, what
        elif rule == "profile-arn":
            p = est.instance_profiles["arn"]
            assert lc["IamInstanceProfile"] == p["arn"], what
            assert p["arn"] == "arn:aws:iam::%s:instance-profile/%s" % (est.account,
                                                                        p["name"]), what
            got = iam.get_instance_profile(InstanceProfileName=p["name"])["InstanceProfile"]
            assert got["Arn"] == p["arn"], (what, got)
        elif rule == "profile-name":
            p = est.instance_profiles["name"]
            assert lc["IamInstanceProfile"] == p["name"] and not p["name"].startswith("arn:"), what
            iam.get_instance_profile(InstanceProfileName=p["name"])
        elif rule == "sg-by-name":
            assert lc["SecurityGroups"] == [P + "-web"], what
        elif rule == "sg-by-id":
            assert lc["SecurityGroups"] == [sgs[P + "-app"]], what
        elif rule == "sg-mixed":
            assert lc["SecurityGroups"] == [P + "-web", sgs[P + "-app"]], what
        elif rule == "bdm-nodevice":
            m = device(lc, "/dev/sdb")
            # AWS keeps NoDevice true; moto 5.2.1 loses it (lcfixtures.MOTO_LOSES)
            assert m in ({"DeviceName": "/dev/sdb", "NoDevice": True},
                         {"DeviceName": "/dev/sdb", "Ebs": {}, "NoDevice": False}), what
        elif rule == "bdm-ephemeral":
            m = device(lc, "/dev/sdc")
            assert m["VirtualName"] == "ephemeral0", what
            assert not {"VolumeSize", "SnapshotId", "VolumeType"} & set(m.get("Ebs", {})), what
        elif rule == "bdm-gp3-iops-throughput":
            ebs = device(lc, "/dev/sdd")["Ebs"]
            assert (ebs["VolumeType"], ebs["Iops"], ebs["Throughput"]) == ("gp3", 4000, 250), what
        elif rule == "bdm-io2-iops":
            ebs = device(lc, "/dev/sde")["Ebs"]
            assert (ebs["VolumeType"], ebs["Iops"]) == ("io2", 1000), what
            assert "Throughput" not in ebs, what
        elif rule == "bdm-gp2-iops":
            ebs = device(lc, "/dev/sdf")["Ebs"]
            assert ebs["VolumeType"] == "gp2" and ebs.get("Iops") in (None, 300), what
        elif rule == "bdm-snapshot-unencrypted":
            ebs = device(lc, "/dev/sdg")["Ebs"]
            assert ebs["SnapshotId"] == est.snapshots[region] and ebs["Encrypted"] is False, what
            (snap,) = ec2.describe_snapshots(SnapshotIds=[ebs["SnapshotId"]])["Snapshots"]
            assert snap["VolumeId"] == est.volumes[region], (what, snap)
        elif rule == "bdm-unencrypted-no-snapshot":
            ebs = device(lc, "/dev/sdh")["Ebs"]
            assert ebs["Encrypted"] is False and "SnapshotId" not in ebs, what
        elif rule == "bdm-delete-on-termination":
            assert device(lc, "/dev/sdd")["Ebs"]["DeleteOnTermination"] is True, what
            assert device(lc, "/dev/sde")["Ebs"]["DeleteOnTermination"] is False, what
        elif rule == "spot-price":
            assert lc["SpotPrice"] == lcfixtures.SPOT_PRICE, what
        elif rule == "tenancy-dedicated":
            assert entry["requested"]["PlacementTenancy"] == "dedicated", what
            # AWS answers it; moto 5.2.1 drops it (lcfixtures.MOTO_LOSES)
            assert lc.get("PlacementTenancy", "dedicated") == "dedicated", what
        elif rule == "metadata-options":
            assert lc["MetadataOptions"] == {"HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                                             "HttpEndpoint": "enabled"}, what
        elif rule == "kernel-ramdisk":
            assert (lc["KernelId"], lc["RamdiskId"]) == (lcfixtures.KERNEL_ID,
                                                         lcfixtures.RAMDISK_ID), what
        elif rule == "classic-link":
            assert lc["ClassicLinkVPCId"] == est.vpcs[region], what
            assert lc["ClassicLinkVPCSecurityGroups"] == [sgs[P + "-app"]], what
        elif rule == "empty-strings":
            for k in ("KeyName", "KernelId", "RamdiskId", "UserData"):
                assert lc[k] == "", (k, what)
            assert lc["ClassicLinkVPCSecurityGroups"] == [] and lc["SecurityGroups"] == [], what
        elif rule == "key-name-set":
            assert lc["KeyName"] == est.key_pairs[region] == P + "-key", what
            ec2.describe_key_pairs(KeyNames=[lc["KeyName"]])
        elif rule == "key-name-absent":
            assert lc.get("KeyName", "") == "", what
        elif rule == "rename":
            assert not LT_NAME.match(entry["name"]), what
        elif rule == "name-utf8":
            assert any(ord(c) > 127 for c in entry["name"]), what
        elif rule == "name-single-quote":
            assert "'" in entry["name"] and '"' not in entry["name"], what
        elif rule == "name-both-quotes":
            assert "'" in entry["name"] and '"' in entry["name"], what
        else:
            raise AssertionError("rule %r has no check" % rule)


def test_estate_matches_moto(tmp):
    est = lcfixtures.build("lcfx")
    try:
        assert est.account == lcfixtures.MOTO_DEFAULT_ACCOUNT
        assert est.regions == lcfixtures.DEFAULT_REGIONS
        iam = client("iam", "us-east-1")
        seen_rows = []
        for region in est.regions:
            asg, ec2 = client("autoscaling", region), client("ec2", region)
            got = mine(est, all_lcs(asg, lc_names(est, region)), "LaunchConfigurationName")
            entries = [e for e in est.lcs if e["region"] == region]
            # the same LCs in the same (DescribeLaunchConfigurations) order
            assert [g["LaunchConfigurationName"] for g in got] == [e["name"] for e in entries]
            assert len(entries) == 8 and len(set(e["name"] for e in entries)) == 8
            # creation order, deliberately not name order
            assert [e["name"] for e in entries] != sorted(e["name"] for e in entries)
            for e, lc in zip(entries, got):
                assert e["arn"] == lc["LaunchConfigurationARN"] == e["lc"]["LaunchConfigurationARN"]
                assert ":%s:%s:launchConfiguration:" % (region, est.account) in e["arn"]
                assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$",
                                e["lc"]["CreatedTime"]), e
                assert created(e["lc"]["CreatedTime"]) == lc["CreatedTime"], (e, lc)
                assert dict(e["lc"], CreatedTime=None) == dict(lc, CreatedTime=None), (e["lc"], lc)
                assert e["lost"] == lcfixtures.MOTO_LOSES.get(e["key"], []), e
                check_rules(est, e, lc, iam, ec2)
            # every rule is covered in every region
            covered = set(r for e in entries for r in e["rules"])
            assert covered == set(lcfixtures.RULES), set(lcfixtures.RULES) ^ covered

            # security groups: the name an LC uses resolves to the id est records
            for name, sg_id in est.sg_ids[region].items():
                (g,) = ec2.describe_security_groups(
                    Filters=[{"Name": "group-name", "Values": [name]}])["SecurityGroups"]
                assert g["GroupId"] == sg_id and g["VpcId"] == est.vpcs[region], g

            # Auto Scaling groups
            groups = groups_of(asg, asg_names(est, region))
            want = {a["name"]: a for a in est.asgs if a["region"] == region}
            assert sorted(g["AutoScalingGroupName"] for g in groups) == sorted(want)
            for g in groups:
                a = want[g["AutoScalingGroupName"]]
                assert g["LaunchConfigurationName"] == a["lc"], (g, a)
                assert managed_by(g["Tags"]) == a["managed_by"], (g, a)
                assert g["VPCZoneIdentifier"].split(",") == est.subnets[region], g
            kinds = sorted(str(a["managed_by"]).split(":")[0] for a in want.values())
            assert kinds == ["None", "None", "cloudformation", "elasticbeanstalk"], want

            # the inventory rows as boto3 sees them
            users = {}
            for g in groups:
                users.setdefault(g["LaunchConfigurationName"], []).append(g["AutoScalingGroupName"])
            for lc in got:
                names = sorted(users.get(lc["LaunchConfigurationName"], []))
                seen_rows.append((est.account, region, lc["LaunchConfigurationName"], names,
                                  bool(names)))
        assert sorted(seen_rows) == est.expected_rows()
        rows = est.expected_rows()
        assert sum(1 for r in rows if r[4]) == 3 * len(est.regions), rows
        assert any(len(r[3]) == 2 for r in rows), rows           # one LC in two ASGs
        # filter() keeps this estate's rows whatever their shape
        foreign = [(est.account, "us-east-1", "other-" + est.prefix + "-x", [], False)]
        assert est.filter(foreign + rows) == rows
        assert est.filter([{"LaunchConfigurationName": r[2]} for r in foreign + rows]) == \
            [{"LaunchConfigurationName": r[2]} for r in rows]
    finally:
        errors = lcfixtures.teardown(est)
    assert errors == [], errors
    for region in est.regions:
        asg, ec2 = client("autoscaling", region), client("ec2", region)
        assert all_lcs(asg, lc_names(est, region)) == []
        assert groups_of(asg, asg_names(est, region)) == []
        vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]]
        assert est.vpcs[region] not in vpcs
    profiles = [p["InstanceProfileName"] for p in
                client("iam", "us-east-1").list_instance_profiles()["InstanceProfiles"]]
    assert not [p for p in profiles if est.owns(p)], profiles


def run_aws_script(regions, account, path):
    """The logic of AWS's inventory script for one account: a dict per region
    from a paginated DescribeLaunchConfigurations, written with csv.writer as
    its write_inventory_file() does.  Returns (file bytes, inventory)."""
    inventory = []
    for region in regions:
        asg = client("autoscaling", region)
        names = []
        for page in asg.get_paginator("describe_launch_configurations").paginate() \
                .result_key_iters():
            for lc in page:
                names.append(lc["LaunchConfigurationName"])
        inventory.append({"account_id": account, "region": region, "count": len(names),
                          "launch_configuratons": names})
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for i, data in enumerate(inventory):
            if i == 0:
                w.writerow(data.keys())
            w.writerow(data.values())
    return pathlib.Path(path).read_bytes(), inventory


def test_aws_script_bytes(tmp):
    est = lcfixtures.build("lcfx-csv", regions=SCRIPT_REGIONS)
    try:
        data, inventory = run_aws_script(SCRIPT_REGIONS, est.account, tmp / "inventory.csv")
        read_back = [(d["region"], d["launch_configuratons"]) for d in inventory]
        assert est.aws_script_csv_from(read_back) == data, est.aws_script_csv_from(read_back)
        assert est.aws_script_csv_from(dict(read_back)) == data
        # these regions are this test's alone: the estate's own prediction is exact
        assert est.aws_script_csv() == data, (est.aws_script_csv(), data)
        one, _ = run_aws_script(SCRIPT_REGIONS[1:], est.account, tmp / "one.csv")
        assert est.aws_script_csv(SCRIPT_REGIONS[1:]) == one
        # what the bytes hold: the header's spelling, CRLF, reprs inside a quoted field
        lines = data.split(b"\r\n")
        assert lines[0] == b"account_id,region,count,launch_configuratons" and lines[-1] == b""
        assert len(lines) == 2 + len(SCRIPT_REGIONS)
        P = est.prefix.encode()
        assert lines[1].startswith(b"%s,%s,8,\"['%s-pub-false', " % (
            est.account.encode(), SCRIPT_REGIONS[0].encode(), P)), lines[1]
        assert b'""' + P + b"-it's\"\"" in lines[1], lines[1]               # repr picks "..."
        assert b"'" + P + b"-it\\'s \"\"both\"\"'" in lines[1], lines[1]    # ... or escapes '
        assert ("'%s-caf\u00e9'" % est.prefix).encode("utf-8") in lines[1], lines[1]
        # the rendering alone: several accounts, an empty region, a region the script lost
        triples = [("111111111111", "us-east-1", []), (est.account, "eu-west-1", ["a,b"]),
                   (est.account, "eu-west-2", None)]
        assert est.aws_script_csv_from(triples) == (
            b"account_id,region,count,launch_configuratons\r\n"
            b"111111111111,us-east-1,0,[]\r\n"
            b"%s,eu-west-1,1,\"['a,b']\"\r\n"
            b"\r\n" % est.account.encode())
        assert est.aws_script_csv_from([]) == b""
    finally:
        errors = lcfixtures.teardown(est)
    assert errors == [], errors


def test_other_account(tmp):
    est = lcfixtures.build("lcfx-acct", regions=("us-west-2",), account=OTHER_ACCOUNT)
    other = None
    try:
        assert est.account == OTHER_ACCOUNT
        assert all(r[0] == OTHER_ACCOUNT for r in est.expected_rows())
        assert all(":%s:" % OTHER_ACCOUNT in e["arn"] for e in est.lcs)
        assert est.instance_profiles["arn"]["arn"].startswith("arn:aws:iam::%s:" % OTHER_ACCOUNT)
        # reached the way awsx reaches another account: AssumeRole through the proxy
        sts = client("sts", "us-east-1")
        creds = sts.assume_role(RoleArn="arn:aws:iam::%s:role/lc-inventory" % OTHER_ACCOUNT,
                                RoleSessionName="lcfixtures")["Credentials"]
        other = client("autoscaling", "us-west-2", creds=creds)
        got = all_lcs(other, lc_names(est, "us-west-2"))
        assert [g["LaunchConfigurationName"] for g in got] == [e["name"] for e in est.lcs]
        groups = groups_of(other, asg_names(est, "us-west-2"))
        assert sorted(g["AutoScalingGroupName"] for g in groups) == \
            sorted(a["name"] for a in est.asgs)
        # ... and the default account does not see them
        assert all_lcs(client("autoscaling", "us-west-2"), lc_names(est, "us-west-2")) == []
    finally:
        errors = lcfixtures.teardown(est)
    assert errors == [], errors
    if other is not None:
        assert all_lcs(other, lc_names(est, "us-west-2")) == []


harness.main(globals())
