# gang — production-line gang programmer for STM32 through ST-Link probes.
#
#   make            build build/gang and the virtual bench build/libgangsim.so
#   make test       build and run every Criterion test (unit + bench integration)
#   make demo       run the demo batch on the virtual bench
#   make bench      benchmarks (modeled time from the bench's clock)
#   make deps       install missing Debian packages (apt-get, sudo when not root)
#
# Each src/<module>/ is one concern; objects are collected per module directory.

CC       ?= cc
BUILD    ?= build
SAN      ?=
OPT      ?= -O2 -g
STD      := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
PKGS     := libusb-1.0 libconfig sqlite3 ncursesw
# pkg-config is asked on first use, not when the Makefile is read: on a fresh
# machine the -dev packages arrive through deps-check (tools/install-deps),
# which every rule that compiles or links runs first as an order-only
# prerequisite. The eval keeps the answer, so pkg-config runs once per make.
# Everything built from these must stay recursive (=), never :=.
PKG_CFLAGS = $(eval PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PKG_CFLAGS)
PKG_LIBS   = $(eval PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null))$(PKG_LIBS)
CFLAGS_ALL = $(STD) $(WARN) $(OPT) $(SAN) -Isrc -I$(BUILD)/gen $(PG_DEFS) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(SAN)

# ---- database backends ----------------------------------------------------
# SQLite is always built. The PostgreSQL backend (src/db/pg/) is optional, as
# redis builds TLS only with BUILD_TLS: WITH_PG=auto builds it when
# pkg-config finds libpq (PG_PKG) and the backend's sources exist, yes insists
# (an error otherwise), no leaves it out. Without it, gang refuses a
# postgresql:// database with a sentence naming libpq-dev (src/db/store.c).
# Unlike PKGS, libpq is asked about when the Makefile is read (the
# conditionals below need the answer). tools/install-deps installs it, so the
# entry points `make check`, `make test` and `make demo` install packages
# first and then read this Makefile again (a sub-make); and the objects
# depend on $(BUILD)/gen/pg_flags, which changes when the answer does, so a
# build made before libpq arrived is rebuilt with the backend.
WITH_PG  ?= auto
PG_PKG   ?= libpq
PG_SRC   := $(wildcard src/db/pg/*.c)
ifeq ($(WITH_PG),no)
PG_STATUS := PostgreSQL backend: not built (WITH_PG=no)
else ifneq ($(shell pkg-config --exists $(PG_PKG) 2>/dev/null && echo yes),yes)
PG_STATUS := PostgreSQL backend: not built (libpq-dev missing)
else ifeq ($(PG_SRC),)
PG_STATUS := PostgreSQL backend: not built (no backend in src/db/pg/ yet)
else
PG_STATUS := PostgreSQL backend: built (libpq)
PG_ON    := yes
endif
ifeq ($(WITH_PG)$(PG_ON),yes)
$(error WITH_PG=yes but $(PG_STATUS))
endif
ifeq ($(PG_ON),yes)
PKGS     += $(PG_PKG)
PG_DEFS  := -DGANG_WITH_PG=1
PG_MODULE := db/pg
endif

# ---- gang ---------------------------------------------------------------
MODULES  := core usb stlink target flash image profile serial db db/sqlite $(PG_MODULE) sched console report cli
LIB_SRC  := $(foreach m,$(MODULES),$(wildcard src/$(m)/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
GANG_LIB := $(BUILD)/libgang.a

# ---- virtual bench --------------------------------------------------------
SIM_SRC  := $(wildcard tools/sim/*.c)
SIM_OBJ  := $(SIM_SRC:tools/sim/%.c=$(BUILD)/simobj/%.o)
SIM_SO   := $(BUILD)/libgangsim.so
SIM_LIB  := $(BUILD)/libgangsim.a
# The bench library is preloaded into stock clients (st-flash, OpenOCD): it is
# never built with sanitizers (SIM_SAN), whatever SAN says.
SIM_SAN  ?=
SIM_CFLAGS = $(STD) $(WARN) $(OPT) $(SIM_SAN) -fPIC -fvisibility=hidden -Isrc -Itools/sim $(PKG_CFLAGS) $(CFLAGS)
SIM_LIBS := -lunicorn -lconfig -lpthread -lm $(SIM_SAN)

# ---- tests: one Criterion binary per tests/<dir>/ ---------------------------
TEST_DIRS := $(filter-out tests/lib tests/fixtures,$(patsubst %/,%,$(sort $(dir $(wildcard tests/*/test_*.c)))))
TEST_BINS := $(TEST_DIRS:tests/%=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)

