# fish completion for sk-echo(1), part of sockkit

# --netns: the names bound under /run/netns, and pid: followed by the pids in /proc.
function __sk_echo_netns
    for ns in /run/netns/*
        string replace -r -- '.*/' '' $ns
    end
    # fish globs have no [0-9]: keep the numeric entries of /proc.
    string match -r -- '^/proc/[0-9]+$' /proc/* | string replace -- /proc/ pid:
end

# Never offer file names: the arguments are HOST:PORT and a message.
complete -c sk-echo -f

# Server
complete -c sk-echo -s l -l listen -x -d 'Serve on [ADDR:]PORT (loopback if no ADDR)'
complete -c sk-echo -s t -l tcp -d 'TCP (the default; a server given -t -u serves both)'
complete -c sk-echo -l threads -x -d 'Event loops, one per thread'
complete -c sk-echo -l idle-timeout -x -d 'Close connections idle TIME'
complete -c sk-echo -l max-connections -x -d 'Close new connections beyond N open ones'
complete -c sk-echo -l max-bytes -x -d 'Close a connection after BYTES echoed'
complete -c sk-echo -l on-eof -x -a 'close hold rst delay:' -d 'What to do after the client FIN'
complete -c sk-echo -l close-first -d 'Close right after the first echo'
complete -c sk-echo -l udp-rate -x -d 'Cap UDP replies per source address'
complete -c sk-echo -s v -l verbose -d 'Log every connection on stderr'

# Client
complete -c sk-echo -l size -x -d 'Send BYTES of generated data'
complete -c sk-echo -s w -l timeout -x -d 'Give up after TIME (UDP: per try)'
complete -c sk-echo -l retries -x -d 'UDP: send again N times'
complete -c sk-echo -l half-close -d 'TCP: send FIN after the payload, expect EOF'

# Client load mode (any of these turns it on; TCP only)
complete -c sk-echo -s C -l connections -x -d 'Load: keep N connections echoing at once'
complete -c sk-echo -s n -l requests -x -d 'Load: stop after N requests in all'
complete -c sk-echo -l duration -x -d 'Load: run for TIME (default 10)'
complete -c sk-echo -l rate -x -d 'Load: PER_SECOND requests on a fixed schedule (open loop)'
complete -c sk-echo -l connect-rate -d 'Load: a new connection for every request'

# Both
complete -c sk-echo -s u -l udp -d 'UDP instead of TCP'
complete -c sk-echo -s 4 -l ipv4 -d 'IPv4 only'
complete -c sk-echo -s 6 -l ipv6 -d 'IPv6 only'
complete -c sk-echo -l netns -x -a '(__sk_echo_netns)' -d 'Run inside a network namespace (NAME, PATH or pid:PID)'
complete -c sk-echo -s f -l format -x -a 'text json' -d 'Output format'
complete -c sk-echo -s j -l json -d 'Same as --format json'
complete -c sk-echo -l color -x -a 'auto always never' -d 'When to colour the output'
complete -c sk-echo -s h -l help -d 'Show help with examples'
complete -c sk-echo -l version -d 'Print the version'
