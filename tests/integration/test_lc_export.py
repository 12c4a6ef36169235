# SPDX-License-Identifier: Apache-2.0
"""test_lc_export.py: `awsx lc-migrate export` scenarios, one per test
function, run by ctest as lc_export-<name>.  AWS calls go through the
SigV4-verifying proxy in front of moto.  Every test works in REGION, which
lcfixtures.RESERVED_REGIONS keeps for this file: the template names plan
chooses depend on the names already taken in the region, so the export and
the plan it is compared with must see no other test's launch templates.
"""

import json
import pathlib
import re
import shutil
import subprocess
import sys
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "support"))
import harness  # noqa: E402
import lcfixtures  # noqa: E402

SECRET = harness.TEST_SECRET
REGION = "ap-northeast-2"
READ_ONLY = ("Describe", "Get", "List", "AssumeRole")
WARNING = "awsx: warning: "


def setup(tmp, key):
    # AWS_REGION stays us-east-1 (harness.home): the global --region must win
    env = harness.home(str(tmp))
    env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=SECRET)
    return env


def describe(res):
    return "\n  exit %s\n  stdout: %r\n  stderr: %r" % (res.returncode, res.stdout[-3000:],
                                                       res.stderr[-2000:])


def export(env, fmt, name, *extra):
    args = ["lc-migrate", "export", "--name", name, "--region", REGION] + list(extra)
    if fmt:
        args += ["--format", fmt]
    return harness.run_awsx(args, env)


def plan_entry(env, name, *extra):
    res = harness.run_awsx(["lc-migrate", "plan", "--output", "json", "--regions", REGION,
                            "--name", name] + list(extra), env)
    assert res.returncode == 0, describe(res)
    (entry,) = json.loads(res.stdout)["LaunchTemplates"]
    return entry


def warnings(res):
    """The warning lines of stderr; fails when stderr holds anything else."""
    lines = res.stderr.splitlines()
    assert all(line.startswith(WARNING) for line in lines), describe(res)
    return [line[len(WARNING):] for line in lines]


def load_yaml(text):
    import yaml
    # plain safe_load: the resource itself must hold no !Ref or !GetAtt
    # (those are only in the closing comment, which YAML ignores)
    return yaml.safe_load(text)


def test_export_cloudformation_matches_plan(tmp):
    try:
        import yaml  # noqa: F401
    except ImportError:
        harness.skip("PyYAML is not installed")
    est = lcfixtures.build("lcm-exp-cfn", regions=(REGION,))
    try:
        env = setup(tmp, "AKIALCMEXPORTCFN0001")
        mark = harness.log_mark()
        cases = [(e["name"], ()) for e in est.lcs]
        for mode in ("keep", "mixed"):
            cases.append((est.lc(REGION, "spot")["name"], ("--spot-price", mode)))
        saw_warning = False
        for name, extra in cases:
            entry = plan_entry(env, name, *extra)
            assert entry["Error"] is None, entry
            res = export(env, "cloudformation", name, *extra)
            assert res.returncode == 0, (name, describe(res))
            doc = load_yaml(res.stdout)
            (logical_id,) = doc["Resources"]
            assert re.fullmatch(r"[A-Za-z][A-Za-z0-9]*LaunchTemplate", logical_id), logical_id
            resource = doc["Resources"][logical_id]
            assert resource["Type"] == "AWS::EC2::LaunchTemplate", resource
            props = resource["Properties"]
            assert props["LaunchTemplateName"] == entry["LaunchTemplateName"], (props, entry)
            assert props["LaunchTemplateData"] == entry["LaunchTemplateData"], \
                "data differs for %r:\n%r\n%r" % (name, props["LaunchTemplateData"],
                                                   entry["LaunchTemplateData"])
            assert props["TagSpecifications"] == [{
                "ResourceType": "launch-template",
                "Tags": [{"Key": "awsx:source-launch-configuration", "Value": name}],
            }], props
            # the change to make in the group's resource
            assert "LaunchTemplateId: !Ref %s\n" % logical_id in res.stdout, res.stdout
            assert "Version: !GetAtt %s.LatestVersionNumber\n" % logical_id in res.stdout
            # mixed: an on-demand template, and the group's all-spot policy in a comment
            mixed = "#   MixedInstancesPolicy:\n" in res.stdout
            assert mixed == ("mixed" in extra), (extra, res.stdout)
            assert warnings(res) == entry["Warnings"], (name, describe(res), entry["Warnings"])
            saw_warning = saw_warning or bool(entry["Warnings"])
        assert saw_warning, "no LC of the estate has a warning: the check above proves nothing"

        # false stays false, spelled as a YAML boolean
        private = load_yaml(export(env, "cloudformation", est.lc(REGION, "private")["name"]).stdout)
        (resource,) = private["Resources"].values()
        data = resource["Properties"]["LaunchTemplateData"]
        assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is False, data
        assert data["Monitoring"] == {"Enabled": False}, data

        # -o FILE: the same document in the file, nothing on stdout
        name = est.lc(REGION, "public")["name"]
        want = export(env, "cloudformation", name).stdout
        out = pathlib.Path(tmp) / "lt.yaml"
        res = export(env, "cloudformation", name, "-o", str(out))
        assert res.returncode == 0 and res.stdout == "", describe(res)
        assert out.read_text() == want, (out.read_text(), want)

        ops = {r["operation"] for r in harness.requests_since(mark, access_key="AKIALCMEXPORTCFN0001")}
        assert ops and all(op.startswith(READ_ONLY) for op in ops), ops
    finally:
        lcfixtures.teardown(est)


