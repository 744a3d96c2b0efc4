# fish completion for sk-states(1), part of sockkit

# Completes the last entry of a comma-separated list: for "time-wait,clo" it
# prints "time-wait,close", "time-wait,close-wait", ... each with a description.
# Arguments: lines of "word<TAB>description".
function __sk_states_comma_list
    set -l token (commandline -ct | string replace -r -- '^--?[^=]*=' '')
    set -l prefix ''
    if string match -q -- '*,*' $token
        set prefix (string replace -r -- ',[^,]*$' ',' $token)
    end
    for entry in $argv
        printf '%s%s\n' $prefix $entry
    end
end

function __sk_states_states
    __sk_states_comma_list \
        established\t'TCP state: connection open' \
        syn-sent\t'TCP state: SYN sent' \
        syn-recv\t'TCP state: SYN received' \
        fin-wait-1\t'TCP state: FIN sent, not acknowledged' \
        fin-wait-2\t'TCP state: waiting for peer FIN' \
        time-wait\t'TCP state: waiting 2MSL' \
        close\t'TCP state: no connection' \
        close-wait\t'TCP state: peer closed, app has not' \
        last-ack\t'TCP state: waiting for last ACK' \
        listen\t'TCP state: accepting connections' \
        closing\t'TCP state: simultaneous close' \
        new-syn-recv\t'Request socket, counted as SYN_RECV' \
        all\t'Group: every state' \
        connected\t'Group: all but LISTEN and CLOSE' \
        synchronized\t'Group: connected without SYN_SENT' \
        bucket\t'Group: SYN_RECV and TIME_WAIT' \
        big\t'Group: all but SYN_RECV and TIME_WAIT' \
        teardown\t'Group: the states after a FIN, FIN_WAIT1 to LAST_ACK'
end

# The word before the one being completed is "state" or "exclude" (ss's filter).
function __sk_states_after_filter_word
    set -l words (commandline -opc)
    contains -- $words[-1] state exclude
end

function __sk_states_keys
    __sk_states_comma_list \
        state\t'TCP state' \
        lport\t'Local port' \
        rport\t'Remote port' \
        laddr\t'Local address' \
        raddr\t'Remote address' \
        process\t'Owning process (implies -p)' \
        netns\t'Network namespace (with --all-netns)'
end

# --netns: the names bound under /run/netns, and pid: followed by the pids in /proc.
function __sk_states_netns
    for ns in /run/netns/*
        string replace -r -- '.*/' '' $ns
    end
    # fish globs have no [0-9]: keep the numeric entries of /proc.
    string match -r -- '^/proc/[0-9]+$' /proc/* | string replace -- /proc/ pid:
end

# sk-states takes no file operands, only ss's words "state STATE" and "exclude STATE".
complete -c sk-states -f
complete -c sk-states -n 'not __sk_states_after_filter_word' -a 'state\t"ss filter: count these states" exclude\t"ss filter: leave these states out"'
complete -c sk-states -n __sk_states_after_filter_word -a '(__sk_states_states)'

# Transports and families
complete -c sk-states -s t -l tcp -d 'Count TCP sockets (the default)'
complete -c sk-states -s u -l udp -d 'Count UDP sockets; with -t both'
complete -c sk-states -s 4 -l ipv4 -d 'IPv4 sockets only'
complete -c sk-states -s 6 -l ipv6 -d 'IPv6 sockets only'
complete -c sk-states -l source -x -a 'netlink\t"sock_diag (default)" proc\t"/proc/net files"' -d 'Where to read the sockets'
complete -c sk-states -l netns -x -a '(__sk_states_netns)' -d 'Count inside a network namespace'
complete -c sk-states -l all-netns -d 'Every network namespace of the host, one row each'
complete -c sk-states -l sort -x -a 'total\t"Every socket (the default)" established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait close close-wait last-ack listen closing' -d 'With --all-netns: order namespaces by a state or total'

# Selecting
complete -c sk-states -s s -l state -x -a '(__sk_states_states)' -d 'TCP states or groups, comma separated'
complete -c sk-states -s l -l listening -d 'Listening sockets only (UDP: unconnected)'
complete -c sk-states -l sport -x -d 'Local ports: 22, 22,80 or 8000-8100'
complete -c sk-states -l dport -x -d 'Remote ports: 22, 22,80 or 8000-8100'
complete -c sk-states -l src -x -d 'Local address or CIDR block'
complete -c sk-states -l dst -x -d 'Remote address or CIDR block'

# Output
complete -c sk-states -s a -l all -d 'Also show states whose count is 0'
complete -c sk-states -s n -l numeric -d 'Accepted for ss users: numbers are always numeric'
complete -c sk-states -l family-split -d 'IPv4 and IPv6 counts side by side'
complete -c sk-states -s f -l format -x -a 'text json csv prom' -d 'Output format'
complete -c sk-states -s j -l json -d 'Same as --format json'
complete -c sk-states -l color -x -a 'auto always never' -d 'When to colour the output'
complete -c sk-states -l by -x -a '(__sk_states_keys)' -d 'Count by keys, comma separated'
complete -c sk-states -l top -x -d 'With --by: the N largest groups only'
complete -c sk-states -l list -d 'One matching socket per line'
complete -c sk-states -s e -l extended -d 'With --list: RTT, cwnd, retransmits, bytes'
complete -c sk-states -s q -l quiet -d 'Print nothing; only the exit status'
# The interval is optional (default 2 seconds), so -w takes no required argument.
complete -c sk-states -s w -l watch -d 'Sample every TIME (default 2)'
complete -c sk-states -s c -l count -x -d 'With --watch: stop after N samples'
complete -c sk-states -s h -l help -d 'Show help with examples'
complete -c sk-states -l version -d 'Print the version'
complete -c sk-states -s p -l processes -d 'Name the processes holding the sockets'
complete -c sk-states -l threshold -x -a 'close_wait= time_wait= port_exhaustion= fin_wait2= fin_wait1= last_ack= closing= syn_recv= syn_sent= accept_queue= orphans= tcp_memory=' -d 'Finding levels: RULE=WARN[:CRIT] or RULE=off'
complete -c sk-states -l no-findings -d 'Counts only: no diagnosis'
complete -c sk-states -l check -d 'Nagios plugin: one status line, exit 0/1/2/3'
complete -c sk-states -l warn -x -a 'close_wait= time_wait= port_exhaustion= syn_recv= syn_sent= accept_queue= established= listen=' -d 'With --check: NAME=N, a rule or a state'
complete -c sk-states -l crit -x -a 'close_wait= time_wait= port_exhaustion= syn_recv= syn_sent= accept_queue= established= listen=' -d 'With --check: NAME=N, as --warn'
