#!/bin/bash
# bisect-releases.sh: which Debian kernel release changed a metric, without a
# kernel git tree. Binary search over an ordered list of packaged images (the
# output of `scripts/fetch-kernels.sh --list`), one `ptbench gate --bisect`
# per step, so N releases take about log2(N) gates. Only the images a step
# needs are fetched: the good release's (the base of every gate) and the
# middle ones tried; the bad release's never is.
set -u

usage() {
	cat <<USAGE
usage: $0 -l LIST -g GOOD -b BAD -m ROLE.OP.METRIC [-k DIR] [-o DIR] [-f CMD]
          [-- GATE-OPTIONS] SCENARIO... [RUN-ARGS]

  -l LIST    the images in release order, oldest first, one a line:
             KERNEL-RELEASE PACKAGE SUITE PACKAGE-VERSION   (whitespace
             separated; blank lines and # comments are skipped), as
             \`scripts/fetch-kernels.sh --list\` prints them; - reads stdin
  -g GOOD    the KERNEL-RELEASE (first column) known good: the base of
             every gate
  -b BAD     the KERNEL-RELEASE known bad; later in LIST than GOOD
  -m METRIC  the gated metric (ptbench gate --gate-metrics), e.g.
             faulter.fault.p99; under TCG a latency metric is judged by the
             gross rule (--gross-factor, default 2x, every boot apart: 4
             rounds or more), or by the fine rule with --gate-on all
  -k DIR     where the images are, as vmlinuz-KERNEL-RELEASE
             (default: build/kernels)
  -o DIR     the gates' output, DIR/NN-RELEASE per step, and DIR/bisect.log
             (default: results/bisect)
  -f CMD     how a missing image is fetched: CMD KERNEL-RELEASE PACKAGE SUITE
             PACKAGE-VERSION KDIR must leave KDIR/vmlinuz-KERNEL-RELEASE
             (default: scripts/fetch-kernels.sh PACKAGE, which fills
             build/kernels, the default -k)
  -- GATE-OPTIONS SCENARIO... [RUN-ARGS]
             the rest of every \`ptbench gate\` command line: its options
             (--rounds, --cpus, --accel, ...), the scenarios, run arguments
             (the -- is needed before options, as in any getopts script)

Each step gates the middle untried release against GOOD's image
(\`ptbench gate --bisect --gate-metrics METRIC --base GOOD --cand MID\`):
pass narrows the range above MID, regression below it, and an undecided,
skipped or failed gate (or an image that cannot be fetched) skips MID and
tries its neighbour, as \`git bisect skip\` does. GOOD and BAD are trusted,
not gated.

Environment: PTBENCH (default: ./ptbench where it exists, else ptbench).
Exit: 0 the first bad release found (printed: "first bad: RELEASE"), 2 bad
input, 3 skipped releases leave more than one candidate (the range is
printed), 5 a gate refused its input (exit 128) or could not start.
USAGE
}

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${PTBENCH:-}" ]; then
	if [ -x ./ptbench ]; then PTBENCH=./ptbench; else PTBENCH=ptbench; fi
fi
list='' good='' bad='' metric='' kdir=$top/build/kernels out=results/bisect fetch=''
die() { echo "bisect-releases: $*" >&2; exit 2; }
while getopts "l:g:b:m:k:o:f:h" opt; do
	case $opt in
	l) list=$OPTARG ;;
	g) good=$OPTARG ;;
	b) bad=$OPTARG ;;
	m) metric=$OPTARG ;;
	k) kdir=$OPTARG ;;
	o) out=$OPTARG ;;
	f) fetch=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ -n "$list" ] || { usage >&2; die "no -l LIST"; }
[ -n "$good" ] || die "no -g GOOD release"
[ -n "$bad" ] || die "no -b BAD release"
[ -n "$metric" ] || die "no -m METRIC (ROLE.OP.METRIC, e.g. faulter.fault.p99)"
[ $# -gt 0 ] || die "no scenario"
case $metric in
*.*.*) ;;
*) die "-m $metric: want ROLE.OP.METRIC" ;;
esac

# --- the list -----------------------------------------------------------------
rel=() pkg=() suite=() ver=()
if [ "$list" = - ]; then
	exec 3<&0
else
	if [ ! -r "$list" ] || [ -d "$list" ]; then die "-l $list: cannot read it"; fi
	exec 3<"$list"
fi
ln=0
while IFS= read -r line <&3 || [ -n "$line" ]; do
	ln=$((ln + 1))
	line=${line%%#*}
	read -r -a f <<<"$line"
	[ ${#f[@]} -eq 0 ] && continue
	[ ${#f[@]} -eq 4 ] || die "$list:$ln: want KERNEL-RELEASE PACKAGE SUITE VERSION, got ${#f[@]} fields"
	case ${f[0]} in
	*/* | .* | *[!A-Za-z0-9.+_~-]*) die "$list:$ln: '${f[0]}' is not a kernel release name" ;;
	esac
	for r in "${rel[@]+"${rel[@]}"}"; do
		[ "$r" != "${f[0]}" ] || die "$list:$ln: ${f[0]} is listed twice"
	done
	rel+=("${f[0]}") pkg+=("${f[1]}") suite+=("${f[2]}") ver+=("${f[3]}")
done
exec 3<&-
n=${#rel[@]}
[ "$n" -gt 0 ] || die "$list: no images listed"
idx() { for i in "${!rel[@]}"; do [ "${rel[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }
g=$(idx "$good")
b=$(idx "$bad")
[ "$g" -ge 0 ] || die "-g $good: not in $list"
[ "$b" -ge 0 ] || die "-b $bad: not in $list"
[ "$g" -lt "$b" ] || die "-g $good must come before -b $bad in $list (oldest first)"
# the gate options, scenarios and run arguments, handed to every gate as
# they are (a gate that refuses them stops at the first step, exit 5)
scen_args=("$@")
mkdir -p "$out" || die "-o $out: cannot create it"
logf=$out/bisect.log
: >"$logf" || die "$logf: cannot write it"
log() { echo "$*"; echo "$*" >>"$logf"; }

# --- images ---------------------------------------------------------------------
image_of() { # image_of INDEX: img= the image's path, fetched when missing; 1 when it cannot be had
	local i=$1
	img=$kdir/vmlinuz-${rel[$1]}
	if [ ! -r "$img" ]; then
		log "fetch ${rel[$i]} (${pkg[$i]} ${ver[$i]} from ${suite[$i]})"
		if [ -n "$fetch" ]; then
			# shellcheck disable=SC2086
			$fetch "${rel[$i]}" "${pkg[$i]}" "${suite[$i]}" "${ver[$i]}" "$kdir" >>"$logf" 2>&1
		else
			"$top/scripts/fetch-kernels.sh" "${pkg[$i]}" >>"$logf" 2>&1
		fi
		[ -r "$img" ] || { log "cannot fetch ${rel[$i]}: no $img afterwards"; return 1; }
	fi
	return 0
}

image_of "$g" || { echo "bisect-releases: the good release's image is needed as every gate's base" >&2; exit 5; }
base=$img
g0=$g # every gate's base is GOOD's image, whichever release is last good now
log "bisecting $n releases for $metric: good ${rel[$g]}, bad ${rel[$b]}, $((b - g - 1)) between"

# --- the search -----------------------------------------------------------------
skipped=()
is_skipped() { for s in "${skipped[@]+"${skipped[@]}"}"; do [ "$s" = "$1" ] && return 0; done; return 1; }
# the untried release nearest the middle of (g, b), or -1
pick() {
	local mid=$(((g + b) / 2)) d i
	for ((d = 0; d < b - g; d++)); do
		for i in $((mid - d)) $((mid + d + 1)); do
			if [ "$i" -gt "$g" ] && [ "$i" -lt "$b" ] && ! is_skipped "$i"; then
				echo "$i"
				return
			fi
		done
	done
	echo -1
}
step=0
while :; do
	m=$(pick)
	[ "$m" -ge 0 ] || break
	step=$((step + 1))
	dir=$(printf '%s/%02d-%s' "$out" "$step" "${rel[$m]}")
	if ! image_of "$m"; then
		log "step $step: ${rel[$m]}: skip (no image)"
		skipped+=("$m")
		continue
	fi
	log "step $step: gate ${rel[$g0]} -> ${rel[$m]} ($((b - g - 1)) left between ${rel[$g]} and ${rel[$b]})"
	"$PTBENCH" gate --bisect --gate-metrics "$metric" -o "$dir" \
		--base "$base:${rel[$g0]}" --cand "$img:${rel[$m]}" "${scen_args[@]}" >"$dir.out" 2>&1
	rc=$?
	case $rc in
	0) log "step $step: ${rel[$m]} good"; g=$m ;;
	1) log "step $step: ${rel[$m]} bad"; b=$m ;;
	125) log "step $step: ${rel[$m]} skip (undecided, skipped or failed: $dir.out)"; skipped+=("$m") ;;
	*)
		log "step $step: ptbench gate exited $rc: stopping ($dir.out says why)"
		sed 's/^/  /' "$dir.out" >&2
		exit 5
		;;
	esac
done
# the first bad is b unless releases skipped between g and b hide it
between=()
for ((i = g + 1; i < b; i++)); do between+=("${rel[$i]}"); done
if [ ${#between[@]} -eq 0 ]; then
	log "first bad: ${rel[$b]} (last good: ${rel[$g]}; $step gates)"
	exit 0
fi
log "undecided: the first bad is one of ${between[*]} ${rel[$b]} (skipped releases between last good ${rel[$g]} and ${rel[$b]}; $step gates)"
exit 3
