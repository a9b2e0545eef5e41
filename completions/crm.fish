# crm.fish - fish completion for the crm commands
#
# Copy this file to ~/.config/fish/conf.d/, or install it as
# completions/crm-add.fish with links named after the other commands.

# Define everything once, however many names the file is loaded under.
functions -q __crm_operands; and return

# The words before the cursor that are not options or option arguments.
function __crm_operands
    set -l t (commandline -opc)
    # -f, and -n of crm-log, take an argument: the rest of the word, or
    # else the next word
    set -l short '^-[^f]*f$'
    string match -q -- '*crm-log' $t[1]; and set short '^-[^fn]*[fn]$'
    # --csv of crm-segment takes fields; that of crm-report none
    set -l csvarg --csv
    string match -q -- '*crm-report' $t[1]; and set csvarg
    # --version of crm-export takes the vCard version
    set -l verarg
    string match -q -- '*crm-export' $t[1]; and set verarg --version
    set -e t[1]
    set -l skip 0
    set -l dashdash 0
    for w in $t
        if test $skip -gt 0
            set skip (math $skip - 1)
            continue
        end
        if test $dashdash = 0
            switch $w
                case --
                    set dashdash 1
                    continue
                case '--next=*'
                    # --next WHEN TEXT: the text is the next word
                    set skip 1
                    continue
                case '--*=*'
                    continue
                case --db --format --from --type --email --phone --id \
                    --now --at --amount --owner --campaign --dir --save --drop \
                    --where --by --sum --avg --min --max --distinct --top \
                    --sort --window --segment --rate --map --ignore --encoding \
                    --to --keep --since --user --txn --subject --role \
                    --team $csvarg $verarg
                    set skip 1
                    continue
                case --next
                    set skip 2
                    continue
                case '--*'
                    continue
                case '-?*'
                    string match -qr -- $short $w; and set skip 1
                    continue
            end
        end
        printf '%s\n' $w
    end
end

# The store given with --db on the command line, if any.
function __crm_db
    set -l t (commandline -opc)
    set -e t[1]
    set -l db
    set -l next 0
    for w in $t
        if test $next = 1
            set db $w
            set next 0
            continue
        end
        switch $w
            case --db
                set next 1
            case '--db=*'
                set db (string replace -- --db= '' $w)
            case --
                break
        end
    end
    test -n "$db"; and string replace -r -- '^~(?=/|$)' $HOME $db
end

# Run crm-schema on that store, with stderr silenced.
function __crm_schema
    set -l db (__crm_db)
    if test -n "$db"
        command crm-schema --db $db $argv 2>/dev/null
    else
        command crm-schema $argv 2>/dev/null
    end
end

# The names of the saved segments, on that store, with stderr silenced.
function __crm_segments
    set -l db (__crm_db)
    if test -n "$db"
        command crm-segment --db $db --list 2>/dev/null | cut -f1
    else
        command crm-segment --list 2>/dev/null | cut -f1
    end
end

# field,field,... for --csv: the fields, after what is typed up to the
# last comma.
function __crm_csv_fields
    set -l cur (commandline -ct)
    set -l head ''
    string match -q -- '*,*' "$cur"
    and set head (string replace -r -- '[^,]*$' '' "$cur")
    set head (string replace -- --csv= '' "$head")
    for f in (__crm_schema fields)
        printf '%s%s\n' "$head" $f
    end
end

# Is the word being completed the EXPR|NAME operand of crm-segment?
function __crm_segment_name
    set -l t (commandline -opc)
    for o in --save --list --drop
        contains -- $o $t; and return 1
    end
    string match -q -- '--save=*' $t; and return 1
    string match -q -- '--drop=*' $t; and return 1
    __crm_noperands 0
end

function __crm_noperands
    set -l o (__crm_operands)
    test (count $o) -eq $argv[1]
end

# field= words for crm-add: the fields of the TYPE operand.
function __crm_add_fields
    set -l cur (commandline -ct)
    string match -q -- '*=*' "$cur"; and return
    set -l o (__crm_operands)
    test (count $o) -ge 1; or return
    for f in (__crm_schema fields $o[1])
        printf '%s=\n' $f
    end
end

# field= words for crm-set, once the word cannot be an id.
function __crm_set_fields
    set -l cur (commandline -ct)
    string match -qr -- '^[0-9-]|=' "$cur"; and return
    for f in (__crm_schema fields)
        printf '%s=\n' $f
    end
