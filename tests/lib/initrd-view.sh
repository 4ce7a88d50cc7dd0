# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh
#
# initrd-view.sh: what an initrd holds, read without klp (an independent
# reader for the tests): dracut's lsinitrd for the generator's image, and for
# an image that ends with a klp archive (klp regenerate's patch-only update),
# that archive, found from the footer in its last 336 bytes and read with cpio.
# Needs bounded (tests/lib/harness.sh) from the sourcing script.

# archive_part FILE: the appended klp archive's bytes on stdout; false without a footer
archive_part() {
	_f=$(bounded tail -c 336 "$1" | bounded tr -c 'a-z0-9= \n-' '.' | bounded grep -o 'klp-archive 1 base=[0-9]* size=[0-9]*' || :)
	[ -n "$_f" ] || return 1
	_b=$(printf '%s\n' "$_f" | bounded sed 's/.*base=0*\([0-9][0-9]*\) .*/\1/')
	bounded tail -c +$(((_b + 3) / 4 * 4 + 1)) "$1"
}

# image_file FILE PATH: the content of PATH in the image as the kernel leaves it
# (the klp archive's file when it has one, else lsinitrd's); empty when absent
image_file() {
	_d=$(bounded mktemp -d)
	if archive_part "$1" >"$_d/a" && (cd "$_d" && bounded cpio -id --quiet "$2" <a 2>/dev/null) && [ -f "$_d/$2" ]; then
		bounded cat "$_d/$2"
	else
		bounded lsinitrd -f "$2" "$1" 2>/dev/null || :
	fi
	bounded rm -rf "$_d"
}
