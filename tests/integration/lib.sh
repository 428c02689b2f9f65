# TAP helpers for the integration scripts (sourced; prove runs the .t files).
# Every script runs from the top of the tree against ./ptbench.
cd "$(dirname "$0")/../.." || exit 1
PTBENCH=${PTBENCH:-./ptbench}
PTBENCH_ASAN=${PTBENCH_ASAN:-build/ptbench-asan}
TMP=$(mktemp -d /tmp/ptbench-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
_n=0
_fail=0

ok() { # ok COND_EXIT_STATUS DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _fail=$((_fail + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then echo "ok $_n - $3"; else
		echo "not ok $_n - $3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; _fail=$((_fail + 1)); fi
}
skip() { # skip REASON
	_n=$((_n + 1)); echo "ok $_n # SKIP $1"
}
diag() { echo "# $*"; }
fake_kernel() { # fake_kernel FILE [TEXT]: no kernel, but "HdrS" at 0x202 as in an x86
	# bzImage's boot header, which vm and gate check before booting (fake_qemu.py boots it)
	{ head -c 514 /dev/zero; printf 'HdrS'; echo "${2:-fake}"; } >"$1"
}
done_testing() { echo "1..$_n"; [ "$_fail" -eq 0 ]; }
# jq-free JSON queries: python3 is on every Debian machine we run on
json() { # json FILE PYTHON_EXPR (d is the document)
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
