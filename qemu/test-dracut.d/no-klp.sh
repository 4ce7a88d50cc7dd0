# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # names shared with world.sh and the runner
#
# case: the same shell initrd without the module: size and boot time difference

case_no_klp() {
	image no-klp - -f shell -- --omit klp || return 0
	expect_no_log "$work/no-klp/dracut.log" 'Including module: klp ' "image no-klp: module klp not included"
	boot no-klp "$img"
	expect_no_log "$log" "${K}klp-early" "no klp-early line in the kernel log"
	check_nothing_loaded "$log"
	facts no-klp "$log" "$img"
	base_real=$t_real
	base_user=$t_user
	if [ -z "$shim_real" ]; then
		echo "   (shell-shim not booted in this run: booting it for the comparison)"
		image shell-shim klp_demo_v1 -f shell -p "$v1" || return 0
		boot shell-shim "$img"
		facts shell-shim "$log" "$img"
		shim_real=$t_real
		shim_user=$t_user
	fi
	s1=$(stat -c %s "$work/shell-shim/initrd.img")
	s0=$(stat -c %s "$work/no-klp/initrd.img")
	{
		printf 'shell initrd with klp (shim, v1) vs without the module:\n'
		printf '  size   %s B - %s B = %+d B (%s KiB)\n' "$s1" "$s0" "$((s1 - s0))" \
			"$(awk -v d="$((s1 - s0))" 'BEGIN { printf "%+.0f", d / 1024 }')"
		printf '  boot   real init at %s s - %s s = %+.3f s (kernel time, one boot each)\n' \
			"$shim_real" "$base_real" "$(sub "$shim_real" "$base_real")"
		printf '  boot   Run /init to real init %s s - %s s = %+.3f s (userspace part only)\n' \
			"$shim_user" "$base_user" "$(sub "$shim_user" "$base_user")"
	} >>"$numbers.diff"
}
