# fish completion for sk-explain(1), part of sockkit

# True while no TOPIC has been given yet (sk-explain takes at most one).
function __sk_explain_needs_topic
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case -f --format --color
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

# Never offer file names.
complete -c sk-explain -f

# Options
complete -c sk-explain -s d -l diagram -d 'Draw the TCP state machine'
complete -c sk-explain -s f -l format -x -a 'text json' -d 'Output format'
complete -c sk-explain -s j -l json -d 'Same as --format json'
complete -c sk-explain -l color -x -a 'auto always never' -d 'When to colour the output'
complete -c sk-explain -s h -l help -d 'Show help with examples'
complete -c sk-explain -l version -d 'Print the version'

# Topics
complete -c sk-explain -n __sk_explain_needs_topic -a states -d 'Every TCP state'
complete -c sk-explain -n __sk_explain_needs_topic -a handshake -d 'The three-way handshake'
complete -c sk-explain -n __sk_explain_needs_topic -a close -d 'The four-way close and TIME_WAIT'
complete -c sk-explain -n __sk_explain_needs_topic -a diagram -d 'The whole state machine'
complete -c sk-explain -n __sk_explain_needs_topic -a tcp-vs-udp -d 'TCP and UDP compared'
complete -c sk-explain -n __sk_explain_needs_topic -a osi -d 'The seven OSI layers'
complete -c sk-explain -n __sk_explain_needs_topic -a socket -d 'A socket from socket() to close()'
complete -c sk-explain -n __sk_explain_needs_topic -a syn-flood -d 'SYN floods, the SYN backlog, cookies'
complete -c sk-explain -n __sk_explain_needs_topic -a rules -d 'The sk-states finding rules'
complete -c sk-explain -n __sk_explain_needs_topic -a port-exhaustion -d 'Finding: ephemeral ports running out'
complete -c sk-explain -n __sk_explain_needs_topic -a accept-queue -d 'Finding: a full accept queue'
complete -c sk-explain -n __sk_explain_needs_topic -a orphans -d 'Finding: orphans against tcp_max_orphans'
complete -c sk-explain -n __sk_explain_needs_topic -a tcp-memory -d 'Finding: TCP memory against tcp_mem'

# TCP states ("close" is the topic; the CLOSE state is offered as "closed")
complete -c sk-explain -n __sk_explain_needs_topic -a established -d 'TCP state: connection open'
complete -c sk-explain -n __sk_explain_needs_topic -a syn-sent -d 'TCP state: SYN sent'
complete -c sk-explain -n __sk_explain_needs_topic -a syn-recv -d 'TCP state: SYN received'
complete -c sk-explain -n __sk_explain_needs_topic -a fin-wait-1 -d 'TCP state: FIN sent, not acknowledged'
complete -c sk-explain -n __sk_explain_needs_topic -a fin-wait-2 -d 'TCP state: waiting for peer FIN'
complete -c sk-explain -n __sk_explain_needs_topic -a time-wait -d 'TCP state: waiting 2MSL'
complete -c sk-explain -n __sk_explain_needs_topic -a closed -d 'TCP state CLOSE: no connection'
complete -c sk-explain -n __sk_explain_needs_topic -a close-wait -d 'TCP state: peer closed, app has not'
complete -c sk-explain -n __sk_explain_needs_topic -a last-ack -d 'TCP state: waiting for last ACK'
complete -c sk-explain -n __sk_explain_needs_topic -a listen -d 'TCP state: accepting connections'
complete -c sk-explain -n __sk_explain_needs_topic -a closing -d 'TCP state: simultaneous close'
complete -c sk-explain -n __sk_explain_needs_topic -a new-syn-recv -d 'TCP state: Linux request socket'
