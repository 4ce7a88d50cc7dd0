# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for klp(8)
_klp_kernels()
{
	local d
	for d in /lib/modules/*/; do
		d=${d%/}
		[ -d "$d" ] && printf '%s\n' "${d##*/}"
	done
}

_klp()
{
	local cur prev words cword cmd i
	_init_completion || return

	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*)
			cmd=${words[i]}
			break
			;;
		esac
	done

	case $prev in
	--kver)
		mapfile -t COMPREPLY < <(compgen -W "$(_klp_kernels)" -- "$cur")
		return
		;;
	--root | --boot | --moddir)
		_filedir -d
		return
		;;
	--prometheus | --conf | --dracut | --file | --skip-if-same)
		_filedir
		return
		;;
	--field)
		mapfile -t COMPREPLY < <(compgen -W "name file srcversion vermagic kernel" -- "$cur")
		return
		;;
	--guard)
		mapfile -t COMPREPLY < <(compgen -W "auto yes no" -- "$cur")
		return
		;;
	--generator)
		mapfile -t COMPREPLY < <(compgen -W "dracut initramfs-tools" -- "$cur")
		return
		;;
	--timeout | --lock-timeout | --dracut-timeout | --dracut-arg)
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "-v --verbose --json --help --version
			status patches blocking load initrd regenerate installed payload help" -- "$cur")
		return
	fi
	case $cmd in
	status | patches) mapfile -t COMPREPLY < <(compgen -W "-v --verbose --json --help" -- "$cur") ;;
	blocking) mapfile -t COMPREPLY < <(compgen -W "--json --help" -- "$cur") ;;
	load)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--timeout -q --quiet -v --verbose --help" -- "$cur")
		else
			_filedir 'ko?(.xz|.zst|.gz)'
		fi
		;;
	initrd)
		mapfile -t COMPREPLY < <(compgen -W "--kver --all --root --boot -v --verbose --json
			--prometheus --help" -- "$cur")
		;;
	regenerate)
		mapfile -t COMPREPLY < <(compgen -W "--kver --all --if-needed --full --generator --dracut --dracut-arg --root
			--boot --no-boot-check --lock-timeout --dracut-timeout -q --quiet --help" -- "$cur")
		;;
	installed)
		mapfile -t COMPREPLY < <(compgen -W "--kver --root --moddir --conf --field --quiet --help" -- "$cur")
		;;
	payload)
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--kver --root --moddir --conf --file --skip-if-same
				--guard --quiet --help" -- "$cur")
		else
			_filedir -d
		fi
		;;
	esac
} && complete -F _klp klp
