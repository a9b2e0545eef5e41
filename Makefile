# Makefile - crm: customer relationship management for the shell
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
# where a shared install (make install-shared) keeps its store
SYSTEM_DB ?= /var/lib/crm
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = lmdb yaml-0.1 libcjson libutf8proc nettle

override CFLAGS := -Wall -Wextra -O2 -g $(CFLAGS)
override CPPFLAGS := -Ilib $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CPPFLAGS)
# GMime (MIME, RFC 2047) only for the commands that write or read mail,
# so that the others start without GLib
MAILCMDS = crm-inbox crm-mailmerge
GMIME_CFLAGS = $(shell $(PKG_CONFIG) --cflags gmime-3.0)
GMIME_LIBS = $(shell $(PKG_CONFIG) --libs gmime-3.0)
# Debian ships archives of LMDB, libyaml and utf8proc: linking them in
# leaves fewer shared objects to load at each start (STATIC=0 to not).
# libcjson, which it does not, and nettle, whose constructor would run
# at every start, are opened at their first use (lib/lazy.c), so they
# are never linked.
STATIC ?= 1
ifeq ($(STATIC),1)
LDLIBS = -Wl,-Bstatic -llmdb -lyaml -lutf8proc -Wl,-Bdynamic -lpthread -lm
else
LDLIBS = $(shell $(PKG_CONFIG) --libs lmdb yaml-0.1 libutf8proc) -lm
endif
ifdef DEVELOPER
override CFLAGS += -Werror
endif
ifdef SANITIZE
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

