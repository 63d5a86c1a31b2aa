#!/bin/sh
# The man pages (man/) against the programs, so that neither drifts:
# - every long option a program's --help prints (and, for a program with
#   subcommands, each subcommand's --help: 'PROGRAM SUB --help') appears
#   in the program's page, man/PROGRAM.[1-8];
# - every page in man/ renders with groff without a single warning.
#
# Usage: man_pages_test.sh PROGRAM... MAN_DIR
# Exit: 0 pass, 1 fail, 77 skipped (options all documented, but groff is
# missing, so the rendering could not be checked).
set -u

die() {
	echo "man_pages_test: $*" >&2
	exit 1
}

[ $# -ge 2 ] || die "usage: man_pages_test.sh PROGRAM... MAN_DIR"
for a; do man_dir=$a; done
[ -d "$man_dir" ] || die "$man_dir: not a directory"

# The page as plain text for grep: troff's \- (and \(hy) as '-', font
# changes and zero-width escapes removed.
page_text() {
	sed -e 's/\\-/-/g' -e 's/\\(hy/-/g' -e 's/\\f[BIRP]//g' \
	    -e 's/\\f(CW//g' -e 's/\\&//g' -e 's/\\%//g' -e 's/\\c$//' "$1"
}

# Everything PROGRAM --help prints, and what 'PROGRAM SUB --help' prints
# for each SUB listed under a "subcommands:" line.
all_help() {
	prog=$1
	help=$("$prog" --help 2>&1) || die "'$prog --help' exits $?"
	printf '%s\n' "$help"
	subs=$(printf '%s\n' "$help" |
	       sed -n '/^subcommands:/,$ s/^  \([a-z][a-z0-9-]*\)  .*/\1/p')
	for sub in $subs; do
		"$prog" "$sub" --help 2>&1 ||
			die "'$prog $sub --help' exits $?"
	done
}

failed=0
checked=0
n=$#
i=0
for prog; do
	i=$((i + 1))
	[ "$i" -lt "$n" ] || break
	[ -x "$prog" ] || die "$prog: not an executable"
	name=${prog##*/}
	page=
	for p in "$man_dir/$name".[1-8]; do
		[ -f "$p" ] && page=$p
	done
	if [ -z "$page" ]; then
		echo "FAIL $name: no man page $man_dir/$name.[1-8]" >&2
		failed=1
		continue
	fi
	help=$(all_help "$prog") || exit 1
	opts=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
	[ -n "$opts" ] || die "'$prog --help' prints no long option"
	text=$(page_text "$page")
	missing=
	for opt in $opts; do
		printf '%s\n' "$text" | grep -qE -- "$opt([^a-z0-9-]|\$)" ||
			missing="$missing $opt"
	done
	if [ -n "$missing" ]; then
		echo "FAIL $name: in --help, not in $page:$missing" >&2
		failed=1
	else
		echo "ok   $name: $(echo $opts | wc -w) options of --help in $page"
	fi
	checked=$((checked + 1))
done

if ! command -v groff >/dev/null 2>&1; then
	[ "$failed" = 0 ] || exit 1
	echo "SKIP rendering: groff is missing (apt-get install groff-base)"
	exit 77
fi
for page in "$man_dir"/*.[1-8]; do
	[ -f "$page" ] || continue
	warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ $? -ne 0 ] || [ -n "$warnings" ]; then
		echo "FAIL $page: groff -ww:" >&2
		printf '%s\n' "$warnings" >&2
		failed=1
	else
		echo "ok   $page renders without warnings"
	fi
done
[ "$failed" = 0 ] || exit 1
echo "man pages: $checked programs checked"
