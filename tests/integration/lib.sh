# Shared helpers for the integration tests: plain checks that say what they checked,
# in the manner of OpenBSD's netcat regress suite. Source it; call finish at the end.
checks=0
failures=0
work=$(mktemp -d "${TMPDIR:-/tmp}/sockkit-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

pass() { checks=$((checks + 1)); echo "ok: $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }

# expect_status WANT DESCRIPTION -- COMMAND...: runs COMMAND with a deadline, stdout
# to $work/out, stderr to $work/err.
expect_status() {
    local want=$1 what=$2
    shift 3
    local got=0
    timeout 20 "$@" >"$work/out" 2>"$work/err" || got=$?
    if [[ $got == "$want" ]]; then
        pass "$what (exit $got)"
    else
        fail "$what: exit $got, wanted $want; stderr: $(head -c 300 "$work/err")"
    fi
}

expect_in() {  # expect_in FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3: \"$2\" not in $(basename "$1"): $(head -c 300 "$1")"; fi
}

expect_not_in() {  # expect_not_in FILE TEXT DESCRIPTION
    if grep -qF -- "$2" "$1"; then fail "$3: \"$2\" unexpectedly in $(basename "$1")"; else pass "$3"; fi
}

expect_eq() {  # expect_eq GOT WANT DESCRIPTION
    if [[ $1 == "$2" ]]; then pass "$3"; else fail "$3: got \"$1\", wanted \"$2\""; fi
}

expect_lines() {  # expect_lines FILE N DESCRIPTION
    local n
    n=$(wc -l <"$1")
    expect_eq "$n" "$2" "$3"
}

finish() {
    echo "$checks checks, $failures failed"
    ((failures == 0))
}
