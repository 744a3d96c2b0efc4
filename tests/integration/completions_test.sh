#!/usr/bin/env bash
# Checks the hand-written shell completions against the commands themselves.
#
#   completions_test.sh BIN_DIR SOURCE_ROOT
#
# For every tools/TOOL/ folder of SOURCE_ROOT it runs BIN_DIR/TOOL --help, takes
# every option from the option list, and checks that each long option appears in
# completions/bash/TOOL, completions/zsh/_TOOL and completions/fish/TOOL.fish (fish
# as "-l NAME"), and each short option likewise (fish as "-s X"). For sk-explain,
# sk-states and sk-echo it also runs the bash completion function and checks what it
# offers. Exit status 0 when every check passes, 1 otherwise; every check is reported on stdout.
set -euo pipefail

if (($# != 2)); then
    echo "usage: $0 BIN_DIR SOURCE_ROOT" >&2
    exit 2
fi
bin_dir=$1
src_root=$2

checks=0
failures=0

pass() {
    checks=$((checks + 1))
    echo "ok: $*"
}

fail() {
    checks=$((checks + 1))
    failures=$((failures + 1))
    echo "FAIL: $*"
}

# grep -E patterns for an option in each shell's file. A long option must stand
# alone: --format must not be satisfied by --format-x.
bash_pattern() { printf '(^|[^[:alnum:]_-])%s([^[:alnum:]_-]|$)' "$1"; }
zsh_pattern() { bash_pattern "$1"; }
fish_long_pattern() {
    printf '(^|[[:space:]])(-l|--long-option)[[:space:]]+["'\'']?%s["'\'']?([[:space:]]|$)' "$1"
}
fish_short_pattern() {
    printf '(^|[[:space:]])(-s|--short-option)[[:space:]]+["'\'']?%s["'\'']?([[:space:]]|$)' "$1"
}

# The option list of a CLI11 --help: lines that start with blanks and a dash,
# such as "  -f,--format TEXT:{text,json}  Output format". Examples further down
# ("  sk-explain --diagram | less") do not start with a dash and are left out.
option_lines() { grep -E '^[[:space:]]+-' || true; }

check_option() { # TOOL OPTION KIND(long|short) BASH ZSH FISH
    local tool=$1 opt=$2 kind=$3 bash_file=$4 zsh_file=$5 fish_file=$6 fish_pat
    if grep -Eq -- "$(bash_pattern "$opt")" "$bash_file"; then
        pass "$tool: bash completion has $opt"
    else
        fail "$tool: option $opt (from --help) is missing in $bash_file"
    fi
    if grep -Eq -- "$(zsh_pattern "$opt")" "$zsh_file"; then
        pass "$tool: zsh completion has $opt"
    else
        fail "$tool: option $opt (from --help) is missing in $zsh_file"
    fi
    if [[ $kind == long ]]; then
        fish_pat=$(fish_long_pattern "${opt#--}")
        if grep -Eq -- "$fish_pat" "$fish_file"; then
            pass "$tool: fish completion has -l ${opt#--}"
        else
            fail "$tool: option $opt (from --help) is missing in $fish_file (expected \"-l ${opt#--}\")"
        fi
    else
        fish_pat=$(fish_short_pattern "${opt#-}")
        if grep -Eq -- "$fish_pat" "$fish_file"; then
            pass "$tool: fish completion has -s ${opt#-}"
        else
            fail "$tool: option $opt (from --help) is missing in $fish_file (expected \"-s ${opt#-}\")"
        fi
    fi
}

check_tool() { # TOOL
    local tool=$1
    local exe=$bin_dir/$tool
    local bash_file=$src_root/completions/bash/$tool
    local zsh_file=$src_root/completions/zsh/_$tool
    local fish_file=$src_root/completions/fish/$tool.fish
    local missing=0 f help rc opts long short opt

    for f in "$bash_file" "$zsh_file" "$fish_file"; do
        if [[ -f $f ]]; then
            pass "$tool: $f exists"
        else
            fail "$tool: completion file $f does not exist"
            missing=1
        fi
    done
    if [[ ! -x $exe ]]; then
        fail "$tool: $exe is not an executable (build it first)"
        return
    fi
    ((missing == 0)) || return 0

    rc=0
    help=$(timeout 10 "$exe" --help 2>&1) || rc=$?
    if ((rc != 0)); then
        fail "$tool: \"$exe --help\" exited with status $rc"
        return
    fi

    opts=$(printf '%s\n' "$help" | option_lines)
    long=$(printf '%s\n' "$opts" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u || true)
    # Short options as CLI11 lists them: "-f,--format" or "-4" alone before blanks.
    short=$(printf '%s\n' "$opts" |
        grep -oE -- '(^|[[:space:],])-[[:alnum:]](,|[[:space:]]|$)' |
        grep -oE -- '-[[:alnum:]]' | sort -u || true)

    if ! grep -qx -- '--help' <<<"$long"; then
        fail "$tool: found no --help in the option list of \"$exe --help\"; cannot check its completions"
        return
    fi
    pass "$tool: --help lists $(wc -w <<<"$long") long and $(wc -w <<<"$short") short options"

    for opt in $long; do
        check_option "$tool" "$opt" long "$bash_file" "$zsh_file" "$fish_file"
    done
    for opt in $short; do
        check_option "$tool" "$opt" short "$bash_file" "$zsh_file" "$fish_file"
    done

    if grep -Eq -- "complete[[:space:]].*-F[[:space:]]+[^[:space:]]+.*[[:space:]]$tool([[:space:]]|$)" "$bash_file"; then
        pass "$tool: bash file registers a completion function with complete -F"
    else
        fail "$tool: $bash_file has no \"complete -F FUNCTION $tool\""
    fi
    if head -n 1 "$zsh_file" | grep -Eq -- "^#compdef([[:space:]].*)?[[:space:]]$tool([[:space:]]|$)"; then
        pass "$tool: zsh file starts with #compdef $tool"
    else
        fail "$tool: $zsh_file does not start with \"#compdef $tool\""
    fi
}

# Runs the bash completion function of TOOL in a clean bash, with or without
# bash-completion 2 loaded, for the command line given as words (the last word is
# the one being completed). Prints COMPREPLY one per line.
bash_complete() { # MODE(bc|plain) FILE FUNCTION WORD...
    local mode=$1 file=$2 func=$3
    shift 3
    # shellcheck disable=SC2016 # the script is expanded by the inner bash
    timeout 10 env -i PATH="$PATH" HOME="${HOME:-/tmp}" bash --norc --noprofile -c '
        mode=$1 file=$2 func=$3
        shift 3
        if [[ $mode == bc ]]; then
            source /usr/share/bash-completion/bash_completion
        fi
        source "$file"
        COMP_WORDS=("$@")
        COMP_CWORD=$(($# - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        "$func"
        printf "%s\n" "${COMPREPLY[@]}"
    ' _ "$mode" "$file" "$func" "$@"
}

expect_offer() { # MODE FILE FUNCTION EXPECTED WORD...
    local mode=$1 file=$2 func=$3 expected=$4 got rc=0 label
    shift 4
    label="bash completion ($([[ $mode == bc ]] && echo with bash-completion || echo without bash-completion))"
    got=$(bash_complete "$mode" "$file" "$func" "$@" 2>&1) || rc=$?
    if ((rc != 0)); then
        fail "$label of \"$*\" failed with status $rc: $got"
    elif grep -qx -- "$expected" <<<"$got"; then
        pass "$label of \"$*\" offers $expected"
    else
        fail "$label of \"$*\" does not offer $expected; it offered: $(tr '\n' ' ' <<<"$got")"
    fi
}

expect_not_offer() { # MODE FILE FUNCTION UNWANTED WORD...
    local mode=$1 file=$2 func=$3 unwanted=$4 got rc=0
    shift 4
    got=$(bash_complete "$mode" "$file" "$func" "$@" 2>&1) || rc=$?
    if ((rc == 0)) && ! grep -qx -- "$unwanted" <<<"$got"; then
        pass "bash completion ($mode) of \"$*\" does not offer $unwanted"
    else
        fail "bash completion ($mode) of \"$*\" offers $unwanted (or failed, status $rc)"
    fi
}

# The zsh and fish files offer the same state vocabulary as bash's.
check_sk_states_vocabulary() {
    local f
    for f in "$src_root/completions/zsh/_sk-states" "$src_root/completions/fish/sk-states.fish"; do
        [[ -f $f ]] || continue
        for word in teardown closing; do
            # zsh writes "word[description]", fish "word\tdescription".
            if grep -Eq "(^|[[:space:]'])$word"'(\[|\\t)' "$f"; then
                pass "$(basename "$f") offers $word"
            else
                fail "$(basename "$f") does not offer $word"
            fi
        done
        if grep -q 'closing-state' "$f"; then
            fail "$(basename "$f") still offers closing-state"
        else
            pass "$(basename "$f") does not offer closing-state"
        fi
    done
}

check_sk_explain_bash() {
    local file=$src_root/completions/bash/sk-explain mode state
    [[ -f $file ]] || return 0
    local modes=(plain)
    if [[ -r /usr/share/bash-completion/bash_completion ]]; then
        modes=(bc plain)
    else
        echo "note: /usr/share/bash-completion/bash_completion not found; checking the fallback path only"
    fi
    for mode in "${modes[@]}"; do
        expect_offer "$mode" "$file" _sk_explain time-wait sk-explain time
        expect_offer "$mode" "$file" _sk_explain json sk-explain --format ""
        expect_offer "$mode" "$file" _sk_explain text sk-explain -f ""
        expect_offer "$mode" "$file" _sk_explain never sk-explain --color ""
        expect_offer "$mode" "$file" _sk_explain --diagram sk-explain --d
        for state in established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait \
            close close-wait last-ack listen closing new-syn-recv \
            states handshake diagram tcp-vs-udp osi socket syn-flood; do
            expect_offer "$mode" "$file" _sk_explain "$state" sk-explain ""
        done
    done
}

check_sk_states_bash() {
    local file=$src_root/completions/bash/sk-states mode
    [[ -f $file ]] || return 0
    local modes=(plain)
    if [[ -r /usr/share/bash-completion/bash_completion ]]; then
        modes=(bc plain)
    fi
    for mode in "${modes[@]}"; do
        expect_offer "$mode" "$file" _sk_states time-wait sk-states --state ti
        expect_offer "$mode" "$file" _sk_states closing sk-states --state clo
        expect_offer "$mode" "$file" _sk_states closing sk-states -s clo
        expect_offer "$mode" "$file" _sk_states teardown sk-states --state te
        expect_offer "$mode" "$file" _sk_states time-wait,closing sk-states --state time-wait,clo
        expect_not_offer "$mode" "$file" _sk_states closing-state sk-states -s clo
        # ss's filter words: "state X" and "exclude X".
        expect_offer "$mode" "$file" _sk_states state sk-states st
        expect_offer "$mode" "$file" _sk_states exclude sk-states -t ex
        expect_offer "$mode" "$file" _sk_states time-wait sk-states state ti
        expect_offer "$mode" "$file" _sk_states teardown sk-states -t exclude te
        expect_offer "$mode" "$file" _sk_states json sk-states --format ""
        expect_offer "$mode" "$file" _sk_states prom sk-states --format ""
        expect_offer "$mode" "$file" _sk_states raddr sk-states --by ra
        expect_offer "$mode" "$file" _sk_states state,raddr sk-states --by state,ra
        expect_offer "$mode" "$file" _sk_states proc sk-states --source ""
        expect_offer "$mode" "$file" _sk_states --family-split sk-states --fam
        expect_offer "$mode" "$file" _sk_states --all-netns sk-states --all
        expect_offer "$mode" "$file" _sk_states netns sk-states --all-netns --by ne
        expect_offer "$mode" "$file" _sk_states netns,lport sk-states --all-netns --by netns,lp
        expect_offer "$mode" "$file" _sk_states close-wait sk-states --all-netns --sort close-w
        expect_offer "$mode" "$file" _sk_states total sk-states --all-netns --sort to
        expect_not_offer "$mode" "$file" _sk_states teardown sk-states --all-netns --sort te
    done
}

check_sk_echo_bash() {
    local file=$src_root/completions/bash/sk-echo mode
    [[ -f $file ]] || return 0
    local modes=(plain)
    if [[ -r /usr/share/bash-completion/bash_completion ]]; then
        modes=(bc plain)
    fi
    for mode in "${modes[@]}"; do
        expect_offer "$mode" "$file" _sk_echo hold sk-echo -l 7 --on-eof ""
        expect_offer "$mode" "$file" _sk_echo rst sk-echo --on-eof r
        expect_offer "$mode" "$file" _sk_echo json sk-echo --format ""
        expect_offer "$mode" "$file" _sk_echo --close-first sk-echo --clo
    done
}

shopt -s nullglob
tools=()
for dir in "$src_root"/tools/*/; do
    tools+=("$(basename "$dir")")
done
if ((${#tools[@]} == 0)); then
    echo "FAIL: no tools/*/ folders under $src_root"
    exit 1
fi

for tool in "${tools[@]}"; do
    check_tool "$tool"
done
for tool in "${tools[@]}"; do
    case $tool in
        sk-explain) check_sk_explain_bash ;;
        sk-states) check_sk_states_bash; check_sk_states_vocabulary ;;
        sk-echo) check_sk_echo_bash ;;
    esac
done

if ((failures > 0)); then
    echo "completions: $failures of $checks checks failed"
    exit 1
fi
echo "completions: all $checks checks passed (${tools[*]})"
