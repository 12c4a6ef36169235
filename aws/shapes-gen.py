#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""shapes-gen.py: writes aws/shapes.c and aws/shapes.h, the static tables of
botocore shapes that aws/shape.c walks to turn query/ec2 XML answers into
JSON with botocore's member names and types, and JSON requests into query/ec2
parameters.  Only the shapes reachable from ROOTS (and EXTRA_EXPORTS) below
are written, so the tables stay small.

The tables are committed.  Re-run this script by hand when ROOTS change or
botocore is upgraded, and commit its output with the change:

    python3 aws/shapes-gen.py            # from the top of the source tree

Standard library only: botocore's package directory is found without
importing it and its service-2.json(.gz) files are read as data.  The naming
rules written into the tables mirror botocore's serialize.py
(QuerySerializer, EC2Serializer) and parsers.py (BaseXMLResponseParser):

  wire name   the XML element a member arrives in and its query-protocol
              request name: the member's locationName, else its name (for a
              flattened list whose items have a locationName, aws/shape.c
              uses the items' name instead, as botocore does).
  query name  the ec2-protocol request name: queryName, else locationName
              with its first letter upper-cased, else the member name
              (EC2Serializer._get_serialized_name).
  list items  the list member's locationName, else "member" (query); ec2
              requests number items directly ("Name.1"), answers use "item".
  map entries "entry" elements (unless flattened) holding the key and value
              under their locationName, else "key" and "value".

Traits on a member reference are merged over the target shape's own traits,
as botocore's ShapeResolver does.
"""

import gzip
import importlib.util
import json
import os
import re
import sys

# (service, operation, "input" | "output", member filter or None).  A filter
# keeps only the named members of that root structure (RunInstances is only
# used for a DryRun validation of a launch template).
ROOTS = [
    ("autoscaling", "DeleteLaunchConfiguration", "input", None),
    ("autoscaling", "DescribeAutoScalingGroups", "input", None),
    ("autoscaling", "DescribeAutoScalingGroups", "output", None),
    ("autoscaling", "DescribeInstanceRefreshes", "input", None),
    ("autoscaling", "DescribeInstanceRefreshes", "output", None),
    ("autoscaling", "DescribeLaunchConfigurations", "input", None),
    ("autoscaling", "DescribeLaunchConfigurations", "output", None),
    ("autoscaling", "StartInstanceRefresh", "input", None),
    ("autoscaling", "StartInstanceRefresh", "output", None),
    ("autoscaling", "UpdateAutoScalingGroup", "input", None),
    ("ec2", "CreateLaunchTemplate", "input", None),
    ("ec2", "CreateLaunchTemplate", "output", None),
    ("ec2", "CreateLaunchTemplateVersion", "input", None),
    ("ec2", "CreateLaunchTemplateVersion", "output", None),
    ("ec2", "DeleteLaunchTemplate", "input", None),
    ("ec2", "DeleteLaunchTemplate", "output", None),
    ("ec2", "DescribeLaunchTemplateVersions", "input", None),
    ("ec2", "DescribeLaunchTemplateVersions", "output", None),
    ("ec2", "DescribeLaunchTemplates", "input", None),
    ("ec2", "DescribeLaunchTemplates", "output", None),
    ("ec2", "DescribeRegions", "input", None),
    ("ec2", "DescribeRegions", "output", None),
    ("ec2", "DescribeSecurityGroups", "input", None),
    ("ec2", "DescribeSecurityGroups", "output", None),
    ("ec2", "DescribeSubnets", "input", None),
    ("ec2", "DescribeSubnets", "output", None),
    ("ec2", "RunInstances", "input",
     ["DryRun", "LaunchTemplate", "MaxCount", "MinCount", "SubnetId"]),
]

# Shapes inside the roots that modules name directly (items of pages, the
# launch template data a plan builds), exported besides the roots.
EXTRA_EXPORTS = [
    ("autoscaling", "AutoScalingGroup"),
    ("autoscaling", "InstanceRefresh"),
    ("autoscaling", "LaunchConfiguration"),
    ("ec2", "LaunchTemplate"),
    ("ec2", "LaunchTemplateVersion"),
    ("ec2", "RequestLaunchTemplateData"),
    ("ec2", "ResponseLaunchTemplateData"),
    ("ec2", "TagSpecification"),
]

SCALARS = {
    "string": "shape_string",
    "integer": "shape_integer",
    "long": "shape_long",
    "double": "shape_double",
    "float": "shape_double",
    "boolean": "shape_boolean",
    "timestamp": "shape_timestamp",
    "blob": "shape_blob",
}

# Traits that would change how a value goes on or comes off the wire and that
# shape.c does not implement: refuse to generate rather than be wrong.
UNSUPPORTED = ("xmlAttribute", "xmlNamespace", "location", "payload",
               "streaming", "eventstream", "event", "eventheader",
               "eventpayload", "jsonvalue", "hostLabel", "document", "union")


def fail(msg):
    sys.exit("shapes-gen.py: " + msg)


def botocore_dir():
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.origin:
        fail("botocore is not installed for " + sys.executable)
    return os.path.dirname(spec.origin)


def botocore_version(bdir):
    with open(os.path.join(bdir, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r"^__version__ = '([^']+)'", f.read(), re.M)
    if not m:
        fail("cannot find botocore's __version__")
    return m.group(1)


def load_model(bdir, service):
    """The newest API version of service, as botocore's Loader picks it."""
    sdir = os.path.join(bdir, "data", service)
    versions = []
    for v in os.listdir(sdir):
        for name in ("service-2.json.gz", "service-2.json"):
            if os.path.exists(os.path.join(sdir, v, name)):
                versions.append((v, name))
                break
    if not versions:
        fail("no service-2.json for " + service)
    v, name = sorted(versions)[-1]
    path = os.path.join(sdir, v, name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def resolve(model, ref):
    """A member reference: the target's definition with the ref's traits over it."""
    name = ref["shape"]
    merged = dict(model["shapes"][name])
    merged.update({k: v for k, v in ref.items() if k != "shape"})
    for k in UNSUPPORTED:
        if merged.get(k):
            fail(f"shape {name}: trait {k} is not supported by aws/shape.c")
    if merged["type"] == "timestamp" and \
            merged.get("timestampFormat", "iso8601") != "iso8601":
        fail(f"shape {name}: timestampFormat {merged['timestampFormat']}")
    return name, merged


def ec2_name(trait, default):
    """EC2Serializer._get_serialized_name."""
    if "queryName" in trait:
        return trait["queryName"]
    if "locationName" in trait:
        name = trait["locationName"]
        return name[0].upper() + name[1:]
    return default


class Generator:
    def __init__(self, bdir):
        self.bdir = bdir
        self.models = {}
        self.emit = {}      # (service, shape name) -> definition to write
        self.filters = {}   # (service, shape name) -> member filter
        self.exported = set()

    def model(self, service):
        if service not in self.models:
            self.models[service] = load_model(self.bdir, service)
        return self.models[service]

    def visit(self, service, name, parent=None):
        model = self.model(service)
        if parent is not None and (service, name) in self.filters:
            fail(f"{service} {name} has a member filter but is also reached "
                 f"from {parent}")
        if name not in model["shapes"]:
            fail(f"{service}: no shape {name}")
        definition = model["shapes"][name]
        kind = definition["type"]
        if kind in SCALARS or (service, name) in self.emit:
            return
        if definition.get("document") or definition.get("union"):
            fail(f"{service} {name}: document and union shapes are not supported")
        self.emit[(service, name)] = definition
        if kind == "structure":
            members = definition["members"]
            keep = self.filters.get((service, name))
            for mname, ref in members.items():
                if keep is None or mname in keep:
                    resolve(model, ref)
                    self.visit(service, ref["shape"], name)
        elif kind == "list":
            resolve(model, definition["member"])
            self.visit(service, definition["member"]["shape"], name)
        elif kind == "map":
            for part in ("key", "value"):
                resolve(model, definition[part])
                self.visit(service, definition[part]["shape"], name)
        else:
            fail(f"{service} {name}: unknown type {kind}")

    def add_roots(self):
        for service, op, io, keep in ROOTS:
            model = self.model(service)
            ref = model["operations"][op].get(io)
            if ref is None:
                continue
            name = ref["shape"]
            if keep is not None:
                members = model["shapes"][name]["members"]
                for k in keep:
                    if k not in members:
                        fail(f"{service} {op}: filter names unknown member {k}")
                self.filters[(service, name)] = set(keep)
            self.exported.add((service, name))
        # Visit after every filter is known: a filtered shape must not also
        # be reached in full from elsewhere.
        for service, name in sorted(self.exported):
            self.visit(service, name)
        for service, name in EXTRA_EXPORTS:
            if (service, name) not in self.emit:
                fail(f"extra export {service} {name} is not reachable from ROOTS")
            self.exported.add((service, name))

    # ---- C output ----

    def ident(self, service, name):
        if (service, name) in self.exported:
            return f"shape_{service}_{name}"
        return f"s_{service}_{name}"

    def target(self, service, ref):
        model = self.model(service)
        kind = model["shapes"][ref["shape"]]["type"]
        if kind in SCALARS:
            return SCALARS[kind]
        return self.ident(service, ref["shape"])

    @staticmethod
    def cstr(s):
        if s is None:
            return "NULL"
        if not re.fullmatch(r"[A-Za-z0-9_.:$-]*", s):
            fail(f"unexpected characters in name {s!r}")
        return f'"{s}"'

    def member_row(self, service, name, wire, query, ref, flags):
        flag_text = " | ".join(flags) if flags else "0"
        return (f"\t{{ {self.cstr(name)}, {self.cstr(wire)}, {self.cstr(query)}, "
                f"&{self.target(service, ref)}, {flag_text} }},")

    def structure_rows(self, service, sname, definition):
        model = self.model(service)
        keep = self.filters.get((service, sname))
        required = set(definition.get("required", []))
        rows = []
        for mname, ref in definition["members"].items():
            if keep is not None and mname not in keep:
                continue
            _, t = resolve(model, ref)
            flags = []
            wire = t.get("locationName", mname)
            if t["type"] in ("list", "map") and t.get("flattened"):
                flags.append("SHAPE_FLATTENED")
            if mname in required:
                flags.append("SHAPE_REQUIRED")
            if ref.get("idempotencyToken"):
                flags.append("SHAPE_IDEMPOTENCY_TOKEN")
            rows.append(self.member_row(service, mname, wire,
                                        ec2_name(t, mname), ref, flags))
        return rows

    def list_rows(self, service, definition):
        _, item = resolve(self.model(service), definition["member"])
        flags = ["SHAPE_NAMED"] if "locationName" in item else []
        wire = item.get("locationName", "member")
        return [self.member_row(service, None, wire, ec2_name(item, "member"),
                                definition["member"], flags)]

    def map_rows(self, service, definition):
        rows = []
        for part in ("key", "value"):
            _, t = resolve(self.model(service), definition[part])
            rows.append(self.member_row(service, None,
                                        t.get("locationName", part),
                                        ec2_name(t, part),
                                        definition[part], []))
        return rows

    def write(self, c_path, h_path, version):
        keys = sorted(self.emit)
        kinds = {"structure": "SHAPE_STRUCTURE", "list": "SHAPE_LIST",
                 "map": "SHAPE_MAP"}
        banner = (f"generated by aws/shapes-gen.py from botocore {version}; "
                  "do not edit")
        c = [
            "/* SPDX-License-Identifier: Apache-2.0 */",
            "/*",
            f" * shapes.c: {banner}.",
            " * The botocore shapes reachable from the roots listed in",
            " * aws/shapes-gen.py, as tables for aws/shape.c.  Structures keep",
            " * botocore's member order (boto3's key order); shapes are sorted by",
            " * service and name.",
            " */",
            '#include "aws/shape.h"',
            "",
            "#include <stdlib.h>",
            "#include <string.h>",
            "",
        ]
        for service, name in keys:
            if (service, name) not in self.exported:
                c.append(f"static const struct shape {self.ident(service, name)};")
        c.append("")
        for service, name in keys:
            d = self.emit[(service, name)]
            kind = d["type"]
            if kind == "structure":
                rows = self.structure_rows(service, name, d)
            elif kind == "list":
                rows = self.list_rows(service, d)
            else:
                rows = self.map_rows(service, d)
            flags = "SHAPE_FLATTENED" if d.get("flattened") else "0"
            ident = self.ident(service, name)
            storage = "" if (service, name) in self.exported else "static "
            arr = f"m_{service}_{name}"
            if rows:
                c.append(f"static const struct shape_member {arr}[] = {{")
                c.extend(rows)
                c.append("};")
                members = f"{arr}, {len(rows)}"
            else:
                members = "NULL, 0"
            c.append(f"{storage}const struct shape {ident} = "
                     f'{{ "{name}", {kinds[kind]}, {flags}, {members} }};')
            c.append("")
        c.append("/* Exported shapes by service and name, sorted for bsearch. */")
        c.append("static const struct shape_entry {")
        c.append("\tconst char *service;")
        c.append("\tconst struct shape *shape;")
        c.append("} shape_entries[] = {")
        for service, name in sorted(self.exported):
            c.append(f'\t{{ "{service}", &{self.ident(service, name)} }},')
        c.append("};")
        c.append("")
        c.extend([
            "static int shape_entry_cmp(const void *key, const void *elem)",
            "{",
            "\tconst struct shape_entry *a = key, *b = elem;",
            "\tint d = strcmp(a->service, b->service);",
            "\treturn d ? d : strcmp(a->shape->name, b->shape->name);",
            "}",
            "",
            "const struct shape *shape_find(const char *service, const char *name)",
            "{",
            "\tstruct shape probe = { 0 };",
            "\tstruct shape_entry key = { service, &probe };",
            "\tconst struct shape_entry *e;",
            "",
            "\tif (!service || !name)",
            "\t\treturn NULL;",
            "\tprobe.name = name;",
            "\te = bsearch(&key, shape_entries,",
            "\t\t    sizeof(shape_entries) / sizeof(shape_entries[0]),",
            "\t\t    sizeof(shape_entries[0]), shape_entry_cmp);",
            "\treturn e ? e->shape : NULL;",
            "}",
        ])

        h = [
            "/* SPDX-License-Identifier: Apache-2.0 */",
            "/*",
            f" * shapes.h: {banner}.",
            " * The exported shape tables: the roots and extra exports listed in",
            " * aws/shapes-gen.py.  Included by aws/shape.h; include that instead.",
            " */",
            "#ifndef AWSX_SHAPES_H",
            "#define AWSX_SHAPES_H",
            "",
        ]
        for service, name in sorted(self.exported):
            h.append(f"extern const struct shape {self.ident(service, name)};")
        h.extend(["", "#endif"])

        for path, lines in ((c_path, c), (h_path, h)):
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write("\n".join(lines) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    bdir = botocore_dir()
    gen = Generator(bdir)
    gen.add_roots()
    gen.write(os.path.join(here, "shapes.c"), os.path.join(here, "shapes.h"),
              botocore_version(bdir))


if __name__ == "__main__":
    main()