end

# Date words every command reads (ISO 8601, +3d, 'fri 10:00' work too).
function __crm_dates
    printf '%s\n' now today tomorrow yesterday mon tue wed thu fri sat sun \
        eow eom
end

# Is the word being completed a kind: after the ids, before a kind, and
# not with --list or --rm?
function __crm_log_kind
    set -l t (commandline -opc)
    contains -- --list $t; and return 1
    contains -- --rm $t; and return 1
    __crm_log_next_text; and return 1
    string match -qr -- '^[0-9-]' (commandline -ct); and return 1
    for w in (__crm_operands)
        string match -qr -- '^(-|[1-9][0-9]*)$' $w; or return 1
    end
    return 0
end

# Is the word being completed the TEXT of --next (the word after WHEN)?
function __crm_log_next_text
    set -l t (commandline -opc)
    test (count $t) -ge 2; or return 1
    test "$t[-2]" = --next; and return 0
    string match -q -- '--next=*' $t[-1]
end

# The keys of crm-report for its TYPE operand (singular or plural): the
# fields and the derived ones; with --by, after what is typed up to the
# last comma.
function __crm_report_keys
    set -l head ''
    if test "$argv[1]" = --by
        set -l cur (commandline -ct)
        string match -q -- '*,*' "$cur"
        and set head (string replace -r -- '[^,]*$' '' "$cur")
        set head (string replace -- --by= '' "$head")
    end
    set -l t (__crm_operands)[1]
    set -l keys
    switch "$t"
        case interaction interactions
            set keys kind at amount owner campaign dir record company type
        case '*'
            switch "$t"
                case companies
                    set t company
                case '*s'
                    set t (string replace -r -- 's$' '' $t)
            end
            set keys type created last_contact interactions turnover next_due open_deals
            test -z "$t" -o "$t" = deal; and set -a keys closed
            if test -n "$t"
                set -a keys (__crm_schema fields $t)
            else
                set -a keys (__crm_schema fields)
            end
    end
    for k in $keys
        printf '%s%s\n' "$head" $k
    end
end

# Is the --to of crm-export on the command line argv[1]?
function __crm_export_to
    set -l t (commandline -opc)
    set -l next 0
    for w in $t
        if test $next = 1
            test "$w" = $argv[1]; and return 0
            set next 0
            continue
        end
        switch $w
            case --to
                set next 1
            case "--to=$argv[1]"
                return 0
        end
    end
    return 1
end

# field,field,... for crm-export --to csv: the fields, after what is
# typed up to the last comma.
function __crm_export_fields
    set -l cur (commandline -ct)
    set -l head ''
    string match -q -- '*,*' "$cur"
    and set head (string replace -r -- '[^,]*$' '' "$cur")
    for f in (__crm_schema fields)
        printf '%s%s\n' "$head" $f
    end
end

# A column of crm-user ls on that store (1 the names, 3 the teams), with
# stderr silenced.
function __crm_users
    set -l db (__crm_db)
    if test -n "$db"
        command crm-user --db $db ls 2>/dev/null | cut -f$argv[1] | sort -u
    else
        command crm-user ls 2>/dev/null | cut -f$argv[1] | sort -u
    end
end

# Is the word being completed the one after the subcommand argv[1]?
function __crm_schema_arg
    set -l o (__crm_operands)
    test (count $o) -eq 1; and test "$o[1]" = $argv[1]
end

for c in crm-add crm-show crm-find crm-set crm-rm crm-log crm-schema crm-task crm-due crm-segment crm-history crm-check crm-user crm-dupes crm-merge
    complete -c $c -f
    complete -c $c -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
    complete -c $c -s j -l json -d 'Print JSON Lines'
    complete -c $c -s 0 -d 'End each record with NUL instead of newline'
    complete -c $c -s f -l format -x -d 'Print each record through a template'
    complete -c $c -s H -l header -d 'Print a header line naming the columns'
    complete -c $c -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
    complete -c $c -s h -l help -d 'Print usage and exit'
    complete -c $c -l version -d 'Print the version and exit'
end

complete -c crm-add -l from -x -a 'jsonl csv' -d 'Format of the records on stdin'
complete -c crm-add -s u -l update -d 'Update the record that already holds a unique value'
complete -c crm-add -n '__crm_noperands 0' -a '(__crm_schema types)' -d 'Record type'
complete -c crm-add -n 'not __crm_noperands 0' -a '(__crm_add_fields)' -d Field

