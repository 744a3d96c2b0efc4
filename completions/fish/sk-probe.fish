# fish completion for sk-probe(1), part of sockkit

# --netns: the names bound under /run/netns, and pid: followed by the pids in /proc.
function __sk_probe_netns
    for ns in /run/netns/*
        string replace -r -- '.*/' '' $ns
    end
    # fish globs have no [0-9]: keep the numeric entries of /proc.
    string match -r -- '^/proc/[0-9]+$' /proc/* | string replace -- /proc/ pid:
end

# The addresses of this host, for --source, without their prefix length.
function __sk_probe_addresses
    command -sq ip; or return
    ip -o addr show 2>/dev/null | string split -n ' ' -f 4 | string replace -r -- '/.*' ''
end

# Targets are hosts (HOST, HOST:PORT, [V6]:PORT, a CIDR block) or - for standard
# input; file names only after --file.
complete -c sk-probe -f
complete -c sk-probe -n 'not string match -q -- "-*" (commandline -ct)' -a '(__fish_print_hostnames)' -d 'Host'
complete -c sk-probe -n 'not string match -q -- "-*" (commandline -ct)' -a '-' -d 'Read targets from standard input'

# Targets and ports
complete -c sk-probe -l file -r -F -d 'Read targets from FILE, one or more per line (# comments)'
complete -c sk-probe -s p -l ports -x -a '-\t"every port, 1-65535"' -d 'Ports: 22,80,8000-8100, or - for all'
complete -c sk-probe -l top-ports -x -d 'The N most commonly open ports (built-in list)'
complete -c sk-probe -s u -l udp -d 'UDP probes instead of TCP connects'
complete -c sk-probe -s t -l tcp -d 'TCP connects (the default)'
complete -c sk-probe -s 4 -l ipv4 -d 'IPv4 only'
complete -c sk-probe -s 6 -l ipv6 -d 'IPv6 only'
complete -c sk-probe -l max-hosts -x -d 'Refuse more than N addresses (default 65,536)'

# Timing
complete -c sk-probe -s w -l timeout -x -d 'Longest wait for one attempt, TIME (default 1; adapts below)'
complete -c sk-probe -l retries -x -d 'Attempts again after silence (default 1)'
complete -c sk-probe -l parallel -x -d 'Probes in flight at once (default from ulimit -n)'
complete -c sk-probe -l rate -x -d 'At most PER_SECOND attempts per second'
complete -c sk-probe -l wait -x -d 'Probe again until every target is open, for up to TIME (30s, 2m)'

# Connections
complete -c sk-probe -s s -l source -x -a '(__sk_probe_addresses)' -d 'Send from ADDR[:PORT]'
complete -c sk-probe -l close -x -a 'rst\t"a reset, no TIME_WAIT (default)" fin\t"a FIN, TIME_WAIT on this side"' -d 'How open connections are closed'
complete -c sk-probe -s b -l banner -d 'Read what open TCP services send first'
complete -c sk-probe -l banner-wait -x -d 'How long to wait for a banner, TIME (default 1)'
complete -c sk-probe -l netns -x -a '(__sk_probe_netns)' -d 'Probe from inside a network namespace'

# Output
complete -c sk-probe -s a -l all -d 'Text: show every result, not only open ports'
complete -c sk-probe -s q -l quiet -d 'Print nothing; the exit status answers'
complete -c sk-probe -s f -l format -x -a 'text\t"table and summary" json\t"one object per line" csv\t"header row, then rows" grep\t"host port proto state"' -d 'Output format'
complete -c sk-probe -s j -l json -d 'Same as --format json'
complete -c sk-probe -l color -x -a 'auto always never' -d 'When to colour the output'
complete -c sk-probe -s h -l help -d 'Show help with examples'
complete -c sk-probe -l version -d 'Print the version'
