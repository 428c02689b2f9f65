#!/bin/bash
# ptbench's LAVA files read by LAVA's own code (Debian bookworm, LAVA
# 2023.01, fetched and unpacked once into build/lava/ by lava_tool.sh, never
# installed), as a CI maintainer would before submitting:
#   - ci/lava/ptbench-gate.yaml against lava-common's test-definition schema;
#   - ci/lava/ptbench-qemu-job.yaml against lava-common's job schema (strict,
#     what the server runs on submission), its test definition pointing at
#     ptbench-gate.yaml with parameters that the definition declares;
#   - `lava-run --validate` of the job (lava-dispatcher: the whole pipeline
#     built and every action's validate() run) on a qemu device configuration
#     rendered from lava-server's qemu.jinja2 with the job's context, the
#     image URLs pointed at local files (--validate HEADs every http URL);
# and each check must reject a broken copy. lava.t runs the script's paths.
. "$(dirname "$0")/lib.sh"
CHECK=tests/integration/lava_check.py
JOB=ci/lava/ptbench-qemu-job.yaml
TESTDEF=ci/lava/ptbench-gate.yaml

# the fetch script says why it cannot fetch: no apt-get here
mkdir -p "$TMP/nobin"
PATH="$TMP/nobin" PTBENCH_LAVA_CACHE="$TMP/nocache" /bin/sh tests/integration/lava_tool.sh >"$TMP/tool.out" 2>"$TMP/tool.err"
rc=$?
is "$rc:$(cat "$TMP/tool.out")" "1:" "lava_tool.sh without apt-get: exit 1, no path printed"
grep -q 'no apt-get/dpkg-deb' "$TMP/tool.err"
ok $? "lava_tool.sh without apt-get: says why ($(head -1 "$TMP/tool.err"))"

if ! ROOT=$(sh tests/integration/lava_tool.sh 2>"$TMP/lava.err"); then
	skip "LAVA's packages are not at hand: $(tail -1 "$TMP/lava.err")"
	done_testing
	exit
fi
ROOT=$(cd "$ROOT" && pwd)
diag "LAVA from $ROOT: $(grep -E '^(lava-common|lava-dispatcher|python3-voluptuous) ' "$ROOT/versions.txt" | paste -sd, -)"
export PYTHONPATH="$ROOT/usr/lib/python3/dist-packages"
export LD_LIBRARY_PATH="$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu"
export LAVA_RUN="$ROOT/usr/bin/lava-run"
TEMPLATES="$ROOT/usr/share/lava-server/device-types"
PY=/usr/bin/python3

# lava CMD ARGS...: lava_check.py; rc, its output in out
lava() {
	out=$($PY $CHECK "$@" 2>&1)
	rc=$?
}
# edit IN OUT PYTHON: OUT is IN (YAML) after PYTHON ran on it as d
edit() {
	$PY - "$1" "$2" "$3" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
exec(sys.argv[3])
yaml.safe_dump(d, open(sys.argv[2], "w"), sort_keys=False)
PY
}

# --- the test definition ---
lava testdef $TESTDEF
is "$rc:$out" "0:valid" "test definition: valid"
edit $TESTDEF "$TMP/td-noformat.yaml" 'del d["metadata"]["format"]'
lava testdef "$TMP/td-noformat.yaml"
is "$rc" 1 "test definition without metadata.format: rejected ($out)"
edit $TESTDEF "$TMP/td-steps.yaml" 'd["run"]["steps"] = {"cd": d["params"]["PTBENCH_DIR"]}'
lava testdef "$TMP/td-steps.yaml"
is "$rc" 1 "test definition whose run.steps is a mapping: rejected ($out)"

# --- the job, with lava-common's schema ---
lava job $JOB
is "$rc:$out" "0:valid" "job: valid (strict schema)"
edit $JOB "$TMP/job-novis.yaml" 'del d["visibility"]'
lava job "$TMP/job-novis.yaml"
is "$rc" 1 "job without visibility: rejected ($out)"
edit $JOB "$TMP/job-to.yaml" 'd["actions"][0]["deploy"]["to"] = "floppy"'
lava job "$TMP/job-to.yaml"
is "$rc" 1 "job deploying to an unknown target: rejected ($out)"
edit $JOB "$TMP/job-action.yaml" 'd["actions"].append({"reboot": {"method": "qemu"}})'
lava job "$TMP/job-action.yaml"
is "$rc" 1 "job with an unknown action: rejected ($out)"
edit $JOB "$TMP/job-name.yaml" 'd["actions"][2]["test"]["definitions"][0]["name"] = "ptbench gate"'
lava job "$TMP/job-name.yaml"
is "$rc" 1 "job with a test definition named with a space: rejected ($out)"

# the job runs this tree's definition, with parameters the definition has
$PY - $JOB $TESTDEF >"$TMP/refs" 2>&1 <<'PY'
import sys, yaml
job, td = yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2]))
defs = [d for a in job["actions"] if "test" in a for d in a["test"]["definitions"]]
for d in defs:
    print("path", d["path"], "name", d["name"] == td["metadata"]["name"],
          "unknown", sorted(set(d.get("parameters", {})) - set(td["params"])))
PY
is "$(cat "$TMP/refs")" "path $TESTDEF name True unknown []" \
	"job: runs $TESTDEF under its name, every parameter one the definition declares"

# --- lava-run --validate ---
# lava-run refuses to run as anyone but root: an ordinary user runs it as
# root of a user namespace (unshare -r), where there is one
asroot=
if [ "$(id -u)" != 0 ]; then
	asroot="unshare -r"
	$asroot true 2>/dev/null || asroot=none
fi
# the device: qemu.jinja2 adds -enable-kvm, which lava-run refuses on a
# worker without KVM; such a worker's device dictionary sets no_kvm
sets=
[ -e /sys/class/misc/kvm ] || sets=no_kvm=True
# run_validate NAME JOB [nokernel]: render the device for JOB, point its
# images at local files (nokernel: the kernel's removed), lava-run
# --validate; rc, the error in err, the log in $TMP/NAME.log
run_validate() {
	local name=$1 job=$2 d="$TMP/run-$1"
	mkdir -p "$d/images"
	if ! $PY $CHECK device "$job" "$TEMPLATES" "$d/device.yaml" $sets >"$d/device.out" 2>&1 ||
		! $PY $CHECK localize "$job" "$d/images" "$d/job.yaml" >>"$d/device.out" 2>&1; then
		rc=99 err="device or localize: $(tail -1 "$d/device.out")"
		return
	fi
	[ "${3:-}" = nokernel ] && rm -f "$d/images/kernel"
	$asroot $PY $CHECK lava-run "$d/dispatcher" --job-id "ptbench-$name" --output-dir "$d/out" \
		--validate --device "$d/device.yaml" "$d/job.yaml" >"$TMP/$name.log" 2>&1
	rc=$?
	err=$($PY -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1])).get("error_msg", "").strip())' \
		"$d/out/result.yaml" 2>/dev/null)
	DESC="$d/out/description.yaml"
}
if [ "$asroot" = none ]; then
	skip "lava-run --validate: lava-run runs only as root, and unshare -r cannot make a user namespace here"
else
	[ -n "$sets" ] && diag "no /sys/class/misc/kvm here: the device dictionary sets $sets"
	run_validate ok $JOB
	is "$rc" 0 "lava-run --validate of the job: passes${err:+ ($err)}"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$TMP/ok.log" | tail -20
	for a in git-repo-action apply-overlay-guest boot-qemu-image lava-test-shell; do
		grep -q "name: $a\$" "$DESC" 2>/dev/null
		ok $? "lava-run --validate: the pipeline has $a"
	done
	# broken copies that the job schema accepts: lava-run must reject them
	edit $JOB "$TMP/job-arch.yaml" 'd["context"]["arch"] = "vax"'
	lava job "$TMP/job-arch.yaml"
	is "$rc" 0 "job for arch vax: the job schema accepts it"
	run_validate arch "$TMP/job-arch.yaml"
	[ "$rc" != 0 ] && printf '%s' "$err" | grep -q 'Non existing architecture'
	ok $? "lava-run --validate of a job for arch vax: rejected (rc $rc: $err)"
	run_validate noimage $JOB nokernel
	[ "$rc" != 0 ] && printf '%s' "$err" | grep -q 'does not exist'
	ok $? "lava-run --validate of a job whose kernel cannot be read: rejected (rc $rc: $err)"
	edit $JOB "$TMP/job-noprompt.yaml" 'del d["actions"][1]["boot"]["prompts"]'
	run_validate noprompt "$TMP/job-noprompt.yaml"
	[ "$rc" != 0 ] && printf '%s' "$err" | grep -q 'prompts'
	ok $? "lava-run --validate of a qemu boot without prompts: rejected (rc $rc: $err)"
fi
done_testing