complete -c crm-find -l type -x -a '(__crm_schema types)' -d 'Only records of this type'
complete -c crm-find -l email -x -d 'The record with this e-mail address'
complete -c crm-find -l phone -x -d 'The records with this phone number'
complete -c crm-find -l id -x -d 'The record with this id'

complete -c crm-set -l source -x -d 'Where the consents set come from, such as web-form'
complete -c crm-set -a '(__crm_set_fields)' -d Field

complete -c crm-rm -l unlink -d 'Clear references to the removed records'

complete -c crm-log -l at -x -a '(__crm_dates)' -d 'Time of the interaction'
complete -c crm-log -l amount -x -d 'Amount of money'
complete -c crm-log -l owner -x -a '(__fish_complete_users)' -d 'Who dealt with the customer'
complete -c crm-log -l campaign -x -d 'Campaign of the interaction'
complete -c crm-log -l dir -x -a 'in out' -d 'Who reached out'
complete -c crm-log -l next -x -a '(__crm_dates)' -d 'Also add a follow-up task: WHEN TEXT'
complete -c crm-log -l list -d 'Print the history of a record'
complete -c crm-log -s n -x -d 'With --list, at most this many entries'
complete -c crm-log -l rm -d 'Remove history entries by their ids'
complete -c crm-log -n __crm_log_kind -a 'call email meeting note purchase payment quote contract complaint letter visit' -d Kind

complete -c crm-task -n '__crm_noperands 0' -a add -d 'Add a task about each record'
complete -c crm-task -n '__crm_noperands 0' -a done -d 'Mark tasks done'
complete -c crm-task -n '__crm_noperands 0' -a ls -d 'List open tasks'
complete -c crm-task -n '__crm_noperands 0' -a rm -d 'Remove tasks'
complete -c crm-task -l due -x -a '(__crm_dates)' -d 'When the task is due'
complete -c crm-task -l owner -x -a '(__fish_complete_users)' -d 'Whose task it is'
complete -c crm-task -l priority -x -a 'high normal low' -d 'How urgent'
complete -c crm-task -l every -x -a '1d 1w 1m 3m 1y' -d 'Repeat after this interval'
complete -c crm-task -l all -d 'List done tasks too'

complete -c crm-due -l owner -x -a '(__fish_complete_users)' -d 'Tasks of this owner'
complete -c crm-due -l mine -d 'My tasks'
complete -c crm-due -l within -x -a '4h 1d 3d 1w 1m' -d 'Due within this time'
complete -c crm-due -l overdue -d 'Due before today'
complete -c crm-due -l where -x -d 'Only tasks about a record that matches this query'
complete -c crm-due -l ical -d 'Print an iCalendar of to-dos'

complete -c crm-segment -l count -d 'Print only the number of matching records'
complete -c crm-segment -l explain -d 'Print the plan and the number of matching records'
complete -c crm-segment -l mailto -d 'Print the mailboxes of those who may be mailed'
complete -c crm-segment -l csv -x -a '(__crm_csv_fields)' -d 'Print CSV of those who may be mailed'
complete -c crm-segment -l why-excluded -d 'Say on stderr who is left out of the mailing, and why'
complete -c crm-segment -l save -x -d 'Store the query under a name'
complete -c crm-segment -l list -d 'Print the saved segments'
complete -c crm-segment -l drop -x -a '(__crm_segments)' -d 'Remove a saved segment'
complete -c crm-segment -n __crm_segment_name -a '(__crm_segments)' -d 'Saved segment'

complete -c crm-optout -f
complete -c crm-optout -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-optout -l bounce -d 'Record the addresses as bounced'
complete -c crm-optout -s h -l help -d 'Print usage and exit'
complete -c crm-optout -l version -d 'Print the version and exit'

complete -c crm-mailmerge -f
complete -c crm-mailmerge -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-mailmerge -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-mailmerge -s h -l help -d 'Print usage and exit'
complete -c crm-mailmerge -l version -d 'Print the version and exit'
complete -c crm-mailmerge -l campaign -x -d 'The campaign the messages belong to'
complete -c crm-mailmerge -l segment -x -a '(__crm_segments)' -d 'Mail the records of this saved segment'
complete -c crm-mailmerge -l send -d 'Send the messages through $SENDMAIL and log them'
complete -c crm-mailmerge -l rate -x -d 'With --send, at most this many messages a minute'
complete -c crm-mailmerge -n '__crm_noperands 0' -F -d Template

