# reckon: build, test, demo, install, bench. See README.md.
#   make                 ./reckon (optimised, -Werror)
#   make test            deps, sanitizer build, unit + integration tests
#   make demo            deps, build, run reckon on fixtures/demo (SQLite)
#   make install PREFIX=/usr/local
#   make bench           speed figures (never part of make test)

CC ?= cc
PREFIX ?= /usr/local
PKGS = libpq sqlite3 libpcre2-8 libcyaml jansson libcrypto zlib libmicrohttpd

WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wwrite-strings \
	-Wimplicit-fallthrough
BASE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
	$(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
CFLAGS ?= -O2 -g
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer

SRC = $(sort $(wildcard src/*.c detectors/*.c parsers/*.c))
LIB_SRC = $(filter-out src/main.c,$(SRC))
REL_OBJ = $(SRC:%.c=build/rel/%.o)
SAN_OBJ = $(SRC:%.c=build/san/%.o)
SAN_LIB_OBJ = $(LIB_SRC:%.c=build/san/%.o)
UNIT = $(patsubst tests/unit/%.c,build/san/tests/%,$(wildcard tests/unit/test_*.c))
ITEST_C = $(patsubst tests/integration/%.c,build/san/itests/%,$(wildcard tests/integration/*.c))

all: reckon

# --as-needed: only the libraries reckon calls get loaded at start-up
reckon: $(REL_OBJ)
	$(CC) $(CFLAGS) -Wl,--as-needed -o $@ $(REL_OBJ) $(LIBS)

# Web assets (src/web/*) become C arrays in build/gen/*.inc (embed.sh).
WEB = $(wildcard src/web/*)
GEN = $(patsubst src/web/%,build/gen/%.inc,$(WEB))
build/gen/%.inc: src/web/% scripts/embed.sh
	@mkdir -p $(dir $@)
	./scripts/embed.sh $< $@ $(subst .,_,$(subst -,_,$(notdir $<)))

build/rel/%.o: %.c $(wildcard include/reckon/*.h) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ibuild/gen $(CFLAGS) -c -o $@ $<

build/san/%.o: %.c $(wildcard include/reckon/*.h) $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Ibuild/gen -O1 -g $(SAN) -c -o $@ $<

build/san/reckon: $(SAN_OBJ)
	$(CC) $(SAN) -o $@ $(SAN_OBJ) $(LIBS)

build/san/tests/%: tests/unit/%.c $(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_LIB_OBJ) $(LIBS) -lcmocka

build/san/itests/%: tests/integration/%.c $(SAN_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -O1 -g $(SAN) -o $@ $< $(SAN_LIB_OBJ) $(LIBS) -lcmocka

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

install: reckon
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 reckon $(DESTDIR)$(PREFIX)/bin/reckon
	install -m 644 man/reckon.1 $(DESTDIR)$(PREFIX)/share/man/man1/reckon.1
	install -m 644 man/reckon.yaml.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/reckon.yaml.5

bench: deps
	@$(MAKE) --no-print-directory reckon
	@./bench/run.sh

format:
	clang-format -i $(SRC) include/reckon/*.h tests/unit/*.c tests/integration/*.c

clean:
	rm -rf build reckon

.PHONY: all deps test-deps test test-build demo install bench format clean \
	fixtures-update itest

# Rewrite fixtures/*/*.expected from the parsers' current output (review
# the diff before committing).
fixtures-update: build/san/tests/test_fixtures
	RECKON_FIXTURES_UPDATE=1 ./build/san/tests/test_fixtures

# One integration test by name, e.g. make itest T=frameworks
itest: build/san/reckon
	pg_virtualenv -t -o fsync=off bash tests/integration/run.sh $(T)
