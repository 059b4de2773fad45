#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gvtctl's bash and zsh completion, driven as the shells drive them, against
# gvtd on a private bus over a scratch tree: every command of 'gvtctl --help',
# each command's options against its synopsis, parents, type names (types,
# create, plan's COUNTxTYPE) and UUIDs. Expected values come from --help and
# from the scratch tree, not from the scripts.
# usage: test-completion.sh GVTD GVTCTL FAKE_SYSFS BASH_COMPLETION ZSH_COMPLETION
set -eu
gvtd=$1 gvtctl=$2 fake=$3 bash_script=$4 zsh_script=$5
framework=/usr/share/bash-completion/bash_completion
. "$(dirname "$0")/private-gvtd.sh"

p1=0000:00:02.0 p2=0000:00:03.0
"$fake" "$root" $p1 gvt_base >/dev/null
"$fake" "$root" $p2 i915 >/dev/null
u_run=0b9e3a49-83a8-4c4e-9b1b-2f3c7ad2a5e1
u_def=3e216d7c-b6db-4f71-8e4e-5c6fa0a5d814
fake_vgpu "$root" $p1 gvt_base-GVTg_V5_4 $u_run
mkdir -p "$root/etc/mdevctl.d/$p2"
echo '{"mdev_type": "i915-GVTg_V5_8", "start": "manual", "attrs": []}' >"$root/etc/mdevctl.d/$p2/$u_def"
start_private_gvtd "$gvtd" "$root"

# gvtctl as a user runs it: by name, from PATH
mkdir -p "$tmp/bin" "$tmp/zfunc"
ln -s "$(realpath "$gvtctl")" "$tmp/bin/gvtctl"
cp "$zsh_script" "$tmp/zfunc/_gvtctl"
export PATH="$tmp/bin:$PATH"

rc=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; rc=1; }

