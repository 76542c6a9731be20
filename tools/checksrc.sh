#!/bin/bash
# tools/checksrc.sh - the banned-functions check (curl's checksrc idea,
# docs STYLE "Banned").
#
# Usage: tools/checksrc.sh [file...]   (default: every .c/.h of the tree
# outside build directories).  Prints one "file:line: banned name(" line
# per call of strcpy, strcat, sprintf, vsprintf, gets, atoi, strtok or
# alloca and exits 1 when there is any, 0 otherwise.
#
# Comments and string/character literals are blanked first (keeping the
# line numbers), so a comment that says "gets its own line" or a log
# message that names a function is not a call.  Only a name followed by
# "(" counts: snprintf, strtok_r, fgets or strtol are other names and
# pass.  Run by tests/e2e/checksrc.sh (so tests/run.sh and CI fail on a
# banned call) and by `make checksrc`.

set -u
cd "$(dirname "$0")/.." || exit 2

if [ $# -eq 0 ]; then
	set -- $(find . -path './build*' -prune -o -path './.git' -prune \
		-o -path './m4' -prune \
		-o \( -name '*.c' -o -name '*.h' \) -type f -print | sort)
fi

perl -e '
	my $bad = 0;
	my $re = qr/\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|strtok|alloca)\s*\(/;
	for my $f (@ARGV) {
		open(my $fh, "<", $f) or do { print STDERR "$f: $!\n"; $bad = 1; next };
		local $/; my $s = <$fh>; close $fh;
		# blank comments and literals, keeping newlines
		$s =~ s{(/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\x27(?:\\.|[^\x27\\\n])*\x27)}
		       { my $m = $1; $m =~ s/[^\n]/ /g; $m }gse;
		my $n = 0;
		for my $l (split /\n/, $s, -1) {
			$n++;
			while ($l =~ /$re/g) {
				print "$f:$n: banned $1(\n";
				$bad = 1;
			}
		}
	}
	exit $bad;
' "$@"
rc=$?
[ $rc -eq 0 ] || echo "checksrc: the calls above are banned (docs/STYLE: use snprintf, strtol/strtoul with bounds, strtok_r, memcpy with an explicit length)"
exit $rc
