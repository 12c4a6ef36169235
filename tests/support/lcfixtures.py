#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""lcfixtures.py: a fixture estate of launch configurations for the lc-migrate
tests, built through boto3 straight against moto, and what awsx should report
about it.

    import lcfixtures
    est = lcfixtures.build("lcm-inv")              # harness.env()["moto_url"]
    try:
        ...run awsx lc-migrate through harness.env()["endpoint_url"]...
        assert est.filter(rows_from_awsx) == est.expected_rows()
    finally:
        lcfixtures.teardown(est)

Namespace.  moto is one server shared by every test of a ctest run, and tests
run in parallel.  build(prefix) adds a random suffix ("lcm-inv-1a2b3c4d", see
Estate.prefix) unless unique=False, and every name it makes starts with that
prefix: launch configurations (LCs), Auto Scaling groups (ASGs), security
groups, key pairs, instance profiles; each region also gets its own VPC.  An
inventory of a region lists other tests' LCs too: compare through
Estate.filter(rows), which keeps the rows whose LC name starts with the prefix.

What one region holds (P = the prefix), in creation order, which is the order
moto's DescribeLaunchConfigurations answers in (see "moto" below); it is
deliberately not name order, so a renderer that sorts where it should keep the
API's order is caught:

  key       LC name                 rules covered (Estate.RULES; lc["rules"])
  private   P-pub-false             public-ip-false monitoring-false ebs-optimized-true
                                    user-data-pad1 profile-name sg-by-id key-name-absent
  public    P-pub-true              public-ip-true monitoring-true ebs-optimized-false
                                    user-data-pad2 profile-arn sg-by-name key-name-set
  spot      P-spot dedicated:v1     spot-price tenancy-dedicated metadata-options
                                    kernel-ramdisk rename (space and ':') sg-mixed
                                    monitoring-absent
  blockdev  P-blockdev              bdm-nodevice bdm-ephemeral bdm-gp3-iops-throughput
                                    bdm-io2-iops bdm-gp2-iops bdm-snapshot-unencrypted
                                    bdm-unencrypted-no-snapshot bdm-delete-on-termination
  classic   P-classic               classic-link (ClassicLinkVPCId = the VPC,
                                    ClassicLinkVPCSecurityGroups [P-app's id])
  utf8      P-café                  name-utf8 rename empty-strings (KeyName, KernelId,
                                    RamdiskId, UserData "" and ClassicLinkVPC-
                                    SecurityGroups [], as AWS reports unset members)
  quote     P-it's                  name-single-quote rename
  quotes    P-it's "both"           name-both-quotes rename
  (key-name-absent: every LC but public and utf8 is made without KeyName.)

  ASG                 LC             tags                                  managed_by
  P-asg-shared-a      P-pub-false    -                                     None
  P-asg-shared-b      P-pub-false    elasticbeanstalk:environment-name=P-env,
                                     elasticbeanstalk:environment-id       "elasticbeanstalk:P-env"
  P-asg-public        P-pub-true     aws:cloudformation:stack-name=P-stack,
                                     ...:stack-id, ...:logical-id         "cloudformation:P-stack"
  P-asg-spot          P-spot ...     -                                     None

  (blockdev, classic, utf8, quote and quotes are in no ASG.)  Every ASG is in
  both subnets of the region's VPC (VPCZoneIdentifier "subnet-a,subnet-b"),
  MinSize 0, MaxSize 1, DesiredCapacity 0, so moto starts no instances.

  Also per region: VPC 10.20.0.0/16, subnets 10.20.1.0/24 and 10.20.2.0/24 in
  the region's first two availability zones, security groups P-web (used by
  NAME in P-pub-true and P-spot ...) and P-app (used by id), key pair P-key,
  an 8 GiB volume and its snapshot (the SnapshotId of bdm-snapshot-unencrypted).
  Once per estate (IAM is global): instance profiles P-profile-arn (given by
  ARN) and P-profile-name (given by name).

Estate (all plain data, JSON-able through to_dict()):
  .prefix .regions .account .moto_url
  .lcs          [{"region", "key", "name", "arn", "rules", "requested",
                  "user_data_script", "lc", "lost"}], regions in build order, LCs in
                DescribeLaunchConfigurations order.  "lc" is the LC exactly as
                boto3 parses DescribeLaunchConfigurations except CreatedTime,
                which is the text of the XML element (moto: 6 fractional digits,
                "2024-05-01T10:11:12.123456Z"; AWS: 3).  "requested" is what was
                sent (UserData already base64, as boto3 sends it).
                "user_data_script" is the decoded script (or None).  "lost":
                paths of requested members the answer lacks or changed, e.g.
                "PlacementTenancy", "BlockDeviceMappings[/dev/sdb].NoDevice"
                (moto 5.2.1 loses exactly those two; MOTO_LOSES).
  .asgs         [{"region", "name", "lc", "managed_by", "tags", "subnets"}]
  .sg_ids       {region: {sg name: sg id}}
  .names        {key: LC name} (the same in every region)
  .vpcs .subnets .key_pairs .snapshots .volumes .instance_profiles
  .expected_rows()     sorted [(account, region, lc name, [sorted asg names], in_use)]
  .filter(rows)        rows whose LC name starts with the prefix (see its doc)
  .lc(region, key_or_name), .rule_lcs(rule) -> [(region, name)]
  .aws_script_csv(regions=None) / .aws_script_csv_from(names_by_region):
                the bytes AWS's Launch Configuration Inventory Script
                (aws-samples/amazon-ec2-auto-scaling-group-examples,
                tools/launch-configuration-inventory/inventory.py) writes.

AWS's script, for the CSV: one dict per region {"account_id", "region",
"count", "launch_configuratons"} (sic), the last the list of LC names in
DescribeLaunchConfigurations order; written with csv.writer (default dialect:
"\r\n" line ends, minimal quoting) to a file opened with newline='': the first
dict's keys as the header, then each dict's values, so the list is written as
str(list) (Python reprs of the names).  Regions come from DescribeRegions.  A
region whose get_launch_configurations returned {} would give an empty line
(written here for a region whose names are None), but in practice a
ClientError there is re-raised by the script's paginate() as a plain
Exception, which nothing catches: the script dies and writes no file at all.
Encoding: the file is written in the locale's encoding; this module assumes
UTF-8.  aws_script_csv(regions) is only the real script's output for regions
where nothing but this estate has LCs: a real run lists every LC of the
region.  Tests that compare bytes must use a region of their own (moto serves
every region); see RESERVED_REGIONS.  Other tests use aws_script_csv_from()
with the names they read back.