# comp_bash LINE: the words bash would offer at the end of LINE, whole (the
# reply put after what readline keeps of the word), sorted. COMP_WORDS is
# split as readline splits it: at blanks, and at '=' and ':' (COMP_WORDBREAKS).
comp_bash() {
	bash --norc --noprofile -c '
		. "$1"
		. "$2"
		line=$3
		read -ra sw <<<"$line"
		[[ $line == *" " || ${#sw[@]} = 0 ]] && sw+=("")
		COMP_WORDS=()
		for w in "${sw[@]}"; do
			[ -z "$w" ] && COMP_WORDS+=("")
			while [ -n "$w" ]; do
				[[ $w =~ ^[=:]+ ]] || [[ $w =~ ^[^=:]+ ]]
				COMP_WORDS+=("${BASH_REMATCH[0]}")
				w=${w#"${BASH_REMATCH[0]}"}
			done
		done
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		cw=${COMP_WORDS[COMP_CWORD]}
		_gvtctl gvtctl "$cw" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
		last=${sw[-1]}
		[[ $cw =~ ^[=:]+$ ]] && base=$last || base=${last%"$cw"}
		for r in "${COMPREPLY[@]}"; do printf "%s\n" "$base$r"; done | sort -u
	' bash "$framework" "$bash_script" "$1"
}

# comp_zsh LINE: the words _gvtctl hands compadd at the end of LINE, those
# compadd would keep (starting with the word typed), sorted.
comp_zsh() {
	zsh -f -c '
		fpath=($1 $fpath)
		autoload -Uz _gvtctl
		compadd() {
			while [[ $1 == -* && $1 != -- ]]; do
				[[ $1 == -S ]] && shift
				shift
			done
			[[ $1 == -- ]] && shift
			local w
			for w in "$@"; do [[ $w == "$PREFIX"* ]] && print -r -- $w; done
		}
		line=$2
		words=(${(z)line})
		[[ $line == *" " || $#words == 0 ]] && words+=("")
		CURRENT=$#words
		PREFIX=$words[CURRENT]
		_gvtctl
	' zsh "$tmp/zfunc" "$1" | sort -u
}

# zle LINE: LINE after zsh's own completion system (compinit, the installed
# _gvtctl on fpath) completed it with one Tab, in an interactive zsh on a pty.
cat >"$tmp/zle.zsh" <<'EOF'
zmodload zsh/zpty
zpty z 'zsh -f -i'
# Ctrl-X writes the line being edited to $3 (its trailing blank too).
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D
got() { print -r -- \"\$BUFFER|\" >$3; BUFFER=; zle accept-line; }; zle -N got; bindkey '^X' got; echo REA''DY"
# READY as the shell prints it, not as the terminal echoes the line: what
# is typed before compinit ran could be lost
zpty -r z out '*READY*'
zpty -w -n z "$2"$'\t'
sleep 0.5
zpty -w -n z $'\C-x'
for _ in {1..100}; do [[ -s $3 ]] && break; sleep 0.1; done
zpty -d z
cat $3
EOF
zle() { rm -f "$tmp/got"; timeout 20 zsh -f "$tmp/zle.zsh" "$tmp/zfunc" "$1" "$tmp/got" | sed 's/|$//'; }

# expect LINE WORDS...: both shells offer exactly WORDS at the end of LINE.
expect() {
	local line=$1 sh got want
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort -u)
	for sh in bash zsh; do
		got=$(comp_$sh "$line")
		if [ "$got" = "$want" ]; then
			ok "$sh: '$line'"
		else
			fail "$sh: '$line': got [$(echo $got)], want [$(echo $want)]"
		fi
	done
}

# The commands, from gvtctl --help; each one's options, from its synopsis.
commands=$(gvtctl --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(echo "$commands" | wc -l)" -ge 16 ] && ok "gvtctl --help lists $(echo $commands | wc -w) commands" ||
	fail "gvtctl --help lists commands: '$commands'"
expect "gvtctl " $commands
expect "gvtctl --" --json --output= --noheadings --bus-address= --help --version
expect "gvtctl --json st" $(printf '%s\n' $commands | grep '^st')
for c in $commands; do
	opts=$(gvtctl "$c" --help | head -n1 | grep -o -- '--[a-z][a-z-]*=\{0,1\}')
	case $c in
	modify) at="modify $u_def --" ;;
	quota)
		# the table options are quota show's, the limits quota set's
		expect "gvtctl --bus-address=$address quota show --" --output= --noheadings --json --help
		opts=$(echo "$opts" | grep -v -e --output -e --noheadings)
		at="quota set root --"
		;;
	token)
		# the same for token list; add and revoke take none
		expect "gvtctl --bus-address=$address token list --" --output= --noheadings --json --help
		opts=$(echo "$opts" | grep -v -e --output -e --noheadings)
		at="token add --"
		;;
	*) at="$c --" ;;
	esac
	expect "gvtctl --bus-address=$address $at" $opts --json --help
done

# Parents and types, as the scratch tree has them (a word holding ':' too).
types_of() { (cd "$root/sys/devices/pci0000:00/$1/mdev_supported_types" && ls); }
names_of() { cat "$root/sys/devices/pci0000:00/$1"/mdev_supported_types/*/name; }
ctl="gvtctl --bus-address=$address"
expect "$ctl types --parent " $p1 $p2
expect "$ctl types --parent 0000:00:0" $p1 $p2
expect "$ctl types --parent 0000:00:03" $p2
expect "gvtctl --bus-address $address create --parent " $p1 $p2
expect "$ctl create --type " $(types_of $p1) $(types_of $p2)
expect "$ctl create --parent $p2 --type " $(types_of $p2)
expect "$ctl define -p $p1 --type gvt" $(types_of $p1)
expect "$ctl plan " $(for t in $(names_of $p1) $(names_of $p2) $(types_of $p1) $(types_of $p2); do echo "1x$t"; done)
expect "$ctl plan 3xGVTg_V5_" $(for t in $(names_of $p1); do echo "3x$t"; done)
expect "$ctl plan --parent $p2 12x" $(for t in $(names_of $p2) $(types_of $p2); do echo "12x$t"; done)
expect "$ctl plan 2xGVTg_V5_4 1xi915" $(for t in $(types_of $p2); do echo "1x$t"; done)

# UUIDs: of running vGPUs, of definitions, of both for hostdev.
expect "$ctl remove " $u_run
expect "$ctl hostdev " $u_run $u_def
expect "$ctl hostdev --qemu " $u_run $u_def
for c in undefine start stop modify; do
	expect "$ctl $c " $u_def
done
expect "$ctl remove $u_run " ""
expect "$ctl modules " load unload
expect "$ctl quota " show set
expect "$ctl token " add list revoke
expect "$ctl token add nova " reader user admin
# as root, revoke's ids are asked of gvtd
id=$(GVTCTL_FORCE_BUS=1 $ctl --json token add nova user | sed -n 's/^ *"id": "\([0-9a-f]*\)",*$/\1/p')
[ ${#id} = 12 ] && ok "a token to revoke: $id" || fail "token add for completion: id '$id'"
expect "$ctl token revoke " $id
expect "$ctl modify $u_def --type " $(types_of $p1) $(types_of $p2)

# zsh's completion system itself: the function loads from fpath under
# compinit and what it adds is inserted.
expect_zle() {
	local got
	got=$(zle "$1")
	[ "$got" = "$2" ] && ok "zle: '$1' -> '$2'" || fail "zle: '$1': got '$got', want '$2'"
}
expect_zle "gvtctl mon" "gvtctl monitor "
expect_zle "gvtctl --bus-a" "gvtctl --bus-address="
expect_zle "$ctl types --parent 0000:00:03" "$ctl types --parent $p2 "
expect_zle "$ctl remove " "$ctl remove $u_run "
expect_zle "$ctl hostdev 3e" "$ctl hostdev $u_def "
expect_zle "$ctl modify $u_def --cl" "$ctl modify $u_def --clear-attrs "
expect_zle "$ctl plan --parent $p2 2xGVTg_V5_8" "$ctl plan --parent $p2 2xGVTg_V5_8 "

exit $rc
