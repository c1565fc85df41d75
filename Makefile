# reckon: build, test, demo, install, bench. See README.md.
#   make                 ./reckon (optimised, -Werror)
#   make test            deps, sanitizer build, unit + integration tests
#   make demo            deps, build, run reckon on fixtures/demo (SQLite)
#   make install PREFIX=/usr/local   (make uninstall undoes it)
#   make bench           speed figures (never part of make test)

CC ?= cc
PREFIX ?= /usr/local
PKGS = libpq sqlite3 libpcre2-8 libcyaml yaml-0.1 jansson libcrypto zlib libmicrohttpd

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings \
	-Wimplicit-fallthrough
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
	$(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libpq, libmicrohttpd and libcrypto are not linked: db/db_pg.c,
# serve/serve_mhd.c and base/crypto.c load them (dlopen) when a command
# opens a PostgreSQL database, serves or hashes, so that the other
# commands do not pay for their start-up
LINK_PKGS = $(filter-out libpq libmicrohttpd libcrypto,$(PKGS))
LIBS = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -ldl -lpthread -lm
CFLAGS ?= -O2 -g
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

LAYERS = base parsers db detectors core serve cli
SRC = $(sort $(foreach l,$(LAYERS),$(wildcard $(l)/*.c)))
LIB_SRC = $(filter-out cli/main.c,$(SRC))
REL_OBJ = $(SRC:%.c=build/rel/%.o)
SAN_OBJ = $(SRC:%.c=build/san/%.o)
SAN_LIB_OBJ = $(LIB_SRC:%.c=build/san/%.o)
UNIT = $(patsubst tests/unit/%.c,build/san/tests/%,$(wildcard tests/unit/test_*.c))
ITEST_C = $(patsubst tests/integration/%.c,build/san/itests/%,$(wildcard tests/integration/*.c))

all: reckon

# --as-needed: only the libraries reckon calls get loaded at start-up
reckon: $(REL_OBJ)
	$(CC) $(CFLAGS) -Wl,--as-needed -o $@ $(REL_OBJ) $(LIBS)

# Web assets (serve/web/*) become C arrays in build/gen/*.inc (embed.sh).
WEB = $(wildcard serve/web/*)
GEN = $(patsubst serve/web/%,build/gen/%.inc,$(WEB))
build/gen/%.inc: serve/web/% scripts/embed.sh
	@mkdir -p $(dir $@)
	./scripts/embed.sh $< $@ $(subst .,_,$(subst -,_,$(notdir $<)))

# every header, the layers' own (serve/serve_int.h, core/run.h) too
HDR = $(wildcard include/reckon/*/*.h) $(foreach l,$(LAYERS),$(wildcard $(l)/*.h))

build/rel/%.o: %.c $(HDR) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ibuild/gen $(CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(HDR) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ibuild/gen -O1 -g $(SAN) -c -o $@ $<

build/san/reckon: $(SAN_OBJ)
	$(CC) $(SAN) -o $@ $(SAN_OBJ) $(LIBS)

build/san/tests/%: tests/unit/%.c $(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_LIB_OBJ) $(LIBS) -lcmocka

# test_lazylib compiles db/db_pg.c, serve/serve_mhd.c and base/crypto.c
# in itself, with library names that do not exist, so it links without
# their objects
LAZYLIB_OBJ = build/san/db/db_pg.o build/san/serve/serve_mhd.o \
	build/san/base/crypto.o
build/san/tests/test_lazylib: tests/unit/test_lazylib.c db/db_pg.c \
	serve/serve_mhd.c serve/serve_int.h base/crypto.c $(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Idb -Ibuild/gen -O1 -g $(SAN) -o $@ $< \
		$(filter-out $(LAZYLIB_OBJ),$(SAN_LIB_OBJ)) $(LIBS) -lcmocka

build/san/itests/%: tests/integration/%.c $(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_LIB_OBJ) $(LIBS) -lcmocka

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang; make test runs
# each for FUZZ_RUNS executions from its committed seeds (fuzz-smoke).
FUZZ_CC ?= clang-14
FUZZ_FLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
	-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
FUZZ_BASE = base/util.c base/err.c base/buf.c
FUZZ_SPLIT = parsers/sql_lex.c parsers/sql_split.c
FUZZ = build/fuzz/fuzz_sql build/fuzz/fuzz_ddl build/fuzz/fuzz_migname \
	build/fuzz/fuzz_config
FUZZ_RUNS ?= 20000

build/fuzz/fuzz_sql: tests/fuzz/fuzz_sql.c $(FUZZ_SPLIT) $(FUZZ_BASE)
build/fuzz/fuzz_ddl: tests/fuzz/fuzz_ddl.c parsers/ddl.c parsers/ddl_cursor.c \
	parsers/ddl_list.c \
	parsers/ddl_name.c $(FUZZ_SPLIT) $(FUZZ_BASE)
build/fuzz/fuzz_migname: tests/fuzz/fuzz_migname.c parsers/migname.c \
	$(FUZZ_BASE)
build/fuzz/fuzz_config: tests/fuzz/fuzz_config.c core/config.c \
	parsers/migpattern.c $(FUZZ_BASE)
FUZZ_LIBS_fuzz_config = $(shell pkg-config --libs libcyaml libpcre2-8 \
	2>/dev/null)
$(FUZZ): $(wildcard include/reckon/*/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^) \
		$(FUZZ_LIBS_$(notdir $@))

fuzz: $(FUZZ)

# Seeds: fixtures for the SQL targets, tests/fuzz/corpus for the others;
# new inputs go to build/fuzz/work-*, never into the committed seeds.
fuzz-smoke: $(FUZZ)
	@for t in $(FUZZ); do \
		n=$$(basename $$t); seeds=tests/fuzz/corpus/$${n#fuzz_}; \
		case $$n in fuzz_sql) seeds=fixtures/split;; \
		fuzz_ddl) seeds="fixtures/ddl fixtures/split";; esac; \
		mkdir -p build/fuzz/work-$$n; \
		$$t -runs=$(FUZZ_RUNS) -seed=1 build/fuzz/work-$$n $$seeds \
			>build/fuzz/$$n.log 2>&1 || \
			{ echo "FAILED: $$n (build/fuzz/$$n.log)"; \
			  tail -30 build/fuzz/$$n.log; exit 1; }; \
		echo "  ok   $$n: $(FUZZ_RUNS) runs from $$seeds"; \
	done

# Every include points down the layers (scripts/check-layers.sh).
check-layers:
	@./scripts/check-layers.sh

deps:
	@./scripts/deps.sh

test-deps:
	@./scripts/deps.sh test

# The test build: everything under ASan + UBSan, then every test.
test: test-deps
	@$(MAKE) --no-print-directory test-build
	@./tests/run-all.sh

test-build: reckon build/san/reckon $(UNIT) $(ITEST_C)

demo: deps
	@$(MAKE) --no-print-directory reckon
	@./scripts/demo.sh

# Completion scripts go where each shell looks for them under PREFIX; the
# scripts are made by the reckon just built, from its own tables.
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
INSTALLED = $(PREFIX)/bin/reckon $(PREFIX)/share/man/man1/reckon.1 \
	$(PREFIX)/share/man/man5/reckon.yaml.5 $(BASHCOMPDIR)/reckon \
	$(ZSHCOMPDIR)/_reckon $(FISHCOMPDIR)/reckon.fish

install: reckon
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 reckon $(DESTDIR)$(PREFIX)/bin/reckon
	install -m 644 man/reckon.1 $(DESTDIR)$(PREFIX)/share/man/man1/reckon.1
	install -m 644 man/reckon.yaml.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/reckon.yaml.5
	./reckon completion bash >$(DESTDIR)$(BASHCOMPDIR)/reckon
	./reckon completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_reckon
	./reckon completion fish >$(DESTDIR)$(FISHCOMPDIR)/reckon.fish
	chmod 644 $(DESTDIR)$(BASHCOMPDIR)/reckon \
		$(DESTDIR)$(ZSHCOMPDIR)/_reckon $(DESTDIR)$(FISHCOMPDIR)/reckon.fish

# Removes what install put there, and nothing else (the directories stay:
# other programs' files live in them).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

bench: deps
	@$(MAKE) --no-print-directory reckon
	@./bench/run.sh

format:
	clang-format -i $(SRC) $(wildcard */*.h) include/reckon/*/*.h \
		tests/unit/*.c tests/integration/*.c

clean:
	rm -rf build reckon

.PHONY: all deps test-deps test test-build demo install uninstall bench format clean \
	fixtures-update itest fuzz fuzz-smoke check-layers

# Rewrite fixtures/*/*.expected from the parsers' current output (review
# the diff before committing).
fixtures-update: build/san/tests/test_fixtures
	RECKON_FIXTURES_UPDATE=1 ./build/san/tests/test_fixtures

# One integration test by name, e.g. make itest T=frameworks
itest: build/san/reckon
	pg_virtualenv -t -o fsync=off bash tests/integration/run.sh $(T)
