#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# setup-deps.sh: install what building and testing awsx needs on Debian 12,
# and say which Python runs the local AWS endpoint (moto).  Sourced by
# tests/run-all.sh and examples/demo.sh; safe to run again (it only calls
# apt-get when a package is missing).  Sets AWSX_PYTHON.

AWSX_DEB_PACKAGES=(build-essential cmake pkg-config git ca-certificates
	libcurl4-openssl-dev libcjson-dev libexpat1-dev libssl-dev libyaml-dev
	libuv1-dev zlib1g-dev libdeflate-dev clang libclang-rt-14-dev python3 python3-venv
	zip unzip)

awsx_as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

awsx_install_packages() {
	local missing=()
	for p in "${AWSX_DEB_PACKAGES[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "setup: installing ${missing[*]}" >&2
		awsx_as_root apt-get update -qq
		awsx_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
	fi
}

# The local AWS endpoint is moto in server mode.  Use a python3 that has it
# (this project's image ships one); otherwise make a virtualenv under the
# build folder and pip-install it there.
awsx_find_python() {
	local venv="$1"
	for py in python3 /usr/bin/python3 "$venv/bin/python3"; do
		if command -v "$py" >/dev/null 2>&1 &&
			"$py" -c 'import moto, botocore, flask' >/dev/null 2>&1; then
			AWSX_PYTHON="$(command -v "$py")"
			return 0
		fi
	done
	echo "setup: moto is not installed; trying: python3 -m venv $venv && pip install 'moto[server]'" >&2
	/usr/bin/python3 -m venv "$venv" >&2 &&
		"$venv/bin/python3" -m pip install -q 'moto[server]' boto3 >&2 &&
		AWSX_PYTHON="$venv/bin/python3" && return 0
	echo "setup: cannot install moto: run python3 -m pip install 'moto[server]' and try again" >&2
	return 1
}