def tf_resource_name(lt_name):
    # the estate's names are lower-case: no camel-case split to mirror
    assert lt_name == lt_name.lower(), lt_name
    return re.sub(r"[^a-z0-9]+", "_", lt_name).strip("_")


def terraform_fmt_check(text):
    """terraform fmt -check on text when terraform is installed: the HCL
    parses and is laid out as terraform fmt would lay it out."""
    tf = shutil.which("terraform")
    if not tf:
        return
    env = {"PATH": "/usr/bin:/bin", "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    res = subprocess.run([tf, "fmt", "-check", "-"], input=text, capture_output=True, text=True,
                         env=env, timeout=60)
    assert res.returncode == 0, "terraform fmt -check: exit %s\n%s%s\n--- input\n%s" % (
        res.returncode, res.stdout, res.stderr, text)


def test_export_terraform(tmp):
    est = lcfixtures.build("lcm-exp-tf", regions=(REGION,))
    try:
        env = setup(tmp, "AKIALCMEXPORTTF00001")
        private = est.lc(REGION, "private")["name"]
        entry = plan_entry(env, private)
        res = export(env, "terraform", private)
        assert res.returncode == 0, describe(res)
        hcl = res.stdout
        resource = tf_resource_name(entry["LaunchTemplateName"])
        assert hcl.startswith('resource "aws_launch_template" "%s" {\n' % resource), hcl
        assert re.search(r'\n  name += "%s"\n' % re.escape(entry["LaunchTemplateName"]), hcl), hcl
        # false stays false: public IP and monitoring; a true stays true
        assert re.search(r"\n +associate_public_ip_address += false\n", hcl), hcl
        assert not re.search(r"associate_public_ip_address += true", hcl), hcl
        assert re.search(r"\n  monitoring \{\n    enabled = false\n  \}\n", hcl), hcl
        assert re.search(r"\n  ebs_optimized += true\n", hcl), hcl
        assert re.search(r'\n    "awsx:source-launch-configuration" = "%s"\n' % re.escape(private),
                         hcl), hcl
        assert "id      = aws_launch_template.%s.id\n" % resource in hcl, hcl
        assert warnings(res) == entry["Warnings"], (describe(res), entry["Warnings"])
        terraform_fmt_check(hcl)

        public = est.lc(REGION, "public")["name"]
        res = export(env, "terraform", public)
        assert res.returncode == 0, describe(res)
        assert re.search(r"\n +associate_public_ip_address += true\n", res.stdout), res.stdout
        terraform_fmt_check(res.stdout)

        # mixed: an on-demand template and the group's mixed_instances_policy
        spot = est.lc(REGION, "spot")["name"]
        res = export(env, "terraform", spot, "--spot-price", "mixed")
        assert res.returncode == 0, describe(res)
        assert "instance_market_options" not in res.stdout, res.stdout
        assert "#   mixed_instances_policy {\n" in res.stdout, res.stdout
        # a renamed LC: the template has a new name, the tag keeps the LC's own
        assert re.search(r'\n    "awsx:source-launch-configuration" = "%s"\n' % re.escape(spot),
                         res.stdout), res.stdout
        assert any("MixedInstancesPolicy" in w for w in warnings(res)), describe(res)
        terraform_fmt_check(res.stdout)
        res = export(env, "terraform", spot)
        assert res.returncode == 0, describe(res)
        assert 'market_type = "spot"' in res.stdout and "mixed_instances_policy" not in res.stdout
    finally:
        lcfixtures.teardown(est)


