#!/usr/bin/env bash
# Lints sockkit's manual pages.
#
#   manpages_test.sh SOURCE_ROOT
#
# Every man/*.1 and man/*.7 must pass "groff -man -ww -z" with no output and
# status 0, and render with man -l when man is installed; every tools/TOOL/ must
# have man/TOOL.1; a section 1 page must have the sections NAME, SYNOPSIS,
# DESCRIPTION, EXIT STATUS, EXAMPLES and SEE ALSO, and sockkit.7 the sections
# NAME, DESCRIPTION and SEE ALSO. No rendered page may show a command name glued
# to the word after it ("sk-explainclose-wait", from a .BR that alternates fonts
# between two words). Exit status 0 when every check passes, 1 otherwise; every
# check is reported on stdout.
set -euo pipefail

if (($# != 1)); then
    echo "usage: $0 SOURCE_ROOT" >&2
    exit 2
fi
src_root=$1
man_dir=$src_root/man

source "$(dirname "$0")/lib.sh"

if ! command -v groff >/dev/null 2>&1; then
    echo "FAIL: groff is not installed (Debian package groff-base); cannot lint the man pages"
    exit 1
fi

has_section() { # FILE NAME
    # .SH NAME, .SH "EXIT STATUS" and .SH EXIT STATUS are all the same section.
    grep -Eq "^\.SH[[:space:]]+\"?$2\"?[[:space:]]*$" "$1"
}

# The commands the pages name. A name glued to a following letter or digit is a
# join, except for the real words below that merely start with a short name.
glue_names='sk-states|sk-probe|sk-ping|sk-echo|sk-explain|sockkit|ss|nc|ncat|nmap|socat'
glue_names+='|netstat|nstat|tcpdump|hping3|nping|iperf3|lsof|sysctl'
glue_words=' ssh sshd ssl ncat nstat sysctls '

# find_joins FILE: prints each glued word of the rendered page FILE, "LINE: WORD".
find_joins() {
    local line word
    { grep -noE "(^|[^[:alnum:]_.-])($glue_names)[[:alnum:]][[:alnum:]-]*" "$1" || true; } |
        while IFS=: read -r line word; do
            word=${word#[^[:alnum:]]}
            [[ $glue_words == *" $word "* ]] || echo "$line: $word"
        done
}

shopt -s nullglob
pages=("$man_dir"/*.1 "$man_dir"/*.7)
if ((${#pages[@]} == 0)); then
    echo "FAIL: no man pages (*.1, *.7) in $man_dir"
    exit 1
fi

for page in "${pages[@]}"; do
    name=$(basename "$page")

    rc=0
    out=$(timeout 30 groff -man -ww -z "$page" 2>&1) || rc=$?
    if ((rc != 0)); then
        fail "$name: groff -man -ww -z exited with status $rc: $out"
    elif [[ -n $out ]]; then
        fail "$name: groff -man -ww -z warns:"
        echo "    ${out//$'\n'/$'\n'    }"
    else
        pass "$name: groff -man -ww -z is silent"
    fi

    # .TH must name the page and its section: ".TH SK-EXPLAIN 1 ..."
    base=${name%.*}
    section=${name##*.}
    if grep -Eiq "^\.TH[[:space:]]+\"?${base}\"?[[:space:]]+\"?${section}\"?([[:space:]]|$)" "$page"; then
        pass "$name: .TH names ${base^^}($section)"
    else
        fail "$name: no \".TH ${base^^} $section\" line"
    fi

    if [[ $section == 7 ]]; then
        required=(NAME DESCRIPTION "SEE ALSO")
    else
        required=(NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO")
    fi
    for sec in "${required[@]}"; do
        if has_section "$page" "$sec"; then
            pass "$name: has section $sec"
        else
            fail "$name: section $sec is missing"
        fi
    done

    if command -v man >/dev/null 2>&1; then
        rc=0
        rendered=$(MANWIDTH=80 MANPAGER=cat PAGER=cat timeout 30 man -l "$page" 2>&1) || rc=$?
        if ((rc != 0)); then
            fail "$name: man -l exited with status $rc: $rendered"
        elif ! grep -q '^NAME' <<<"$rendered"; then
            fail "$name: man -l output has no NAME heading"
        else
            pass "$name: man -l renders $(wc -l <<<"$rendered") lines"
        fi
        # Plain ASCII and wide lines, so that neither hyphens nor wrapping hide a join;
        # man leaves out bold and underline when its output is not a terminal.
        LC_ALL=C MANWIDTH=200 MANPAGER=cat PAGER=cat timeout 30 man -l "$page" \
            >"$work/rendered" 2>/dev/null || true
        joins=$(find_joins "$work/rendered")
        if [[ -n $joins ]]; then
            fail "$name: a command name is glued to the next word (rendered line: word):"
            echo "    ${joins//$'\n'/$'\n'    }"
        else
            pass "$name: no command name is glued to the next word"
        fi
    fi
done

tools=("$src_root"/tools/*/)
for dir in "${tools[@]}"; do
    tool=$(basename "$dir")
    if [[ -f $man_dir/$tool.1 ]]; then
        pass "$tool: has man/$tool.1"
    else
        fail "$tool: man page man/$tool.1 is missing"
    fi
done

if [[ -f $man_dir/sockkit.7 ]]; then
    pass "sockkit.7 exists"
else
    fail "man page man/sockkit.7 is missing"
fi

if ((failures > 0)); then
    echo "manpages: $failures of $checks checks failed"
    exit 1
fi
echo "manpages: all $checks checks passed"
