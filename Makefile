# gloss: build, test, install.  See README.md.

PREFIX ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CC ?= cc
CFLAGS ?= -O2 -g
SANITIZE ?= 0

STD = -std=c17 -D_GNU_SOURCE
WARN = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
ALL_CFLAGS = $(STD) $(WARN) -Iinclude $(CFLAGS)
SQLITE_CFLAGS := $(shell $(PKG_CONFIG) --cflags sqlite3 2>/dev/null)
SQLITE_LIBS := $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3)
MODEL_LIBS = -lunistring $(SQLITE_LIBS) -pthread

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDSAN = -fsanitize=address,undefined
BUILD = build/san
STATIC ?= 0
else
LDSAN =
BUILD = build/rel
STATIC ?= 1
endif

# The gloss binary is linked statically, the C library included, where the
# archives are installed (Debian's -dev packages have them): loading shared
# libraries is a millisecond of every start.  SQLite's dlopen and friends,
# used only to load extensions (never turned on), are gloss's stand-ins
# (__wrap_dl*, in store.c), so that no part of the C library that needs shared
# libraries at run time is linked in.  Every write() goes through
# __wrap_write (ui.c), which keeps curses' drawing in memory until it is
# whole.  STATIC=0 links shared libraries.
STATIC_ARCHIVES = libncursesw.a libtinfo.a libunistring.a libsqlite3.a libc.a libm.a
STATIC_DL = -Wl,--wrap=dlopen,--wrap=dlerror,--wrap=dlsym,--wrap=dlclose,--wrap=write
ifeq ($(STATIC),1)
ifeq ($(strip $(foreach a,$(STATIC_ARCHIVES),$(if $(filter /%,$(shell $(CC) -print-file-name=$(a))),,$(a)))),)
LDSTATIC = -static-pie
GLOSS_LIBS = $(STATIC_DL) $(CURSES_LIBS) -lunistring $(SQLITE_LIBS) -lm -pthread
endif
endif
GLOSS_LIBS ?= $(CURSES_LIBS) $(MODEL_LIBS)
# bench_curses is linked as gloss is
BENCH_CURSES_LIBS = $(CURSES_LIBS)

MODEL_SRC = $(filter-out src/main.c,$(wildcard src/*.c))
UI_SRC = $(wildcard src/ui/*.c) src/main.c
MODEL_OBJ = $(MODEL_SRC:src/%.c=$(BUILD)/%.o)
UI_OBJ = $(UI_SRC:src/%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS = $(wildcard include/gloss/*.h) $(wildcard src/ui/*.h)

.PHONY: all run check check-only deps install uninstall clean bench lint fuzz soak

all: gloss

ifeq ($(SANITIZE),1)
gloss: $(BUILD)/gloss
else
gloss: $(BUILD)/gloss
	cp $(BUILD)/gloss gloss.new && mv -f gloss.new gloss
endif

$(BUILD)/gloss: $(UI_OBJ) $(BUILD)/libgloss.a
	$(CC) $(LDSAN) $(LDSTATIC) $(LDFLAGS) -o $@ $(UI_OBJ) $(BUILD)/libgloss.a $(GLOSS_LIBS)

# The same objects linked with shared libraries, for the test that runs
# gloss under valgrind (which cannot follow the memory of a static binary).
$(BUILD)/gloss-shared: $(UI_OBJ) $(BUILD)/libgloss.a
	$(CC) $(LDSAN) $(LDFLAGS) -o $@ $(UI_OBJ) $(BUILD)/libgloss.a $(CURSES_LIBS) $(MODEL_LIBS)

$(BUILD)/libgloss.a: $(MODEL_OBJ)
	rm -f $@
	ar rcs $@ $(MODEL_OBJ)

# Model code never sees curses; the UI gets its flags.
$(BUILD)/ui/%.o: src/ui/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CURSES_CFLAGS) -Isrc/ui -c -o $@ $<

$(BUILD)/main.o: src/main.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CURSES_CFLAGS) -Isrc/ui -c -o $@ $<

# Only the store sees SQLite.
$(BUILD)/store.o: src/store.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SQLITE_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.c $(HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# test_store holds SQLite's checkpoint call in a wrapper of its own
$(BUILD)/tests/test_store: TEST_LDFLAGS = -Wl,--wrap=sqlite3_wal_checkpoint_v2

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(BUILD)/libgloss.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDSAN) $(TEST_LDFLAGS) -o $@ $< $(BUILD)/libgloss.a $(MODEL_LIBS)

deps:
	@sh tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory gloss
	./gloss share/*.txt

check: deps
	@$(MAKE) --no-print-directory check-only

check-only: $(BUILD)/gloss $(BUILD)/gloss-shared $(UNIT_BIN)
	@GLOSS=$(BUILD)/gloss GLOSS_SHARED=$(BUILD)/gloss-shared BUILD=$(BUILD) sh tests/run

bench: deps
	@$(MAKE) --no-print-directory SANITIZE=0 build/rel/gloss build/rel/libgloss.a
	$(CC) $(STD) $(WARN) -Iinclude $(CFLAGS) -o build/rel/bench_view bench/bench_view.c build/rel/libgloss.a $(MODEL_LIBS)
	$(CC) $(STD) $(WARN) -Iinclude $(CFLAGS) -o build/rel/bench_anchor bench/bench_anchor.c build/rel/libgloss.a $(MODEL_LIBS)
	$(CC) $(STD) $(WARN) $(CURSES_CFLAGS) $(CFLAGS) $(LDSTATIC) -o build/rel/bench_curses bench/bench_curses.c $(BENCH_CURSES_LIBS)
	@GLOSS=build/rel/gloss BENCH_VIEW=build/rel/bench_view BENCH_ANCHOR=build/rel/bench_anchor BENCH_CURSES=build/rel/bench_curses python3 bench/run

# The crash test with many trials (SOAK_TRIALS), then a fifth as many under
# the sanitizers (built in SAN_BUILD) unless this build is already one.
soak: SOAK_TRIALS ?= 500
soak: SAN_BUILD ?= build/san
soak: $(BUILD)/gloss
	LC_ALL=C.UTF-8 GLOSS=$(abspath $(BUILD)/gloss) GLOSS_CRASH_TRIALS=$(SOAK_TRIALS) python3 tests/screen/test_crash.py
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory SANITIZE=1 BUILD=$(SAN_BUILD) $(SAN_BUILD)/gloss
	LC_ALL=C.UTF-8 GLOSS=$(abspath $(SAN_BUILD)/gloss) GLOSS_CRASH_TRIALS=$$(($(SOAK_TRIALS) / 5)) python3 tests/screen/test_crash.py
endif

lint:
	mandoc -Tlint -W warning man/gloss.1

install: gloss
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/gloss
	install -m 755 gloss $(DESTDIR)$(PREFIX)/bin/gloss
	install -m 644 man/gloss.1 $(DESTDIR)$(PREFIX)/share/man/man1/gloss.1
	install -m 644 share/*.txt $(DESTDIR)$(PREFIX)/share/gloss/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/gloss $(DESTDIR)$(PREFIX)/share/man/man1/gloss.1
	rm -rf $(DESTDIR)$(PREFIX)/share/gloss

clean:
	rm -rf build gloss