def test_export_format_required(tmp):
    env = setup(tmp, "AKIALCMEXPORTUSE0001")
    for extra, needle in (([], "missing --format"), (["--format", "yaml"], "invalid --format 'yaml'")):
        res = export(env, None, "any-lc", *extra)
        assert res.returncode == 2 and needle in res.stderr, (extra, describe(res))
        assert res.stdout == "", describe(res)
    res = harness.run_awsx(["lc-migrate", "export", "--format", "terraform"], env)
    assert res.returncode == 2 and "missing --name" in res.stderr, describe(res)
    res = export(env, "terraform", "any-lc", "--spot-price", "cheap")
    assert res.returncode == 2 and "--spot-price" in res.stderr, describe(res)


def test_export_missing_launch_configuration(tmp):
    env = setup(tmp, "AKIALCMEXPORTMISS001")
    name = "lcm-exp-none-%s" % uuid.uuid4().hex[:8]
    res = export(env, "cloudformation", name)
    assert res.returncode == 1, describe(res)
    assert "launch configuration '%s' not found in %s" % (name, REGION) in res.stderr, describe(res)
    assert res.stdout == "", describe(res)


def test_export_unresolvable_group_name(tmp):
    import boto3
    kw = dict(endpoint_url=harness.env()["moto_url"], aws_access_key_id="AKIALCMEXPORTSG00001",
              aws_secret_access_key=SECRET, region_name=REGION)
    asc = boto3.client("autoscaling", **kw)
    name = "lcm-exp-nosg-%s" % uuid.uuid4().hex[:8]
    asc.create_launch_configuration(LaunchConfigurationName=name, ImageId=lcfixtures.IMAGE_ID,
                                    InstanceType=lcfixtures.INSTANCE_TYPE,
                                    SecurityGroups=["no-such-group"])
    try:
        env = setup(tmp, "AKIALCMEXPORTSG00001")
        for fmt in ("cloudformation", "terraform"):
            res = export(env, fmt, name)
            assert res.returncode == 1, describe(res)
            assert "cannot export launch configuration '%s'" % name in res.stderr, describe(res)
            assert "no-such-group" in res.stderr and res.stdout == "", describe(res)
    finally:
        asc.delete_launch_configuration(LaunchConfigurationName=name)


def test_export_existing_template_warns(tmp):
    # a template an earlier run made (found by its tag): plan updates it, so
    # export writes that very name and warns that it already exists
    import boto3
    kw = dict(endpoint_url=harness.env()["moto_url"], aws_access_key_id="AKIALCMEXPORTUPD0001",
              aws_secret_access_key=SECRET, region_name=REGION)
    asc, ec2 = boto3.client("autoscaling", **kw), boto3.client("ec2", **kw)
    name = "lcm-exp-upd-%s" % uuid.uuid4().hex[:8]
    asc.create_launch_configuration(LaunchConfigurationName=name, ImageId=lcfixtures.IMAGE_ID,
                                    InstanceType=lcfixtures.INSTANCE_TYPE)
    lt = ec2.create_launch_template(
        LaunchTemplateName=name + "-earlier", LaunchTemplateData={"ImageId": lcfixtures.IMAGE_ID},
        TagSpecifications=[{"ResourceType": "launch-template", "Tags": [
            {"Key": "awsx:source-launch-configuration", "Value": name}]}])["LaunchTemplate"]
    try:
        env = setup(tmp, "AKIALCMEXPORTUPD0001")
        res = export(env, "terraform", name)
        assert res.returncode == 0, describe(res)
        assert re.search(r'\n  name += "%s-earlier"\n' % re.escape(name), res.stdout), res.stdout
        assert any("'%s-earlier' (%s) already exists" % (name, lt["LaunchTemplateId"]) in w
                   for w in warnings(res)), describe(res)
    finally:
        ec2.delete_launch_template(LaunchTemplateId=lt["LaunchTemplateId"])
        asc.delete_launch_configuration(LaunchConfigurationName=name)


harness.main(globals())
