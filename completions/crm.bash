# crm.bash - bash completion for the crm commands
#
# Source this file from ~/.bashrc, or install it as
# /usr/share/bash-completion/completions/crm-add with links named after
# the other commands.

# _crm_schema ARG... - run crm-schema, on the store given with --db on
# the command line being completed (in _crm_db), with stderr silenced
_crm_schema()
{
	if [[ -n $_crm_db ]]; then
		command crm-schema --db "$_crm_db" "$@" 2>/dev/null
	else
		command crm-schema "$@" 2>/dev/null
	fi
}

# _crm_segments - the names of the saved segments, from crm-segment --list
# on the store given with --db (in _crm_db), with stderr silenced
_crm_segments()
{
	if [[ -n $_crm_db ]]; then
		command crm-segment --db "$_crm_db" --list 2>/dev/null
	else
		command crm-segment --list 2>/dev/null
	fi | cut -f1
}

# _crm_users COLUMN - a column of crm-user ls (1 the names, 3 the teams)
# on the store given with --db (in _crm_db), with stderr silenced
_crm_users()
{
	if [[ -n $_crm_db ]]; then
		command crm-user --db "$_crm_db" ls 2>/dev/null
	else
		command crm-user ls 2>/dev/null
	fi | cut -f"$1" | sort -u
}

# _crm_add WORD... - add to COMPREPLY the words that start with $cur
_crm_add()
{
	local w
	for w in "$@"; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$w")
	done
}

# _crm_add_segments - add the names of the saved segments that start
# with $cur
_crm_add_segments()
{
	local line
	while IFS= read -r line; do
		[[ -n $line && $line == "$cur"* ]] && COMPREPLY+=("$line")
	done < <(_crm_segments)
}

# _crm_add_schema SUFFIX ARG... - add the lines printed by crm-schema ARG...
# that start with $cur, each followed by SUFFIX
_crm_add_schema()
{
	local suffix=$1 line
	shift
	while IFS= read -r line; do
		[[ -n $line && $line == "$cur"* ]] &&
			COMPREPLY+=("$line$suffix")
	done < <(_crm_schema "$@")
}

# _crm_add_keys TYPE - add the keys of crm-report for TYPE (singular
# or plural) that start with $cur: its fields and the derived ones
_crm_add_keys()
{
	local t=$1
	case $t in
	interaction|interactions)
		_crm_add kind at amount owner campaign dir record company \
			type
		return ;;
	companies)
		t=company ;;
	*s)
		t=${t%s} ;;
	esac
	_crm_add type created last_contact interactions turnover next_due open_deals
	[[ -z $t || $t == deal ]] && _crm_add closed
	if [[ -n $t ]]; then
		_crm_add_schema '' fields "$t"
	else
		_crm_add_schema '' fields
	fi
}

