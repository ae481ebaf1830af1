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
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL := $(STD) $(WARN) $(OPT) $(SAN) -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL := $(PKG_LIBS) -lpthread -lm $(SAN)

# ---- gang ---------------------------------------------------------------
MODULES  := core usb stlink target flash image profile serial db sched console report cli
LIB_SRC  := $(foreach m,$(MODULES),$(wildcard src/$(m)/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
GANG_LIB := $(BUILD)/libgang.a

# ---- virtual bench --------------------------------------------------------
SIM_SRC  := $(wildcard tools/sim/*.c)
SIM_OBJ  := $(SIM_SRC:tools/sim/%.c=$(BUILD)/simobj/%.o)
SIM_SO   := $(BUILD)/libgangsim.so
SIM_LIB  := $(BUILD)/libgangsim.a
SIM_CFLAGS := $(STD) $(WARN) $(OPT) $(SAN) -fPIC -fvisibility=hidden -Isrc -Itools/sim $(PKG_CFLAGS) $(CFLAGS)
SIM_LIBS := -lunicorn -lconfig -lpthread -lm $(SAN)

# ---- tests: one Criterion binary per tests/<dir>/ ---------------------------
TEST_DIRS := $(filter-out tests/lib tests/fixtures,$(patsubst %/,%,$(sort $(dir $(wildcard tests/*/test_*.c)))))
TEST_BINS := $(TEST_DIRS:tests/%=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/lib/*.c)

.PHONY: all test demo bench deps clean install uninstall headertest loader firmware torture
all: $(BUILD)/gang $(SIM_SO)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/simobj/%.o: tools/sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(SIM_CFLAGS) -MMD -MP -c $< -o $@

# Database migrations are embedded into the binary from db/migrations/*.sql.
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
$(BUILD)/gen/migrations.inc: tools/embed-sql $(MIGRATIONS)
	@mkdir -p $(dir $@)
	tools/embed-sql $@ $(MIGRATIONS)
$(BUILD)/obj/db/db_migrate.o: $(BUILD)/gen/migrations.inc

$(GANG_LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/gang: $(BUILD)/obj/main.o $(GANG_LIB)
	$(CC) $(OPT) $(SAN) -o $@ $^ $(LDLIBS_ALL)

$(SIM_SO): $(SIM_OBJ)
	$(CC) -shared $(SAN) -o $@ $^ $(SIM_LIBS)

$(SIM_LIB): $(SIM_OBJ)
	rm -f $@ && ar rcs $@ $^

# tests/sim links the bench objects directly; every other test links libgang.
$(BUILD)/tests/sim: $(wildcard tests/sim/*.c) $(TESTLIB_SRC) $(SIM_LIB) $(SIM_SO)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) $(SAN) -Isrc -Itools/sim -Itests/lib $(PKG_CFLAGS) -o $@ $(filter %.c,$^) $(SIM_LIB) -lcriterion $(SIM_LIBS) $(LDLIBS_ALL)

# Other test binaries link the bench (build/libgangsim.so) in place of
# libusb, so gang's real USB code runs against virtual probes; each test
# picks its bench with GANGSIM_BENCH/GANGSIM_STATE before gang_usb_new().
TEST_LIBS := -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lgangsim $(filter-out -lusb-1.0,$(PKG_LIBS)) -lpthread -lm $(SAN)
$(BUILD)/tests/%: $(GANG_LIB) $(SIM_SO) $(TESTLIB_SRC) FORCE_TESTDEP
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(OPT) $(SAN) -Isrc -Itests/lib $(PKG_CFLAGS) -o $@ $(wildcard tests/$*/*.c) $(TESTLIB_SRC) $(GANG_LIB) -lcriterion $(TEST_LIBS)

.PHONY: FORCE_TESTDEP
FORCE_TESTDEP:

test: deps-check all $(TEST_BINS)
	@tools/run-tests $(TEST_BINS)

demo: deps-check all
	@tools/demo

deps:
	@tools/install-deps

deps-check:
	@tools/install-deps --quiet

headertest:
	@for h in $$(find src -name '*.h'); do \
		echo "#include \"$${h#src/}\"" | $(CC) $(STD) $(WARN) -Isrc $(PKG_CFLAGS) -x c -fsyntax-only - || exit 1; \
	done; echo "headers compile alone"

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(SIM_OBJ:.o=.d) $(BUILD)/obj/main.d
