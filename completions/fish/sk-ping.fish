# fish completion for sk-ping(1), part of sockkit

# --netns: the names bound under /run/netns, and pid: followed by the pids in /proc.
function __sk_ping_netns
    for ns in /run/netns/*
        string replace -r -- '.*/' '' $ns
    end
    # fish globs have no [0-9]: keep the numeric entries of /proc.
    string match -r -- '^/proc/[0-9]+$' /proc/* | string replace -- /proc/ pid:
end

# The addresses of this host, for --source, without their prefix length.
function __sk_ping_addresses
    command -sq ip; or return
    ip -o addr show 2>/dev/null | string split -n ' ' -f 4 | string replace -r -- '/.*' ''
end

# The target is one host (HOST, HOST:PORT or [V6]:PORT), perhaps with a PORT word
# after it (tcping's order), typed by hand; no file names.
complete -c sk-ping -f
complete -c sk-ping -n 'not string match -q -- "-*" (commandline -ct)' -a '(__fish_print_hostnames)' -d 'Host'

# What and how often
complete -c sk-ping -s p -l port -x -d 'Port when the target names none (80; 7 with -u)'
complete -c sk-ping -s c -l count -x -d 'Stop after N attempts'
complete -c sk-ping -s i -l interval -x -d 'Pause between attempts, TIME (default 1)'
complete -c sk-ping -s w -l deadline -x -d 'Stop after TIME, whatever the count'
complete -c sk-ping -s W -l timeout -x -d 'Wait for one attempt, TIME (default 4)'
complete -c sk-ping -s 4 -l ipv4 -d 'IPv4 only'
complete -c sk-ping -s 6 -l ipv6 -d 'IPv6 only'
complete -c sk-ping -s s -l source -x -a '(__sk_ping_addresses)' -d 'Connect from ADDR[:PORT]'
complete -c sk-ping -l resolve-each -d 'Look the name up again before every attempt'
complete -c sk-ping -l netns -x -a '(__sk_ping_netns)' -d 'Run inside a network namespace (needs root)'

# TCP extras, or UDP
complete -c sk-ping -l close -d "Also time the close: our FIN to the peer's FIN"
complete -c sk-ping -l send -x -d 'After connecting, send DATA (\r \n \xHH)'
complete -c sk-ping -l expect -x -d 'The answer (or banner) must contain PATTERN'
complete -c sk-ping -s u -l udp -d 'UDP echo ping: loss, duplicates, reordering'
complete -c sk-ping -l size -x -d 'UDP datagram size, BYTES (default 64, at least 28)'

# Output
complete -c sk-ping -l histogram -d 'Draw a histogram of the times after the summary'
complete -c sk-ping -s D -l timestamp -d 'Start each line with the Unix time'
complete -c sk-ping -s q -l quiet -d 'Print only the summary'
complete -c sk-ping -s f -l format -x -a 'text\t"a line per attempt and a summary" json\t"one object per line, summary last" prom\t"Prometheus text format"' -d 'Output format'
complete -c sk-ping -s j -l json -d 'Same as --format json'
complete -c sk-ping -l check -d 'Nagios plugin: one status line, exit 0/1/2/3'
complete -c sk-ping -l warn -x -d '--check: WARNING at an average of MS[,LOSS%]'
complete -c sk-ping -l crit -x -d '--check: CRITICAL at an average of MS[,LOSS%]'
complete -c sk-ping -s h -l help -d 'Show help with examples'
complete -c sk-ping -l version -d 'Print the version'