CMDS = crm-add crm-check crm-compact crm-due crm-dupes crm-export crm-find crm-forget crm-gc crm-history crm-import crm-inbox crm-log crm-mailmerge crm-merge crm-optout crm-report crm-rm crm-schema crm-segment crm-set crm-show crm-task crm-undo crm-user
LIBOBJ = $(patsubst %.c,%.o,$(sort $(wildcard lib/*.c) lib/schema_default.c))
MAN1 = $(wildcard man/*.1)
MAN7 = $(wildcard man/*.7)

# rebuild everything when the flags change (make check SANITIZE=...)
FLAGS = $(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(LDLIBS) $(SYSTEM_DB)
$(shell echo '$(FLAGS)' | cmp -s - .flags || echo '$(FLAGS)' > .flags)

all: $(CMDS)

lib/schema_default.c: schema/default.yaml
	{ echo '/* generated from schema/default.yaml */'; \
	  echo 'const char crm_schema_default[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(LIBOBJ) cmd/*.o tests/unit/*.o: lib/crm.h lib/internal.h .flags

lib/libcrm.a: $(LIBOBJ)
	$(AR) rcs $@ $(LIBOBJ)

lib/mime.o: CPPFLAGS += $(GMIME_CFLAGS)

lib/sysdb.o: CPPFLAGS += -DCRM_SYSTEM_DB='"$(SYSTEM_DB)"'
lib/sysdb.o: Makefile

crm-%: cmd/crm-%.o lib/libcrm.a .flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS)

$(MAILCMDS): %: cmd/%.o lib/libcrm.a .flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS) \
		$(GMIME_LIBS)

tests/unit/test-lib: tests/unit/test-lib.o lib/libcrm.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS) \
		$(GMIME_LIBS)

# a shared install's commands, of a store of the tests' own, for the
# test that installs them setgid for two Unix users
SHAREDTEST = /tmp/crm-shared-test
SHAREDCMDS = crm-add crm-export crm-find crm-import crm-mailmerge crm-segment \
	crm-set crm-show crm-user
tests/shared/sysdb.o: lib/sysdb.c lib/crm.h .flags
	@mkdir -p tests/shared
	$(CC) $(CFLAGS) $(CPPFLAGS) \
		-DCRM_SYSTEM_DB='"$(SHAREDTEST)/store"' -c -o $@ lib/sysdb.c
tests/shared/nolsan.o: tests/sgid/nolsan.c .flags
	@mkdir -p tests/shared
	$(CC) $(CFLAGS) -c -o $@ tests/sgid/nolsan.c
tests/shared/crm-%: cmd/crm-%.o tests/shared/sysdb.o tests/shared/nolsan.o \
		lib/libcrm.a .flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/shared/sysdb.o \
		tests/shared/nolsan.o lib/libcrm.a $(LDLIBS) \
		$(if $(filter $(MAILCMDS),crm-$*),$(GMIME_LIBS))

# make check VALGRIND=1: the commands and the unit tests run under
# memcheck, through wrappers in tests/vg put first in PATH; an error or a
# definite leak makes them exit 99, and so the test fail.  CRM_VALGRIND
# tells the tests, which skip what they time.  No vgdb: its FIFOs in
# /tmp outlive the commands the tests kill.
CHECKPATH = $(CURDIR)
CHECKUNIT = tests/unit/test-lib
ifdef VALGRIND
CHECKPATH = $(CURDIR)/tests/vg:$(CURDIR)
CHECKUNIT = tests/vg/test-lib
CHECKENV = CRM_VALGRIND=1
endif
VG = valgrind -q --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--track-fds=no --vgdb=no \
	--suppressions=$(CURDIR)/tests/valgrind.supp

check: all tests/unit/test-lib $(SHAREDCMDS:%=tests/shared/%) \
		$(if $(VALGRIND),tests/vg)
	LC_ALL=C TZ=UTC $(CHECKENV) PATH="$(CHECKPATH):$$PATH" \
		prove --exec '' $(CHECKUNIT) tests/[0-9]*.t < /dev/null

tests/vg: all tests/unit/test-lib
	@command -v valgrind >/dev/null || \
		{ echo 'make check VALGRIND=1 needs valgrind' >&2; exit 1; }
	@mkdir -p $@
	@for c in $(CMDS) tests/unit/test-lib; do \
		w=$@/$${c##*/}; \
		printf '#!/bin/sh\nexec %s %s "$$@"\n' '$(VG)' \
			'$(CURDIR)/'$$c >$$w && chmod +x $$w || exit 1; \
	done

bench: all
	tests/bench/run

# libFuzzer harnesses, one for each parser of input crm did not write
# (make fuzz; FUZZ_TIME seconds each).  clang builds its own copy of the
# library in tests/fuzz/build, so the objects above stay gcc's.  Each
# fuzzer grows a scratch corpus there, seeded from tests/fuzz/corpus,
# and leaves what crashed it there too: the tree is only read.
FUZZCC ?= clang
FUZZ_TIME ?= 60
FUZZDIR = tests/fuzz/build
FUZZCFLAGS = -Wall -Wextra -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZERS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/*.c))
FUZZOBJ = $(patsubst lib/%.o,$(FUZZDIR)/lib/%.o,$(LIBOBJ))
# the vCards other programs wrote, read where they are
VCARDS = $(wildcard ../shared/testdata/vcard)

$(FUZZDIR)/lib/%.o: lib/%.c lib/crm.h lib/internal.h
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer-no-link $(CPPFLAGS) \
		-c -o $@ $<

$(FUZZDIR)/lib/mime.o: CPPFLAGS += $(GMIME_CFLAGS)

$(FUZZDIR)/libcrm.a: $(FUZZOBJ)
	$(AR) rcs $@ $(FUZZOBJ)

# as the mail commands, only the harnesses that reach mime.o link GMime
$(FUZZDIR)/fuzz-mime $(FUZZDIR)/fuzz-template: FUZZLIBS = $(GMIME_LIBS)

$(FUZZDIR)/fuzz-%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZDIR)/libcrm.a
	$(FUZZCC) $(FUZZCFLAGS) -fsanitize=fuzzer $(CPPFLAGS) -o $@ $< \
		$(FUZZDIR)/libcrm.a $(LDLIBS) $(FUZZLIBS)

fuzz: $(FUZZERS:%=fuzz-%)

$(FUZZERS:%=fuzz-%): fuzz-%: $(FUZZDIR)/fuzz-%
	@mkdir -p $(FUZZDIR)/corpus/$* $(FUZZDIR)/tmp
	@cp tests/fuzz/corpus/$*/* $(FUZZDIR)/corpus/$*/
	@echo "fuzz-$*: $(FUZZ_TIME)s, log in $(FUZZDIR)/$*.log"
	@TMPDIR=$(CURDIR)/$(FUZZDIR)/tmp \
	$< -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=$(FUZZDIR)/$*- \
		$(patsubst %,-dict=%,$(wildcard tests/fuzz/$*.dict)) \
		$(FUZZDIR)/corpus/$* $(if $(filter vcard,$*),$(VCARDS)) \
		> $(FUZZDIR)/$*.log 2>&1 || \
		{ tail -n 50 $(FUZZDIR)/$*.log; exit 1; }
	@grep -h '^#.*DONE' $(FUZZDIR)/$*.log | sed 's/^/fuzz-$*: /'

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)/crm \
		$(DESTDIR)$(DATADIR)/bash-completion/completions \
		$(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 755 $(CMDS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	install -m 644 schema/default.yaml $(DESTDIR)$(DATADIR)/crm
	for c in $(CMDS); do \
		install -m 644 completions/crm.bash \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/$$c; done
	install -m 644 completions/_crm $(DESTDIR)$(DATADIR)/zsh/site-functions
	for c in $(CMDS); do \
		install -m 644 completions/crm.fish \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/$$c.fish; done

# A store several Unix users share: the commands setgid CRMGROUP (as
# crontab is), the store in SYSTEM_DB open to that group only, so only
# the commands reach it, and they show each user what they may see.
CRMGROUP ?= crm
install-shared: install
	getent group $(CRMGROUP) >/dev/null || groupadd --system $(CRMGROUP)
	for c in $(CMDS); do \
		chgrp $(CRMGROUP) $(DESTDIR)$(BINDIR)/$$c && \
		chmod 2755 $(DESTDIR)$(BINDIR)/$$c || exit 1; done
	mkdir -p $(DESTDIR)$(SYSTEM_DB)
	chgrp $(CRMGROUP) $(DESTDIR)$(SYSTEM_DB)
	chmod 2770 $(DESTDIR)$(SYSTEM_DB)

clean:
	rm -rf $(CMDS) lib/*.o lib/libcrm.a lib/schema_default.c cmd/*.o \
		tests/unit/*.o tests/unit/test-lib .flags $(FUZZDIR) \
		tests/shared tests/vg

.PHONY: all check tests/vg bench fuzz $(FUZZERS:%=fuzz-%) install \
	install-shared clean
.SECONDARY:
