#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# demo.sh: from a fresh Debian 12 machine to awsx talking to a local AWS
# endpoint.  It installs the build dependencies, builds awsx, starts moto on
# loopback behind the SigV4-verifying proxy the tests use (so a wrongly
# signed request is refused as AWS would), runs `awsx whoami` with a
# throw-away profile, then `awsx lc-migrate` inventory, plan, apply, undo
# and export over a small estate of launch configurations, then deploys
# examples/blog with `awsx sync` and shows a no-change sync, `awsx sync
# --code` pushing an edited handler and a template change deployed, and
# last `awsx logs` over the stack's logs: a range, JSON, and a tail that
# prints an event CloudWatch ingested late.  Nothing leaves this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. tests/setup-deps.sh
awsx_install_packages
mkdir -p build
awsx_find_python "$ROOT/build/venv"

echo "== building awsx"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DAWSX_PYTHON="$AWSX_PYTHON" >/dev/null
cmake --build build -j2 --target awsx >/dev/null
AWSX=$ROOT/build/awsx

ENVDIR=$(mktemp -d /tmp/awsx-demo.XXXXXX)
cleanup() {
	"$AWSX_PYTHON" tests/support/awsenv.py stop --dir "$ENVDIR" >/dev/null 2>&1 || true
	rm -rf "$ENVDIR"
}
trap cleanup EXIT
echo "== starting a local AWS endpoint (moto behind a SigV4-verifying proxy)"
"$AWSX_PYTHON" tests/support/awsenv.py start --dir "$ENVDIR" >/dev/null
ENDPOINT=$("$AWSX_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint_url"])' "$ENVDIR/env.json")
SECRET=$("$AWSX_PYTHON" -c 'import sys; sys.path.insert(0, "tests/support"); import harness; print(harness.TEST_SECRET)')

# A throw-away home with one profile, exactly as `aws configure` writes it.
export HOME=$ENVDIR/home
mkdir -p "$HOME/.aws"
cat >"$HOME/.aws/credentials" <<CREDS
[demo]
aws_access_key_id = AKIADEMO00000000001
aws_secret_access_key = $SECRET
CREDS
cat >"$HOME/.aws/config" <<CONF
[profile demo]
region = eu-west-1
CONF
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION
export AWS_EC2_METADATA_DISABLED=true

run() {
	echo
	echo "\$ $*"
	"$@"
}
run "$AWSX" --profile demo whoami --endpoint-url "$ENDPOINT"
run "$AWSX" whoami --profile demo --endpoint-url "$ENDPOINT" --output json
echo
echo "\$ awsx whoami with a wrong secret (the proxy checks signatures as AWS does)"
set +e
AWS_ACCESS_KEY_ID=AKIADEMO00000000001 AWS_SECRET_ACCESS_KEY=wrong "$AWSX" whoami --endpoint-url "$ENDPOINT"
echo "exit status: $?"
set -e

echo
echo "== lc-migrate: launch configurations to launch templates"
MOTO=$("$AWSX_PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["moto_url"])' "$ENVDIR/env.json")
echo "(building a small estate in moto: launch configurations covering every mapping rule,"
echo " Auto Scaling groups, one managed by CloudFormation and one by Elastic Beanstalk)"
"$AWSX_PYTHON" tests/support/lcfixtures.py build --prefix demo --exact-prefix \
	--moto-url "$MOTO" --regions us-east-1,eu-west-1 >"$ENVDIR/estate.json"
export AWS_ENDPOINT_URL=$ENDPOINT AWS_PROFILE=demo
run "$AWSX" lc-migrate inventory --regions us-east-1,eu-west-1
run "$AWSX" lc-migrate plan --regions eu-west-1 --name demo-pub-false
run "$AWSX" lc-migrate apply --regions eu-west-1 --yes --journal "$ENVDIR/lcm.jsonl"
run "$AWSX" lc-migrate undo --journal "$ENVDIR/lcm.jsonl" --yes --delete-templates
run "$AWSX" lc-migrate export --region eu-west-1 --format terraform --name demo-pub-true

echo
echo "== sync: deploy examples/blog, then push an edited handler"
APP=$ENVDIR/blog
cp -r examples/blog "$APP"
echo "(pip is replaced by a stand-in that writes the packages of requirements.txt as"
echo " stubs: this machine may not reach PyPI; the proxy applies the SAM transform as"
echo " CloudFormation does)"
export PATH=$ROOT/tests/support/fakebin:$PATH
cd "$APP"
run "$AWSX" sync --stack-name blog --no-confirm
echo
echo "\$ awsx sync --stack-name blog --no-confirm   # again: nothing changed"
"$AWSX" sync --stack-name blog --no-confirm
echo
echo "\$ (edit hello_world/app.py)"
sed -i 's/%s world/%s from awsx/' hello_world/app.py
run "$AWSX" sync --stack-name blog --code
echo
echo "\$ (Timeout 10 -> 15 in template.yaml: an infrastructure change)"
sed -i 's/Timeout: 10/Timeout: 15/' template.yaml
run "$AWSX" sync --stack-name blog --no-confirm
cd "$ROOT"

echo
echo "== logs: the blog stack's logs, merged and labelled"
echo "(moto runs no Lambda code: one invocation of each function and of the API is"
echo " written to CloudWatch Logs the way Lambda and API Gateway write it)"
AWSX_ENV_DIR=$ENVDIR "$AWSX_PYTHON" tests/support/logstest.py invocations \
	--stack-name blog --region eu-west-1 >/dev/null
run "$AWSX" logs --stack-name blog --start-time 5m
run "$AWSX" logs --stack-name blog --name HelloWorldFunction --output json
echo
echo "\$ awsx logs --stack-name blog --tail --start-time 30s   # for 8 s: the last 30 s, then"
echo "  an invocation logged while tailing, then one that CloudWatch ingests 10 s late"
echo "  (tailers that ask only for newer events miss it); Ctrl-C ends it with status 130"
set +e
"$AWSX" logs --stack-name blog --tail --start-time 30s &
TAIL=$!
sleep 2
AWSX_ENV_DIR=$ENVDIR "$AWSX_PYTHON" tests/support/logstest.py invocations \
	--stack-name blog --region eu-west-1 --tag "while tailing" >/dev/null
sleep 2
AWSX_ENV_DIR=$ENVDIR "$AWSX_PYTHON" tests/support/logstest.py invocations \
	--stack-name blog --region eu-west-1 --late-ms 10000 --tag "ingested 10 s late" >/dev/null
sleep 4
kill -INT $TAIL
wait $TAIL
echo "exit status: $?"
set -e
echo
echo "demo finished: awsx is at $AWSX"
