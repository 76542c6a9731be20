#!/bin/sh
# tools/doxy-filter.sh FILE - what Doxygen reads of a header (docs/Doxyfile,
# `make docs`): the project writes plain /* */ comments, so the one that
# opens the file becomes its @file description and every other comment
# that starts a line becomes the description of what follows it.
# Comments after code on the same line are left alone.
exec sed -e '1s,^/\*\([^*]\|$\),/** @file\1,' \
	-e '2,$s,^\([[:space:]]*\)/\*\([^*]\|$\),\1/**\2,' "$1"
