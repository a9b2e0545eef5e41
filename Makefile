# Makefile - crm: customer relationship management for the shell
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = lmdb yaml-0.1 libcjson libutf8proc

override CFLAGS := -Wall -Wextra -O2 -g $(CFLAGS)
override CPPFLAGS := -Ilib $(shell $(PKG_CONFIG) --cflags $(PKGS)) $(CPPFLAGS)
# GMime (MIME, RFC 2047) only for the commands that write or read mail,
# so that the others start without GLib
MAILCMDS = crm-inbox crm-mailmerge
GMIME_CFLAGS = $(shell $(PKG_CONFIG) --cflags gmime-3.0)
GMIME_LIBS = $(shell $(PKG_CONFIG) --libs gmime-3.0)
# Debian ships archives of LMDB, libyaml and utf8proc: linking them in
# leaves fewer shared objects to load at each start (STATIC=0 to not)
STATIC ?= 1
ifeq ($(STATIC),1)
LDLIBS = -Wl,-Bstatic -llmdb -lyaml -lutf8proc -Wl,-Bdynamic \
	$(shell $(PKG_CONFIG) --libs libcjson) -lpthread -lm
else
LDLIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lm
endif
ifdef DEVELOPER
override CFLAGS += -Werror
endif
ifdef SANITIZE
override CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
override LDFLAGS += -fsanitize=$(SANITIZE)
endif

CMDS = crm-add crm-due crm-dupes crm-export crm-find crm-history crm-import crm-inbox crm-log crm-mailmerge crm-merge crm-optout crm-report crm-rm crm-schema crm-segment crm-set crm-show crm-task crm-undo
LIBOBJ = $(patsubst %.c,%.o,$(sort $(wildcard lib/*.c) lib/schema_default.c))
MAN1 = $(wildcard man/*.1)
MAN7 = $(wildcard man/*.7)

# rebuild everything when the flags change (make check SANITIZE=...)
FLAGS = $(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $(LDLIBS)
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

crm-%: cmd/crm-%.o lib/libcrm.a .flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS)

$(MAILCMDS): %: cmd/%.o lib/libcrm.a .flags
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS) \
		$(GMIME_LIBS)

tests/unit/test-lib: tests/unit/test-lib.o lib/libcrm.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libcrm.a $(LDLIBS) \
		$(GMIME_LIBS)

check: all tests/unit/test-lib
	LC_ALL=C TZ=UTC PATH="$(CURDIR):$$PATH" prove --exec '' \
		tests/unit/test-lib tests/[0-9]*.t < /dev/null

bench: all
	tests/bench/run

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

clean:
	rm -f $(CMDS) lib/*.o lib/libcrm.a lib/schema_default.c cmd/*.o \
		tests/unit/*.o tests/unit/test-lib .flags

.PHONY: all check bench install clean
.SECONDARY:
