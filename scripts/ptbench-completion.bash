# bash completion for ptbench (make install puts it in
# PREFIX/share/bash-completion/completions/ptbench; or `. this-file`).
# Everything is asked of ptbench itself, so it never goes stale: commands
# from `ptbench help`, a command's options from `ptbench COMMAND --help`,
# scenario names and worker types from `ptbench list`.

_ptbench_list() { # _ptbench_list scenarios|workers
	"${COMP_WORDS[0]}" list 2>/dev/null | awk -v want="$1" '
		/^scenarios / { sec = "scenarios"; next }
		/^workers / { sec = "workers"; next }
		/^[a-z]/ { sec = "" }
		sec == want && /^  [A-Za-z0-9]/ { print $1 }'
}

_ptbench() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd=${COMP_WORDS[1]} words
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		words=$("${COMP_WORDS[0]}" help 2>/dev/null | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }')
		mapfile -t COMPREPLY < <(compgen -W "$words --version --help" -- "$cur")
		return
	fi
	case $cur in
	*.type=*)
		# --set ROLE.type=TYPE: a worker type
		mapfile -t COMPREPLY < <(compgen -P "${cur%%=*}=" -W "$(_ptbench_list workers)" -- "${cur#*=}")
		return
		;;
	-*)
		words=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null |
			grep -oE -- '(^|[][ (,|])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[][ (,|]//' | sort -u)
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		return
		;;
	esac
	case $prev in
	-o | --output | --base-results | --cand-results | --base | --cand | --kernel | --initramfs | --check-config)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	esac
	case $cmd in
	help)
		[ "$COMP_CWORD" -eq 2 ] || return
		words=$("${COMP_WORDS[0]}" help 2>/dev/null | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }')
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		;;
	run | gate | vm)
		words="$(_ptbench_list scenarios)"
		[ "$cmd" = run ] && [ "$COMP_CWORD" -eq 2 ] && words="all $words"
		[ "$cmd" = vm ] && words="run $words"
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
		;;
	esac
}
complete -o default -F _ptbench ptbench