Accounts: build(account="210987654321") makes the estate in that moto account
(the "x-moto-account-id" header; the default is moto's 123456789012).  awsx
reaches it the way it reaches any account: sts AssumeRole of
arn:aws:iam::210987654321:role/<anything> through the verifying proxy; moto
files the temporary key under that account.

moto 5.2.1 and these APIs (differences from AWS; see docs/testing.md):
  - DescribeLaunchConfigurations answers in creation order (dict insertion
    order; re-creating an existing name replaces it in place, see below).
    AWS documents no order.  Pages hold 50 by default; NextToken is the name of
    the page's last LC, and if that LC is deleted before the next page is asked
    for, moto answers HTTP 500 with an HTML body.  Parallel tests that page
    through a shared region while another test tears down can hit that.
  - CreateLaunchConfiguration with an existing name replaces the LC
    (AWS: AlreadyExists); DeleteLaunchConfiguration of an LC in use by an ASG
    succeeds (AWS: ResourceInUse).
  - Every LC ARN has the same UUID (9dbbbf87-6141-428a-a409-0752edbe6cad).
  - Unset InstanceMonitoring reads back as Enabled false (AWS: true, detailed
    monitoring is the LC default); unset AssociatePublicIpAddress reads back as
    false (AWS leaves it out).
  - Unset KeyName, KernelId, RamdiskId, UserData, ClassicLinkVPCSecurityGroups
    are left out of the answer (AWS answers "" and []); the "utf8" LC sends
    the empty values (boto3 with parameter validation off, which AWS would
    refuse) so one LC ("utf8") reads back the way AWS reports unset members.
  - PlacementTenancy is dropped: CreateLaunchConfiguration ignores it and the
    answer never has it (AWS keeps "dedicated").  No server-mode way around.
  - BlockDeviceMappings: NoDevice=true is lost (the mapping reads back as
    {"DeviceName", "Ebs": {}, "NoDevice": false}); every mapping carries
    "NoDevice": false; an ephemeral mapping gets "Ebs": {"DeleteOnTermination":
    false}; Iops on gp2 is kept (AWS documents Iops for io1/io2/gp3 only).
  - CreatedTime has microseconds (AWS: milliseconds).
  - Not validated: ImageId, KeyName, IamInstanceProfile (name or ARN),
    KernelId/RamdiskId, SecurityGroups (names or ids), ClassicLinkVPCId (AWS
    no longer accepts ClassicLink parameters after EC2-Classic's retirement).
    The fixtures create the key pair, instance profiles and groups anyway.
  - Tag keys starting with "aws:" are accepted by CreateAutoScalingGroup and
    CreateOrUpdateTags (AWS reserves the prefix), which is how the
    CloudFormation-managed ASG is made.
  - A CloudFormation-made AWS::AutoScaling::LaunchConfiguration loses its
    BlockDeviceMappings (moto reads "BlockDeviceMapping.member"), MetadataOptions
    and ClassicLink members, so CloudFormation is no way around the NoDevice loss.

CLI, for people:
  python3 tests/support/lcfixtures.py build --prefix demo [--moto-url URL]
      [--regions r1,r2] [--account ID] [--exact-prefix]   -> the estate as JSON
  python3 tests/support/lcfixtures.py teardown --estate FILE   (the JSON above)
--moto-url defaults to moto_url in $AWSX_ENV_DIR/env.json.
"""

import argparse
import base64
import csv
import io
import json
import os
import re
import sys
import uuid
import xml.etree.ElementTree as ET

import boto3
import botocore.config

DEFAULT_REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
MOTO_DEFAULT_ACCOUNT = "123456789012"
TEST_SECRET = "awsx/TEST/secret/KEY0000000000000000000"   # harness.TEST_SECRET
ACCESS_KEY = "AKIAAWSXLCFIXTURES01"
IMAGE_ID = "ami-12c6146b"        # in moto's default AMI list in every region
INSTANCE_TYPE = "t3.micro"
KERNEL_ID = "aki-0a1b2c3d"       # moto does not check these
RAMDISK_ID = "ari-0a1b2c3d"
SPOT_PRICE = "0.0125"

# Regions a test uses alone, for byte-exact AWS-script comparisons.  Add yours.
RESERVED_REGIONS = {
    "eu-north-1": "test_lcfixtures.py aws_script_bytes",
    "ca-central-1": "free for a test_lc_migrate byte-exact --format aws-script test",
    "sa-east-1": "free for a test_lc_migrate byte-exact --format aws-script test",
    "ap-northeast-2": "test_lc_export.py: the template names plan picks depend on the names "
                      "taken in the region, so the export and the plan it is compared with "
                      "must see no other test's launch templates",
}

# What moto 5.2.1 does not keep of the requests (lc["lost"] paths, by LC key).
MOTO_LOSES = {
    "spot": ["PlacementTenancy"],
    "blockdev": ["BlockDeviceMappings[/dev/sdb].NoDevice"],
}

SCRIPT_HEADER = ("account_id", "region", "count", "launch_configuratons")  # sic, as the script

RULES = (
    "public-ip-true", "public-ip-false",
    "monitoring-true", "monitoring-false", "monitoring-absent",
    "ebs-optimized-true", "ebs-optimized-false",
    "user-data-pad1", "user-data-pad2",
    "profile-arn", "profile-name",
    "sg-by-name", "sg-by-id", "sg-mixed",
    "bdm-nodevice", "bdm-ephemeral", "bdm-gp3-iops-throughput", "bdm-io2-iops",
    "bdm-gp2-iops", "bdm-snapshot-unencrypted", "bdm-unencrypted-no-snapshot",
    "bdm-delete-on-termination",
    "spot-price", "tenancy-dedicated", "metadata-options", "kernel-ramdisk",
    "classic-link", "empty-strings",
    "key-name-set", "key-name-absent",
    "rename", "name-utf8", "name-single-quote", "name-both-quotes",
)

_AS_NS = "{http://autoscaling.amazonaws.com/doc/2011-01-01/}"
_PREFIX_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


# ---- the AWS script's CSV ----

def script_csv(inventory):
    """Bytes of AWS's inventory script's write_inventory_file() for inventory, a
    list of dicts as its get_launch_configurations() returns them ({} for a
    region it could not read)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    for i, data in enumerate(inventory):
        if i == 0:
            writer.writerow(data.keys())
        writer.writerow(data.values())
    return buf.getvalue().encode("utf-8")


def script_inventory(rows):
    """rows: iterable of (account, region, names-or-None) -> the script's dicts."""
    out = []
    for account, region, names in rows:
        if names is None:
            out.append({})
            continue
        names = list(names)
        out.append(dict(zip(SCRIPT_HEADER, (account, region, len(names), names))))
    return out


# ---- clients ----

def _client(service, region, moto_url, account, validate=True):
    cfg = botocore.config.Config(region_name=region, connect_timeout=10, read_timeout=60,
                                 retries={"mode": "standard", "max_attempts": 3},
                                 parameter_validation=validate)
    c = boto3.session.Session().client(service, endpoint_url=moto_url, config=cfg,
                                       aws_access_key_id=ACCESS_KEY,
                                       aws_secret_access_key=TEST_SECRET)
    if account != MOTO_DEFAULT_ACCOUNT:
        def add_account(request, **_):
            request.headers["x-moto-account-id"] = account
        c.meta.events.register("before-sign.*.*", add_account)
    return c


class _Clients:
    def __init__(self, moto_url, account):
        self.moto_url, self.account, self._c = moto_url, account, {}

    def get(self, service, region="us-east-1", validate=True):
        key = (service, region, validate)
        if key not in self._c:
            self._c[key] = _client(service, region, self.moto_url, self.account, validate)
        return self._c[key]


def _default_moto_url():
    d = os.environ.get("AWSX_ENV_DIR")
    if d:
        try:
            with open(os.path.join(d, "env.json")) as f:
                return json.load(f)["moto_url"]
        except (OSError, ValueError, KeyError):
            pass
    try:
        import harness  # noqa: WPS433 (tests/support is on sys.path in tests)
        return harness.env()["moto_url"]
    except Exception:  # noqa: BLE001
        raise RuntimeError("no moto URL: pass moto_url or set AWSX_ENV_DIR")


# ---- the estate ----

def _padded_script(lines, residue):
    """A shell script (str) of the lines whose UTF-8 length % 3 == residue
    (1 -> base64 ends in "==", 2 -> "="), padded in a trailing comment."""
    text = "\n".join(lines) + "\n# pad"
    while (len(text.encode("utf-8")) + 1) % 3 != residue:
        text += "."
    return text + "\n"


class Estate:
    RULES = RULES

    def __init__(self, prefix, regions, account, moto_url):
        self.prefix = prefix
        self.regions = tuple(regions)
        self.account = account
        self.moto_url = moto_url
        self.lcs = []
        self.asgs = []
        self.sg_ids = {}
        self.names = {}
        self.vpcs = {}
        self.subnets = {}
        self.key_pairs = {}
        self.volumes = {}
        self.snapshots = {}
        self.instance_profiles = {}   # "arn" | "name" -> {"name", "arn"}

    # -- lookups --

    def lc(self, region, key_or_name):
        """The .lcs entry of region by key ("spot") or full LC name."""
        name = self.names.get(key_or_name, key_or_name)
        for entry in self.lcs:
            if entry["region"] == region and entry["name"] == name:
                return entry
        raise KeyError((region, key_or_name))

    def rule_lcs(self, rule):
        """[(region, LC name)] of the LCs that cover rule (one of RULES)."""
        if rule not in RULES:
            raise KeyError(rule)
        return [(e["region"], e["name"]) for e in self.lcs if rule in e["rules"]]

    def asgs_of(self, region, lc_name):
        return sorted(a["name"] for a in self.asgs
                      if a["region"] == region and a["lc"] == lc_name)

    # -- what awsx should report --

    def expected_rows(self):
        """Sorted [(account, region, lc name, [sorted ASG names], in_use)]."""
        rows = []
        for e in self.lcs:
            asgs = self.asgs_of(e["region"], e["name"])
            rows.append((self.account, e["region"], e["name"], asgs, bool(asgs)))
        return sorted(rows)

    def owns(self, name):
        return isinstance(name, str) and name.startswith(self.prefix + "-")

    def filter(self, rows, key=None):
        """Keep the rows whose LC name belongs to this estate, in their order.
        A row is a tuple/list (the name at index 2, as in expected_rows()), a
        dict (key, else the first of "LaunchConfigurationName", "lc_name",
        "launch_configuration", "name" it has), or a str (the name itself).
        key may also be a callable row -> name."""
        out = []
        for row in rows:
            if callable(key):
                name = key(row)
            elif isinstance(row, str):
                name = row
            elif isinstance(row, dict):
                name = None
                for k in ([key] if key else ["LaunchConfigurationName", "lc_name",
                                             "launch_configuration", "name"]):
                    if k in row:
                        name = row[k]
                        break
            else:
                name = row[key if key is not None else 2]
            if self.owns(name):
                out.append(row)
        return out

    def names_by_region(self, regions=None):
        """[(region, [LC names in DescribeLaunchConfigurations order])]."""
        regions = self.regions if regions is None else regions
        return [(r, [e["name"] for e in self.lcs if e["region"] == r]) for r in regions]

    def aws_script_csv(self, regions=None):
        """What AWS's script writes for regions (default: the estate's, in build
        order) if nothing but this estate had LCs there."""
        return self.aws_script_csv_from(self.names_by_region(regions))

    def aws_script_csv_from(self, names_by_region):
        """The script's bytes for names_by_region: a dict (in its order) or
        pairs region -> names (None: the region returned {}), or triples
        (account, region, names) for several accounts."""
        items = names_by_region.items() if isinstance(names_by_region, dict) else names_by_region
        rows = []
        for item in items:
            item = tuple(item)
            rows.append(item if len(item) == 3 else (self.account,) + item)
        return script_csv(script_inventory(rows))

    # -- serialisation --

    _FIELDS = ("prefix", "regions", "account", "moto_url", "lcs", "asgs", "sg_ids", "names",
               "vpcs", "subnets", "key_pairs", "volumes", "snapshots", "instance_profiles")

    def to_dict(self):
        d = {k: getattr(self, k) for k in self._FIELDS}
        d["regions"] = list(self.regions)
        d["expected_rows"] = [list(r) for r in self.expected_rows()]
        d["aws_script_csv"] = self.aws_script_csv().decode("utf-8")
        return d

    @classmethod
    def from_dict(cls, d):
        est = cls(d["prefix"], d["regions"], d["account"], d.get("moto_url"))
        for k in cls._FIELDS[4:]:
            setattr(est, k, d.get(k) or getattr(est, k))
        return est


def _lc_specs(est, region):
    """[(key, name, rules, kwargs for CreateLaunchConfiguration)] in creation order."""
    P = est.prefix
    sg = est.sg_ids[region]
    web, app = P + "-web", sg[P + "-app"]
    snap = est.snapshots[region]
    script1 = _padded_script([
        "#!/bin/bash",
        "set -eu",
        "echo '%s private tier' > /etc/motd" % P,
        "systemctl enable --now app.service",
    ], 2)
    script2 = _padded_script([
        "#!/bin/bash",
        "cat > /etc/app.conf <<'EOF'",
        "greeting=caf\u00e9\tport=8080",
        "EOF",
        "yum -y install httpd && systemctl start httpd",
    ], 1)
    return [
        ("private", P + "-pub-false",
         ["public-ip-false", "monitoring-false", "ebs-optimized-true", "user-data-pad1",
          "profile-name", "sg-by-id", "key-name-absent"],
         dict(AssociatePublicIpAddress=False, InstanceMonitoring={"Enabled": False},
              EbsOptimized=True, UserData=script1,
              IamInstanceProfile=est.instance_profiles["name"]["name"],
              SecurityGroups=[app])),
        ("public", P + "-pub-true",
         ["public-ip-true", "monitoring-true", "ebs-optimized-false", "user-data-pad2",
          "profile-arn", "sg-by-name", "key-name-set"],
         dict(AssociatePublicIpAddress=True, InstanceMonitoring={"Enabled": True},
              EbsOptimized=False, UserData=script2,
              IamInstanceProfile=est.instance_profiles["arn"]["arn"],
              SecurityGroups=[web], KeyName=est.key_pairs[region])),
        ("spot", P + "-spot dedicated:v1",
         ["spot-price", "tenancy-dedicated", "metadata-options", "kernel-ramdisk", "rename",
          "sg-mixed", "monitoring-absent", "key-name-absent"],
         dict(SpotPrice=SPOT_PRICE, PlacementTenancy="dedicated",
              MetadataOptions={"HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                               "HttpEndpoint": "enabled"},
              KernelId=KERNEL_ID, RamdiskId=RAMDISK_ID, SecurityGroups=[web, app])),
        ("blockdev", P + "-blockdev",
         ["bdm-nodevice", "bdm-ephemeral", "bdm-gp3-iops-throughput", "bdm-io2-iops",
          "bdm-gp2-iops", "bdm-snapshot-unencrypted", "bdm-unencrypted-no-snapshot",
          "bdm-delete-on-termination", "key-name-absent"],
         dict(SecurityGroups=[app], BlockDeviceMappings=[
             {"DeviceName": "/dev/sdb", "NoDevice": True},
             {"DeviceName": "/dev/sdc", "VirtualName": "ephemeral0"},
             {"DeviceName": "/dev/sdd", "Ebs": {"VolumeType": "gp3", "VolumeSize": 20,
                                               "Iops": 4000, "Throughput": 250,
                                               "DeleteOnTermination": True}},
             {"DeviceName": "/dev/sde", "Ebs": {"VolumeType": "io2", "VolumeSize": 50,
                                               "Iops": 1000, "DeleteOnTermination": False}},
             {"DeviceName": "/dev/sdf", "Ebs": {"VolumeType": "gp2", "VolumeSize": 10,
                                               "Iops": 300}},
             {"DeviceName": "/dev/sdg", "Ebs": {"SnapshotId": snap, "Encrypted": False}},
             {"DeviceName": "/dev/sdh", "Ebs": {"VolumeType": "standard", "VolumeSize": 8,
                                               "Encrypted": False}},
         ])),
        ("classic", P + "-classic",
         ["classic-link", "key-name-absent"],
         dict(ClassicLinkVPCId=est.vpcs[region], ClassicLinkVPCSecurityGroups=[app])),
        ("utf8", P + "-caf\u00e9", ["name-utf8", "rename", "empty-strings"],
         dict(KeyName="", KernelId="", RamdiskId="", UserData="",
              ClassicLinkVPCSecurityGroups=[])),
        ("quote", P + "-it's", ["name-single-quote", "rename", "key-name-absent"], {}),
        ("quotes", P + "-it's \"both\"", ["name-both-quotes", "rename", "key-name-absent"], {}),
    ]


def _asg_specs(est, region):
    """[(name, lc key, tags, managed_by)] in creation order."""
    P = est.prefix
    stack = P + "-stack"
    stack_id = "arn:aws:cloudformation:%s:%s:stack/%s/%s" % (region, est.account, stack,
                                                           uuid.uuid4())
    return [
        (P + "-asg-shared-a", "private", [], None),
        (P + "-asg-shared-b", "private",
         [("elasticbeanstalk:environment-name", P + "-env"),
          ("elasticbeanstalk:environment-id", "e-" + P[-8:])],
         "elasticbeanstalk:" + P + "-env"),
        (P + "-asg-public", "public",
         [("aws:cloudformation:stack-name", stack), ("aws:cloudformation:stack-id", stack_id),
          ("aws:cloudformation:logical-id", "WebGroup")],
         "cloudformation:" + stack),
        (P + "-asg-spot", "spot", [], None),
    ]


def _lost(sent, got, path=""):
    """Paths of members of sent (what CreateLaunchConfiguration was given) that
    got (what DescribeLaunchConfigurations answered) lacks or changed."""
    out = []
    if isinstance(sent, dict):
        if not isinstance(got, dict):
            return [path or "."]
        for k, v in sent.items():
            p = "%s.%s" % (path, k) if path else k
            out += _lost(v, got[k], p) if k in got else [p]
    elif isinstance(sent, list) and sent and isinstance(sent[0], dict) and "DeviceName" in sent[0]:
        by_dev = {m.get("DeviceName"): m for m in got or []}
        for m in sent:
            p = "%s[%s]" % (path, m["DeviceName"])
            out += _lost(m, by_dev[m["DeviceName"]], p) if m["DeviceName"] in by_dev else [p]
    elif sent != got:
        out.append(path)
    return out


def _read_lcs(asg, names):
    """DescribeLaunchConfigurations of names: (parsed LCs, {name: CreatedTime text})."""
    raw = []

    def keep(http_response, **_):
        raw.append(http_response.content)

    asg.meta.events.register("after-call.autoscaling.DescribeLaunchConfigurations", keep)
    try:
        lcs, token = [], None
        for _ in range(100):     # bounded: 50 names fit in one page
            kw = {"LaunchConfigurationNames": names}
            if token:
                kw["NextToken"] = token
            page = asg.describe_launch_configurations(**kw)
            lcs.extend(page["LaunchConfigurations"])
            token = page.get("NextToken")
            if not token:
                break
    finally:
        asg.meta.events.unregister("after-call.autoscaling.DescribeLaunchConfigurations", keep)
    created = {}
    for body in raw:
        root = ET.fromstring(body)
        for m in root.iter(_AS_NS + "member"):
            n, t = m.find(_AS_NS + "LaunchConfigurationName"), m.find(_AS_NS + "CreatedTime")
            if n is not None and t is not None:
                created[n.text] = t.text
    return lcs, created


def _build_region(est, cl, region):
    P = est.prefix
    ec2 = cl.get("ec2", region)
    asg = cl.get("autoscaling", region, validate=False)   # "" members: see the doc
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]
           if z.get("State", "available") == "available"][:2]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    est.vpcs[region] = vpc
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": P + "-vpc"}])
    est.subnets[region] = []
    for i, az in enumerate(azs):
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.%d.0/24" % (i + 1),
                               AvailabilityZone=az)["Subnet"]["SubnetId"]
        est.subnets[region].append(sn)
    est.sg_ids[region] = {}
    for n in (P + "-web", P + "-app"):
        est.sg_ids[region][n] = ec2.create_security_group(
            GroupName=n, Description="awsx lc-migrate fixture", VpcId=vpc)["GroupId"]
    est.key_pairs[region] = ec2.create_key_pair(KeyName=P + "-key")["KeyName"]
    est.volumes[region] = ec2.create_volume(AvailabilityZone=azs[0], Size=8)["VolumeId"]
    est.snapshots[region] = ec2.create_snapshot(
        VolumeId=est.volumes[region], Description=P + " fixture snapshot")["SnapshotId"]

    specs = _lc_specs(est, region)
    for key, name, rules, kw in specs:
        est.names[key] = name
        asg.create_launch_configuration(LaunchConfigurationName=name, ImageId=IMAGE_ID,
                                        InstanceType=INSTANCE_TYPE, **kw)
        sent = dict(kw)
        script = sent.get("UserData")
        if script is not None:           # boto3 base64-encodes UserData
            sent["UserData"] = base64.b64encode(script.encode("utf-8")).decode("ascii")
        # remember it right away, so a failure later still tears it down
        est.lcs.append({"region": region, "key": key, "name": name, "arn": None,
                        "rules": rules, "requested": dict(sent, ImageId=IMAGE_ID,
                                                           InstanceType=INSTANCE_TYPE),
                        "user_data_script": script or None, "lc": None, "lost": []})
    subnets = ",".join(est.subnets[region])
    for name, lc_key, tags, managed_by in _asg_specs(est, region):
        asg.create_auto_scaling_group(
            AutoScalingGroupName=name, LaunchConfigurationName=est.names[lc_key],
            MinSize=0, MaxSize=1, DesiredCapacity=0, VPCZoneIdentifier=subnets,
            Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k,
                   "Value": v, "PropagateAtLaunch": False} for k, v in tags])
        est.asgs.append({"region": region, "name": name, "lc": est.names[lc_key],
                         "managed_by": managed_by, "tags": dict(tags),
                         "subnets": list(est.subnets[region])})

    lcs, created = _read_lcs(asg, [s[1] for s in specs])
    mine = [e for e in est.lcs if e["region"] == region]
    by_name = {e["name"]: e for e in mine}
    ordered = []
    for lc in lcs:
        e = by_name.pop(lc["LaunchConfigurationName"])
        lc = dict(lc)
        lc["CreatedTime"] = created[lc["LaunchConfigurationName"]]
        e["lc"], e["arn"] = lc, lc["LaunchConfigurationARN"]
        e["lost"] = _lost(e["requested"], lc)
        ordered.append(e)
    if by_name:
        raise RuntimeError("DescribeLaunchConfigurations in %s misses %s"
                           % (region, sorted(by_name)))
    est.lcs = [e for e in est.lcs if e["region"] != region] + ordered


def build(prefix, regions=DEFAULT_REGIONS, account=None, moto_url=None, unique=True):
    """Make an estate in moto (moto_url: default harness.env()["moto_url"]) and
    return its Estate.  unique: add "-<8 hex>" to prefix (the namespace).
    On failure what was made is torn down and the error raised."""
    if not _PREFIX_OK.match(prefix):
        raise ValueError("prefix %r: use [A-Za-z0-9._-], at most 64 characters" % prefix)
    if unique:
        prefix = "%s-%s" % (prefix, uuid.uuid4().hex[:8])
    moto_url = moto_url or _default_moto_url()
    account = account or MOTO_DEFAULT_ACCOUNT
    est = Estate(prefix, regions, account, moto_url)
    cl = _Clients(moto_url, account)
    try:
        iam = cl.get("iam")
        for kind in ("arn", "name"):
            p = iam.create_instance_profile(InstanceProfileName="%s-profile-%s" % (prefix, kind))
            est.instance_profiles[kind] = {"name": p["InstanceProfile"]["InstanceProfileName"],
                                           "arn": p["InstanceProfile"]["Arn"]}
        for region in est.regions:
            _build_region(est, cl, region)
    except BaseException:
        teardown(est)
        raise
    return est


def teardown(est):
    """Delete what build() made, best effort: every call is tried once (plus
    botocore's bounded retries); returns the errors as strings."""
    cl = _Clients(est.moto_url or _default_moto_url(), est.account)
    errors = []

    def attempt(what, fn, **kw):
        try:
            fn(**kw)
        except Exception as e:  # noqa: BLE001 - best effort
            errors.append("%s: %s" % (what, e))

    for region in est.regions:
        asg = cl.get("autoscaling", region)
        ec2 = cl.get("ec2", region)
        for a in est.asgs:
            if a["region"] == region:
                attempt("asg " + a["name"], asg.delete_auto_scaling_group,
                        AutoScalingGroupName=a["name"], ForceDelete=True)
        for e in est.lcs:
            if e["region"] == region:
                attempt("lc " + e["name"], asg.delete_launch_configuration,
                        LaunchConfigurationName=e["name"])
        for sg_id in est.sg_ids.get(region, {}).values():
            attempt("sg " + sg_id, ec2.delete_security_group, GroupId=sg_id)
        for sn in est.subnets.get(region, []):
            attempt("subnet " + sn, ec2.delete_subnet, SubnetId=sn)
        if region in est.vpcs:
            attempt("vpc " + est.vpcs[region], ec2.delete_vpc, VpcId=est.vpcs[region])
        if region in est.snapshots:
            attempt("snapshot", ec2.delete_snapshot, SnapshotId=est.snapshots[region])
        if region in est.volumes:
            attempt("volume", ec2.delete_volume, VolumeId=est.volumes[region])
        if region in est.key_pairs:
            attempt("key pair", ec2.delete_key_pair, KeyName=est.key_pairs[region])
    iam = cl.get("iam")
    for p in est.instance_profiles.values():
        attempt("instance profile " + p["name"], iam.delete_instance_profile,
                InstanceProfileName=p["name"])
    return errors


def main(argv=None):
    ap = argparse.ArgumentParser(description="lc-migrate fixture estates in moto")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build an estate, print it as JSON")
    b.add_argument("--prefix", required=True)
    b.add_argument("--moto-url")
    b.add_argument("--regions", default=",".join(DEFAULT_REGIONS))
    b.add_argument("--account")
    b.add_argument("--exact-prefix", action="store_true",
                   help="use the prefix as is (no random suffix)")
    t = sub.add_parser("teardown", help="delete an estate printed by build")
    t.add_argument("--estate", required=True, help="JSON file written by build ('-': stdin)")
    t.add_argument("--moto-url")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        regions = tuple(r for r in args.regions.split(",") if r)
        est = build(args.prefix, regions, account=args.account, moto_url=args.moto_url,
                    unique=not args.exact_prefix)
        json.dump(est.to_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    f = sys.stdin if args.estate == "-" else open(args.estate, encoding="utf-8")
    with f:
        est = Estate.from_dict(json.load(f))
    if args.moto_url:
        est.moto_url = args.moto_url
    errors = teardown(est)
    for e in errors:
        print("lcfixtures: %s" % e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
