#!/bin/sh
# embed.sh IN OUT NAME: write IN's bytes as a C array NAME (and NAME_len)
# to OUT, so the dashboard ships inside the binary with no build tools
# beyond od and sed.
set -eu
in=$1 out=$2 name=$3
{
	echo "/* generated from $in by scripts/embed.sh; do not edit */"
	echo "static const unsigned char ${name}[] = {"
	od -An -v -tx1 "$in" | sed -e 's/ *$//' -e 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
	echo "	0x00 };"
	echo "static const unsigned ${name}_len = sizeof(${name}) - 1;"
} >"$out.tmp"
mv "$out.tmp" "$out"