_crm()
{
	local cmd=${COMP_WORDS[0]##*/}
	local -a words=() operands=()
	local cword=0 cur i w line
	local _crm_db='' prev_opt='' skip=0 dashdash='' mode='' to=''

	COMPREPLY=()

	# Glue back the words that bash split at '=' (it is in
	# COMP_WORDBREAKS), so that field=value and --db=dir are one word.
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 0)) && [[ $w == =* ]]; then
			words[${#words[@]}-1]+=$w
			if [[ $w == *= ]] && ((i < COMP_CWORD)); then
				((i++))
				words[${#words[@]}-1]+=${COMP_WORDS[i]}
			fi
		else
			words+=("$w")
		fi
		((i <= COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	if ((COMP_CWORD >= ${#COMP_WORDS[@]})); then
		words+=("")
		cword=$((${#words[@]} - 1))
	fi
	cur=${words[cword]}

	local common='--db -j --json -0 -f --format -H --header --now -h --help
		--version'
	local opts argopts='--db --format --now' shortargs=f
	case $cmd in
	crm-add)
		opts="$common --from -u --update"
		argopts+=' --from' ;;
	crm-find)
		opts="$common --type --email --phone --id"
		argopts+=' --type --email --phone --id' ;;
	crm-rm)
		opts="$common --unlink" ;;
	crm-set)
		opts="$common --source"
		argopts+=' --source' ;;
	crm-schema)
		opts="$common -n --dry-run" ;;
	crm-log)
		opts="$common --at --amount --owner --campaign --dir --next
			--list -n --rm"
		argopts+=' --at --amount --owner --campaign --dir'
		shortargs=fn ;;
	crm-task)
		opts="$common --due --owner --priority --every --all"
		argopts+=' --due --owner --priority --every' ;;
	crm-due)
		opts="$common --owner --mine --within --overdue --where --ical"
		argopts+=' --owner --within --where' ;;
	crm-segment)
		opts="$common --count --explain --mailto --csv --why-excluded
			--save --list --drop"
		argopts+=' --csv --save --drop' ;;
	crm-optout)
		opts='--db --bounce -h --help --version' ;;
	crm-mailmerge)
		opts='--db --now -h --help --version --campaign --segment
			--send --rate'
		argopts+=' --campaign --segment --rate' ;;
	crm-inbox)
		opts='--db --now --add-leads -h --help --version' ;;
	crm-import)
		opts='--db --now -h --help --version --from --type --map
			--ignore --extra --encoding --photos -n --dry-run
			--skip-bad'
		argopts+=' --from --type --map --ignore --encoding' ;;
	crm-export)
		# --version here is the vCard's, and takes 3.0 or 4.0
		opts='--db --now -h --help --to --where --raw --version
			--subject --prune'
		argopts+=' --to --where --version --subject' ;;
	crm-dupes)
		opts="$common --type --min"
		argopts+=' --type --min' ;;
	crm-merge)
		opts="$common --keep"
		argopts+=' --keep' ;;
	crm-history)
		opts="$common --since --user --txn"
		argopts+=' --since --user --txn' ;;
	crm-undo)
		opts='--db --now -h --help --version -n --dry-run --force' ;;
	crm-check)
		opts="$common --repair" ;;
	crm-forget)
		opts='--db --now -h --help --version' ;;
	crm-compact)
		opts='--db -h --help --version' ;;
	crm-gc)
		opts='--db --now -h --help --version --keep -n --dry-run'
		argopts+=' --keep' ;;
	crm-user)
		opts="$common --role --team"
		argopts+=' --role --team' ;;
	crm-report)
		opts='--db -j --json -H --header --now -h --help --version
			--csv --chart --where --by --count --sum --avg --min
			--max --distinct --top --sort --funnel --forecast
			--win-rate --cycle-time --churn --campaign --window'
		argopts+=' --where --by --sum --avg --min --max --distinct'
		argopts+=' --top --sort --campaign --window' ;;
	*)
		opts=$common ;;
	esac

	# Walk the words before the cursor for --db and the operands.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if ((skip)); then
			((skip--))
			[[ $prev_opt == --db ]] && _crm_db=$w
			[[ $prev_opt == --to ]] && to=$w
			continue
		fi
		if [[ -z $dashdash ]]; then
			case $w in
			--)
				dashdash=1
				continue ;;
			--db=*)
				_crm_db=${w#--db=}
				continue ;;
			--to=*)
				to=${w#--to=}
				continue ;;
			--next=*)
				# --next WHEN TEXT: the text is the next word
				[[ $cmd == crm-log ]] && skip=1
				prev_opt=--next-text
				continue ;;
			--save=*|--drop=*)
				[[ $cmd == crm-segment ]] && mode=${w%%=*}
				continue ;;
			--*=*)
				continue ;;
			--?*)
				[[ " $argopts " == *" $w "* ]] && skip=1
				[[ $cmd == crm-log && $w == --next ]] && skip=2
				[[ $w == --list || $w == --rm ]] && mode=$w
				[[ $cmd == crm-segment &&
					($w == --save || $w == --drop) ]] && mode=$w
				prev_opt=$w
				continue ;;
			-?*)
				# -f (and -n of crm-log) take an argument, the
				# rest of the word or else the next word
				w=${w#-}
				prev_opt=
				line=${w%%["$shortargs"]*}
				if ((${#line} == ${#w} - 1)); then
					skip=1
					prev_opt=-${w: -1}
				fi
				continue ;;
			esac
		fi
		operands+=("$w")
	done
	case $_crm_db in
	\~)   _crm_db=$HOME ;;
	\~/*) _crm_db=$HOME/${_crm_db#\~/} ;;
	esac

	local opt='' val=$cur
	if ((skip)); then
		opt=$prev_opt
		[[ $opt == --next ]] && ((skip == 1)) && opt=--next-text
	elif [[ -z $dashdash && $cur == --*=* ]]; then
		opt=${cur%%=*}
		val=${cur#*=}
	fi

	if [[ -n $opt ]]; then
		# The argument of an option.
		local pre=${cur%"$val"}
		case $opt in
		--db)
			if [[ -z $pre || $val == "${COMP_WORDS[COMP_CWORD]}" ]]
			then
				# bash sees a file name: it quotes it and adds
				# the slash
				compopt -o filenames 2>/dev/null
				w=
			else
				compopt -o nospace 2>/dev/null
				w=/
			fi
			while IFS= read -r line; do
				COMPREPLY+=("$pre$line$w")
			done < <(compgen -d -- "$val") ;;
		--from)
			if [[ $cmd == crm-import ]]; then
				_crm_add "${pre}csv" "${pre}google" \
					"${pre}outlook" "${pre}thunderbird" \
					"${pre}vcard" "${pre}jsonl"
			else
				_crm_add "${pre}jsonl" "${pre}csv"
			fi ;;
		--to)
			_crm_add "${pre}jsonl" "${pre}csv" "${pre}vcard" \
				"${pre}vdir" "${pre}ical" ;;
		--version)
			[[ $cmd == crm-export ]] &&
				_crm_add "${pre}3.0" "${pre}4.0" ;;
		--encoding)
			_crm_add "${pre}UTF-8" "${pre}UTF-16" "${pre}WINDOWS-1250" \
				"${pre}WINDOWS-1252" "${pre}ISO-8859-1" \
				"${pre}ISO-8859-2" ;;
		--type)
			cur=$val _crm_add_schema '' types
			COMPREPLY=("${COMPREPLY[@]/#/$pre}") ;;
		--priority)
			_crm_add "${pre}high" "${pre}normal" "${pre}low" ;;
		--keep)
			if [[ $cmd == crm-gc ]]; then
				# an age: days, weeks, months or years
				_crm_add "${pre}90d" "${pre}8w" "${pre}6m" \
					"${pre}1y" "${pre}2y"
			else
				_crm_add "${pre}first" "${pre}oldest" \
					"${pre}newest"
			fi ;;
		--role)
			_crm_add "${pre}admin" "${pre}manager" "${pre}rep" ;;
		--team)
			while IFS= read -r w; do
				[[ -n $w && $w == "$val"* ]] &&
					COMPREPLY+=("$pre$w")
			done < <(_crm_users 3) ;;
		--within|--every)
			_crm_add "${pre}1d" "${pre}3d" "${pre}1w" "${pre}1m" ;;
		--now|--at|--next|--due|--since)
			cur=$val _crm_add now today tomorrow yesterday \
				mon tue wed thu fri sat sun eow eom
			COMPREPLY=("${COMPREPLY[@]/#/$pre}") ;;
		--dir)
			_crm_add "${pre}in" "${pre}out" ;;
		--user)
			# the login names; the journal has those of $CRM_USER
			while IFS= read -r w; do
				COMPREPLY+=("$pre$w")
			done < <(compgen -u -- "$val") ;;
		--window)
			_crm_add "${pre}7d" "${pre}14d" "${pre}30d" "${pre}90d" ;;
		--by)
			# key,key,...: the key after the last comma
			w=
			[[ $val == *,* ]] && w=${val%,*},
			cur=${val##*,} _crm_add_keys "${operands[0]}"
			COMPREPLY=("${COMPREPLY[@]/#/$pre$w}")
			compopt -o nospace 2>/dev/null ;;
		--min)
			if [[ $cmd == crm-dupes ]]; then
				# a score from 0 to 1
				_crm_add "${pre}0.5" "${pre}0.7" "${pre}0.9"
			else
				cur=$val _crm_add_keys "${operands[0]}"
				COMPREPLY=("${COMPREPLY[@]/#/$pre}")
			fi ;;
		--sum|--avg|--max|--distinct)
			cur=$val _crm_add_keys "${operands[0]}"
			COMPREPLY=("${COMPREPLY[@]/#/$pre}") ;;
		--drop)
			[[ $cmd == crm-segment ]] && cur=$val _crm_add_segments
			COMPREPLY=("${COMPREPLY[@]/#/$pre}") ;;
		--segment)
			cur=$val _crm_add_segments
			COMPREPLY=("${COMPREPLY[@]/#/$pre}") ;;
		--csv)
			# field,field,...: the field after the last comma
			w=
			[[ $val == *,* ]] && w=${val%,*},
			cur=${val##*,} _crm_add_schema '' fields
			COMPREPLY=("${COMPREPLY[@]/#/$pre$w}")
			compopt -o nospace 2>/dev/null ;;
		esac
	elif [[ -z $dashdash && $cur == -* ]]; then
		# shellcheck disable=SC2086
		_crm_add $opts
	else
		case $cmd in
		crm-add)
			if ((${#operands[@]} == 0)); then
				_crm_add_schema '' types
			elif [[ $cur != *=* ]]; then
				_crm_add_schema '=' fields "${operands[0]}"
				compopt -o nospace 2>/dev/null
			fi ;;
		crm-set)
			# ids first, then field=value, field+=tag, field-=tag
			if [[ $cur != *=* && $cur != [0-9]* && $cur != - ]]; then
				_crm_add_schema '=' fields
				compopt -o nospace 2>/dev/null
			fi ;;
		crm-log)
			# ids, then the kind (those of the default schema)
			if [[ -z $mode && $cur != [0-9]* && $cur != - ]]; then
				for w in "${operands[@]}"; do
					[[ $w == - || $w =~ ^[1-9][0-9]*$ ]] ||
						mode=kind
				done
				[[ -z $mode ]] && _crm_add call email meeting \
					note purchase payment quote contract \
					complaint letter visit
			fi ;;
		crm-task)
			((${#operands[@]} == 0)) && _crm_add add done ls rm ;;
		crm-report)
			((${#operands[@]} == 0)) && _crm_add persons \
				companies deals tasks interactions ;;
		crm-import)
			# the file to read
			if ((${#operands[@]} == 0)); then
				compopt -o filenames 2>/dev/null
				while IFS= read -r w; do
					COMPREPLY+=("$w")
				done < <(compgen -f -- "$cur")
			fi ;;
		crm-export)
			# --to vdir DIR, or --to csv FIELD,FIELD,...
			if ((${#operands[@]} == 0)) && [[ $to == vdir ]]; then
				compopt -o filenames 2>/dev/null
				while IFS= read -r w; do
					COMPREPLY+=("$w")
				done < <(compgen -d -- "$cur")
			elif ((${#operands[@]} == 0)) && [[ $to == csv ]]; then
				w=
				[[ $cur == *,* ]] && w=${cur%,*},
				cur=${cur##*,} _crm_add_schema '' fields
				COMPREPLY=("${COMPREPLY[@]/#/$w}")
				compopt -o nospace 2>/dev/null
			fi ;;
		crm-mailmerge)
			# the template, a file; then the ids
			if ((${#operands[@]} == 0)); then
				compopt -o filenames 2>/dev/null
				while IFS= read -r w; do
					COMPREPLY+=("$w")
				done < <(compgen -f -- "$cur")
			fi ;;
		crm-segment)
			# a query, or the name of a saved segment
			[[ -z $mode && ${#operands[@]} -eq 0 ]] &&
				_crm_add_segments ;;
		crm-user)
			# the subcommand, then a user: a login name to add,
			# one of the store's to change or remove
			if ((${#operands[@]} == 0)); then
				_crm_add add set rm ls whoami
			elif ((${#operands[@]} == 1)); then
				case ${operands[0]} in
				add)
					while IFS= read -r w; do
						COMPREPLY+=("$w")
					done < <(compgen -u -- "$cur") ;;
				set|rm)
					while IFS= read -r w; do
						[[ $w == "$cur"* ]] &&
							COMPREPLY+=("$w")
					done < <(_crm_users 1) ;;
				esac
			fi ;;
		crm-schema)
			if ((${#operands[@]} == 0)); then
				_crm_add show apply types fields
			elif ((${#operands[@]} == 1)); then
				case ${operands[0]} in
				apply)
					compopt -o filenames 2>/dev/null
					while IFS= read -r w; do
						COMPREPLY+=("$w")
					done < <(compgen -f -- "$cur") ;;
				fields)
					_crm_add_schema '' types ;;
				esac
			fi ;;
		esac
	fi

	# bash replaces only its own current word, which is shorter than
	# ours when it split at '='.
	local bw=${COMP_WORDS[COMP_CWORD]}
	if [[ $cur != "$bw" && $cur == *"$bw" ]]; then
		local strip=${cur%"$bw"}
		COMPREPLY=("${COMPREPLY[@]#"$strip"}")
	fi
	return 0
}

complete -F _crm crm-add crm-show crm-find crm-set crm-rm crm-log crm-schema crm-task crm-due crm-segment crm-optout crm-report crm-mailmerge crm-inbox crm-import crm-export crm-dupes crm-merge crm-history crm-undo crm-check crm-forget crm-compact crm-gc crm-user