complete -c crm-inbox -f
complete -c crm-inbox -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-inbox -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-inbox -s h -l help -d 'Print usage and exit'
complete -c crm-inbox -l version -d 'Print the version and exit'
complete -c crm-inbox -l add-leads -d 'Add a person for an unknown sender'

complete -c crm-report -f
complete -c crm-report -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-report -s j -l json -d 'Print JSON Lines'
complete -c crm-report -s H -l header -d 'Print a header line (it always is)'
complete -c crm-report -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-report -s h -l help -d 'Print usage and exit'
complete -c crm-report -l version -d 'Print the version and exit'
complete -c crm-report -l csv -d 'Print CSV'
complete -c crm-report -l chart -d 'Print the rows as bars'
complete -c crm-report -l where -x -d 'Count only what matches this query'
complete -c crm-report -l by -x -a '(__crm_report_keys --by)' -d 'Group by these keys'
complete -c crm-report -l count -d 'Count the records or entries'
complete -c crm-report -l sum -x -a '(__crm_report_keys)' -d 'The sum of a field'
complete -c crm-report -l avg -x -a '(__crm_report_keys)' -d 'The average of a field'
complete -c crm-report -l min -x -a '(__crm_report_keys)' -d 'The least value of a field'
complete -c crm-report -l max -x -a '(__crm_report_keys)' -d 'The greatest value of a field'
complete -c crm-report -l distinct -x -a '(__crm_report_keys)' -d 'The number of distinct values of a field'
complete -c crm-report -l top -x -d 'Print only the first rows'
complete -c crm-report -l sort -x -d 'Sort by this column, -COLUMN descending'
complete -c crm-report -l funnel -d 'Deals: the sales funnel'
complete -c crm-report -l forecast -d 'Deals: open amounts, weighted by probability'
complete -c crm-report -l win-rate -d 'Deals: won, lost and the win rate'
complete -c crm-report -l cycle-time -d 'Deals: days from created to won'
complete -c crm-report -l churn -d 'Persons or companies: regular buyers now overdue'
complete -c crm-report -l campaign -x -d 'Report on this mailing campaign'
complete -c crm-report -l window -x -a '7d 14d 30d 90d' -d 'With --campaign, how long a reply or purchase counts'
complete -c crm-report -n '__crm_noperands 0' -a 'persons companies deals tasks interactions' -d 'Record type'

complete -c crm-dupes -l type -x -a '(__crm_schema types)' -d 'Look among the records of this type'
complete -c crm-dupes -l min -x -a '0.5 0.7 0.9' -d 'Print only the pairs of this score or more'

complete -c crm-merge -l keep -x -a 'first\t"The first of the pair" oldest\t"The one created first" newest\t"The one created last"' -d 'Which record of each pair is kept'

complete -c crm-history -l since -x -a '(__crm_dates)' -d 'Only the changes made at this time or later'
complete -c crm-history -l user -x -a '(__fish_complete_users)' -d 'Only the changes made by this user'
complete -c crm-history -l txn -x -d 'Only the changes of this transaction'

complete -c crm-check -l repair -d 'Rebuild the index and the figures, then check'

complete -c crm-forget -f
complete -c crm-forget -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-forget -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-forget -s h -l help -d 'Print usage and exit'
complete -c crm-forget -l version -d 'Print the version and exit'

complete -c crm-compact -f
complete -c crm-compact -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-compact -s h -l help -d 'Print usage and exit'
complete -c crm-compact -l version -d 'Print the version and exit'

complete -c crm-gc -f
complete -c crm-gc -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-gc -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-gc -s h -l help -d 'Print usage and exit'
complete -c crm-gc -l version -d 'Print the version and exit'
complete -c crm-gc -s n -l dry-run -d 'Count what would be removed, write nothing'
complete -c crm-gc -l keep -x -a '90d 8w 6m 1y 2y' -d 'Keep the transactions of this age'

complete -c crm-undo -f
complete -c crm-undo -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-undo -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-undo -s h -l help -d 'Print usage and exit'
complete -c crm-undo -l version -d 'Print the version and exit'
complete -c crm-undo -s n -l dry-run -d 'Print the changes, write nothing'
complete -c crm-undo -l force -d 'Undo even when later transactions changed the same records'

