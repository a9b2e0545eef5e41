# lib.sh - what the shell tests share: TAP, a fresh store, helpers
#
# A test sources this, calls plan N, then check 'what' 'shell code' for
# each step.  Each test file gets its own temporary directory and store.
set -u
export LC_ALL=C TZ=UTC CRM_USER=tester
unset XDG_DATA_HOME CRM_DB 2>/dev/null || true
TOP=$(cd "$(dirname "$0")/.." && pwd)
TESTDATA=$TOP/../shared/testdata
T=$(mktemp -d "${TMPDIR:-/tmp}/crm-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export CRM_DB="$T/db" HOME="$T/home"
mkdir -p "$HOME"
cd "$T" || exit 1
n=0

plan() {
	echo "1..$1"
}

# check DESCRIPTION CODE: CODE runs in a subshell; its status is the result
check() {
	n=$((n + 1))
	if (eval "$2") >"$T/log" 2>&1; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		sed 's/^/# /' "$T/log"
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n # skip $1"
}

# must_fail STATUS CMD...: CMD exits with STATUS exactly (and did not crash)
must_fail() {
	want=$1
	shift
	"$@"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "expected exit $want, got $got: $*" >&2
		return 1
	fi
	return 0
}

# expect FILE: compare FILE with the text on stdin, showing a diff
expect() {
	cat >"$T/expected"
	diff -u "$T/expected" "$1"
}

# store_sum: a checksum of the store's records, index and journal
store_sum() {
	mdb_dump -a "$CRM_DB" 2>/dev/null | md5sum
}

# timed CMD...: CMD, a test of how long something took; not made under
# valgrind (make check VALGRIND=1 sets CRM_VALGRIND), where each command
# takes a second or more
timed() {
	[ -n "${CRM_VALGRIND-}" ] || "$@"
}

# as_user_setup: defines as_user CMD..., CMD as a user who is not root
# (nobody, when the tests run as root: $T is opened to it), and sets user
# when there is such a user; root is set when the tests run as root
root=
[ "$(id -u)" -eq 0 ] && root=1
as_user_setup() {
	user=
	if [ ! "$root" ]; then
		user=1
		as_user() {
			"$@"
		}
	elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		user=1
		as_user() {
			setpriv --reuid="$(id -u nobody)" \
			    --regid="$(id -g nobody)" --clear-groups "$@"
		}
		chmod a+x "$T"
	fi
}