.PHONY: all check check-suites test proof-slice demo bench deps deps-check clean install uninstall headertest loader firmware torture generated-check sanitize tsan memcheck
all: $(BUILD)/gang $(SIM_SO)
	@echo "$(PG_STATUS)"

$(BUILD)/obj/%.o: src/%.c $(BUILD)/gen/pg_flags | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# Rewritten (when the Makefile is read) only when the PostgreSQL answer
# changes, so objects built before libpq arrived are rebuilt with it.
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD)/gen && (echo '$(PG_DEFS)' | cmp -s - $(BUILD)/gen/pg_flags || \
	echo '$(PG_DEFS)' > $(BUILD)/gen/pg_flags))
endif

$(BUILD)/simobj/%.o: tools/sim/%.c | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) -MMD -MP -c $< -o $@

# The SQLite backend's migrations are embedded into the binary from
# db/migrations/sqlite/*.sql (each backend has its own numbered series).
SQLITE_MIGRATIONS := $(sort $(wildcard db/migrations/sqlite/*.sql))
$(BUILD)/gen/sqlite_migrations.inc: tools/embed-sql $(SQLITE_MIGRATIONS)
	@mkdir -p $(dir $@)
	tools/embed-sql $@ $(SQLITE_MIGRATIONS)
$(BUILD)/obj/db/sqlite/sqlite_migrate.o: $(BUILD)/gen/sqlite_migrations.inc
PG_MIGRATIONS := $(sort $(wildcard db/migrations/pg/*.sql))
$(BUILD)/gen/pg_migrations.inc: tools/embed-sql $(PG_MIGRATIONS)
	@mkdir -p $(dir $@)
	tools/embed-sql $@ $(PG_MIGRATIONS)
$(BUILD)/obj/db/pg/pg_migrate.o: $(BUILD)/gen/pg_migrations.inc

$(GANG_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/gang: $(BUILD)/obj/main.o $(GANG_LIB) | deps-check
	$(CC) $(OPT) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(SIM_SO): $(SIM_OBJ) | deps-check
	$(CC) -shared $(SAN) -o $@ $^ $(SIM_LIBS)

$(SIM_LIB): $(SIM_OBJ)
	rm -f $@ && ar rcs $@ $^

# tests/sim links the bench objects directly (not libgang, nor tests/lib, which
# drives gang); every other test links libgang and the helpers in tests/lib.
$(BUILD)/tests/sim: $(wildcard tests/sim/*.c) $(SIM_LIB) $(SIM_SO) | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) $(SAN) -Isrc -Itools/sim $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(SIM_LIB) -lcriterion $(SIM_LIBS) $(LDLIBS_ALL)

# Other test binaries link the bench (build/libgangsim.so) in place of
# libusb, so gang's real USB code runs against virtual probes; each test
# picks its bench with GANGSIM_BENCH/GANGSIM_STATE before gang_usb_new().
TEST_LIBS = -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lgangsim $(filter-out -lusb-1.0,$(PKG_LIBS)) -lpthread -lm $(SAN)
$(BUILD)/tests/%: $(GANG_LIB) $(SIM_SO) $(TESTLIB_SRC) FORCE_TESTDEP | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) $(SAN) -Isrc -Itests/lib $(PG_DEFS) $(PKG_CFLAGS) -o $@ $(wildcard tests/$*/*.c) $(TESTLIB_SRC) $(GANG_LIB) -lcriterion $(TEST_LIBS)

.PHONY: FORCE_TESTDEP
FORCE_TESTDEP:

# `make check`: the suites alone (≈ 1.5 min); `make test` (CI): the suites, then
# the proof slice (≈ 8 min on 2 cores).
check: deps-check
	@$(MAKE) --no-print-directory check-suites

check-suites: all $(TEST_BINS) generated-check
	@tools/run-tests $(TEST_BINS)

test: check
	@$(MAKE) --no-print-directory proof-slice

# Generated bytes are committed; with the ARM toolchain present they must
# match a fresh build of their sources.
generated-check:
	@if command -v arm-none-eabi-gcc >/dev/null; then \
		tools/loader/gen.sh --check && tools/firmware/build.sh --check; \
	else echo "arm-none-eabi-gcc absent: committed loader/firmware bytes not rebuilt"; fi

loader:
	tools/loader/gen.sh

firmware:
	tools/firmware/build.sh

# Standalone benchmark programs (each its own main).
$(BUILD)/db-bench: tools/bench/db-bench.c $(GANG_LIB) | deps-check
	$(CC) $(CFLAGS_ALL) -o $@ $< $(GANG_LIB) $(LDLIBS_ALL)
$(BUILD)/report-bench: tools/bench/report-bench.c $(GANG_LIB) | deps-check
	$(CC) $(CFLAGS_ALL) -o $@ $< $(GANG_LIB) $(LDLIBS_ALL)
$(BUILD)/pg-bench: tools/bench/pg-bench.c tests/lib/pgserver.c $(GANG_LIB) | deps-check
	$(CC) $(CFLAGS_ALL) -Itests/lib -o $@ $< tests/lib/pgserver.c $(GANG_LIB) $(LDLIBS_ALL)

demo: deps-check
	@$(MAKE) --no-print-directory all
	@tools/demo

# The test suites under AddressSanitizer + UndefinedBehaviorSanitizer (gang and
# the tests instrumented; the preloaded bench library is not, hence the link
# order check is off; leaks inside Unicorn, Criterion and ncurses are
# suppressed in tools/sanitize/lsan.supp).
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
sanitize: deps-check
	$(MAKE) BUILD=build/asan SAN="$(SAN_FLAGS)" OPT="-O1 -g" all
	$(MAKE) BUILD=build/asan SAN="$(SAN_FLAGS)" OPT="-O1 -g" $(TEST_DIRS:tests/%=build/asan/tests/%)
	ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(abspath tools/sanitize/lsan.supp) \
		GANG_ITEST_GANG=$(abspath build/asan/gang) tools/run-tests $(TEST_DIRS:tests/%=build/asan/tests/%)

# gang under ThreadSanitizer through the production runs of the integration and
# console suites (tools/sanitize/tsan-run says why the test binaries are not).
tsan: deps-check all $(BUILD)/tests/integration $(BUILD)/tests/console
	$(MAKE) BUILD=build/tsan SAN="-fsanitize=thread" OPT="-O1 -g" build/tsan/gang
	tools/sanitize/tsan-run build/tsan/gang $(BUILD)/tests/integration $(BUILD)/tests/console

# A whole 4-slot production run under valgrind memcheck (tools/sanitize/memcheck-run).
memcheck: deps-check all
	@tools/sanitize/memcheck-run

# What CI runs after the suites: a bounded torture (fault matrix, disk full and
# read-only, 5 kill cycles), the fuzz smoke run, ASan+UBSan, TSan. memcheck is
# not in it: under valgrind the bench's timing-based operator can stall a run
# (docs in tools/sanitize/memcheck-run); run `make memcheck` by hand.
proof-slice:
	@echo "== proof slice: torture (all --cycles 5)"
	@$(MAKE) --no-print-directory torture TORTURE_ARGS="all --cycles 5"
	@echo "== proof slice: fuzz smoke"
	@$(MAKE) --no-print-directory fuzz-smoke
	@echo "== proof slice: ASan+UBSan"
	@$(MAKE) --no-print-directory sanitize
	@echo "== proof slice: TSan"
	@$(MAKE) --no-print-directory tsan

deps:
	@tools/install-deps

deps-check:
	@tools/install-deps --quiet

headertest: | deps-check
	@for h in $$(find src -name '*.h'); do \
		echo "#include \"$${h#src/}\"" | $(CC) $(STD) $(WARN) -Isrc $(PKG_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "headers compile alone"

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(SIM_OBJ:.o=.d) $(BUILD)/obj/main.d
include tools/install.mk

# Crash/fault torture (docs/torture.md); CI slice (proof-slice): TORTURE_ARGS="all --cycles 5"
TORTURE_ARGS ?= all
$(BUILD)/torture: tools/torture/torture.c tests/integration/itest.c tests/integration/itest.h $(GANG_LIB) | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) $(SAN) -Isrc -Itests/integration $(PKG_CFLAGS) -o $@ tools/torture/torture.c tests/integration/itest.c $(GANG_LIB) $(LDLIBS_ALL)
torture: all $(BUILD)/torture
	$(BUILD)/torture $(TORTURE_ARGS)

# Benchmarks (docs/benchmarks.md); `make bench QUICK=1` for a smoke run.
$(BUILD)/bench/bench-util: tools/bench/bench-util.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) -o $@ $<
$(BUILD)/bench/libhostcpu.so: tools/bench/hostcpu.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) -shared -fPIC -o $@ $< -ldl
bench: all $(BUILD)/bench/bench-util $(BUILD)/bench/libhostcpu.so
	@tools/bench/run $(if $(QUICK),--quick)

# fuzz.mk's compile rules wait for deps-check too (FUZZ_DEPS).
FUZZ_DEPS := deps-check
include tools/fuzz/fuzz.mk