complete -c crm-import -f
complete -c crm-import -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-import -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-import -s h -l help -d 'Print usage and exit'
complete -c crm-import -l version -d 'Print the version and exit'
complete -c crm-import -l from -x -a 'csv\t"CSV with a header line" google\t"CSV of Google Contacts" outlook\t"CSV of Outlook" thunderbird\t"CSV of Thunderbird" vcard\t"vCard 2.1, 3.0 or 4.0" jsonl\t"JSON Lines of crm-export"' -d 'Format of the input'
complete -c crm-import -l type -x -a '(__crm_schema types)' -d 'Type of the records'
complete -c crm-import -l map -x -d 'Put the cells of columns in fields: COLUMN=field,...'
complete -c crm-import -l ignore -x -d 'Leave out columns: COLUMN,...'
complete -c crm-import -l extra -d 'Keep the columns without a field in the note'
complete -c crm-import -l encoding -x -a 'UTF-8 UTF-16 WINDOWS-1250 WINDOWS-1252 ISO-8859-1 ISO-8859-2' -d 'Character set of the input'
complete -c crm-import -l photos -d 'Keep the PHOTO of vCards'
complete -c crm-import -s n -l dry-run -d 'Check, write nothing, print what would change'
complete -c crm-import -l skip-bad -d 'Import the good rows when others are rejected'
complete -c crm-import -F -d 'File or vdir to read'

complete -c crm-export -f
complete -c crm-export -l db -x -a '(__fish_complete_directories)' -d 'Use the store in this directory'
complete -c crm-export -l now -x -a '(__crm_dates)' -d 'Take this as the present moment'
complete -c crm-export -s h -l help -d 'Print usage and exit'
complete -c crm-export -l to -x -a 'jsonl\t"JSON Lines with the history" csv\t"CSV of fields" vcard\t"vCard of persons and companies" vdir\t"A directory of vCard files" ical\t"iCalendar of tasks and meetings"' -d 'Format to write'
complete -c crm-export -l where -x -d 'Write only what matches this query'
complete -c crm-export -l raw -d 'With --to csv, do not defuse formulas'
complete -c crm-export -l version -x -a '3.0 4.0' -d 'With --to vcard, the vCard version'
complete -c crm-export -l subject -x -d 'Write what the store holds about one record'
complete -c crm-export -l prune -d 'With --to vdir, remove the cards no longer exported'
complete -c crm-export -n '__crm_export_to vdir; and __crm_noperands 0' -x -a '(__fish_complete_directories)' -d 'Directory of the cards'
complete -c crm-export -n '__crm_export_to csv; and __crm_noperands 0' -x -a '(__crm_export_fields)' -d Fields

complete -c crm-schema -s n -l dry-run -d 'Only check the file'
complete -c crm-schema -n '__crm_noperands 0' -a show -d 'Print the schema as YAML'
complete -c crm-schema -n '__crm_noperands 0' -a apply -d 'Check a schema file and store it'
complete -c crm-schema -n '__crm_noperands 0' -a types -d 'List the record types'
complete -c crm-schema -n '__crm_noperands 0' -a fields -d 'List the field names'
complete -c crm-schema -n '__crm_schema_arg apply' -F
complete -c crm-schema -n '__crm_schema_arg fields' -a '(__crm_schema types)' -d 'Record type'

complete -c crm-user -n '__crm_noperands 0' -a add -d 'Add a user'
complete -c crm-user -n '__crm_noperands 0' -a set -d 'Change the role or the team of a user'
complete -c crm-user -n '__crm_noperands 0' -a rm -d 'Remove a user'
complete -c crm-user -n '__crm_noperands 0' -a ls -d 'List the users'
complete -c crm-user -n '__crm_noperands 0' -a whoami -d 'Print the user the commands act as'
complete -c crm-user -l role -x -a 'admin\t"Sees every record" manager\t"Sees the records of the team" rep\t"Sees own records"' -d 'The role of the user'
complete -c crm-user -l team -x -a '(__crm_users 3)' -d 'The team of the user'
complete -c crm-user -n '__crm_schema_arg add' -a '(__fish_complete_users)' -d 'Login name'
complete -c crm-user -n '__crm_schema_arg set; or __crm_schema_arg rm' -a '(__crm_users 1)' -d 'User of the store'
