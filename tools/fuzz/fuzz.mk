# tools/fuzz/fuzz.mk — build and run gang's libFuzzer targets (docs/fuzzing.md).
#
# Standalone:   make -f tools/fuzz/fuzz.mk fuzz        (from the repository root)
# Or included by the top Makefile (`include tools/fuzz/fuzz.mk`), giving:
#   make fuzz          build/fuzz/fuzz_<target>: clang -fsanitize=fuzzer,address,undefined
#   make fuzz-smoke    every target, FUZZ_RUNS inputs from its corpus, fixed seed (CI)
#   make fuzz-replay   build/fuzz/replay_<target>: $(CC) + ASan/UBSan, no libFuzzer;
#                      replays the committed corpora (a regression check without clang)
# Long campaigns, merges and crash reproduction: tools/fuzz/run (see its usage).
# Every name here starts with FUZZ_/fuzz so the fragment cannot clash with the
# top Makefile; objects live in build/fuzz/ apart from the product's.

BUILD      ?= build
CC         ?= cc
FUZZ_CC    ?= clang
FUZZ_OUT   := $(BUILD)/fuzz
FUZZ_RUNS  ?= 20000
FUZZ_SEED  ?= 1

FUZZ_WARN  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
# pkg-config is asked on first use (memoized by the eval), not when this file
# is read: on a fresh machine the -dev packages are installed by $(FUZZ_DEPS),
# an order-only prerequisite of every compile and link below, so the flags
# must not be taken before it ran. Keep everything built from them recursive (=).
FUZZ_DEPS  ?= fuzz-deps
FUZZ_PKG_CFLAGS = $(eval FUZZ_PKG_CFLAGS := $(shell pkg-config --cflags libusb-1.0 libconfig 2>/dev/null))$(FUZZ_PKG_CFLAGS)
FUZZ_PKG_LIBS   = $(eval FUZZ_PKG_LIBS := $(shell pkg-config --libs libusb-1.0 libconfig 2>/dev/null) -lpthread -lm)$(FUZZ_PKG_LIBS)
# UBSan findings must abort, or libFuzzer would only print them and go on.
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS = -std=c11 -D_GNU_SOURCE $(FUZZ_WARN) -g -O1 -Isrc -Itools/fuzz $(FUZZ_PKG_CFLAGS)

FUZZ_TARGETS := ihex srec elf bin auto patch profile stlink_reply

# Product sources each target links: only the modules it exercises, so one
# module's work in progress cannot break every target.
# tools/fuzz/fuzz_image.c (the image invariants) goes with the image set.
FUZZ_SRC_image   := $(wildcard src/core/*.c src/image/*.c) tools/fuzz/fuzz_image.c
# The profile is checked against the part table, whose families name their
# flash driver and option-byte fields: the target, flash and probe layers link.
FUZZ_SRC_profile := $(FUZZ_SRC_image) $(wildcard src/profile/*.c) src/serial/serial_format.c src/serial/mac.c \
		    $(wildcard src/flash/*.c src/target/*.c src/stlink/*.c src/usb/*.c)
FUZZ_SRC_stlink  := $(wildcard src/core/*.c src/stlink/*.c src/usb/*.c)

FUZZ_BINS   := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/replay_%)

.PHONY: fuzz fuzz-smoke fuzz-replay fuzz-deps
# Standalone (make -f tools/fuzz/fuzz.mk) the packages are checked here; the
# top Makefile sets FUZZ_DEPS to its own deps-check instead.
fuzz-deps:
	@tools/install-deps --quiet
fuzz: $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_SEED=$(FUZZ_SEED) BUILD=$(BUILD) tools/fuzz/run --no-build smoke

# Findings listed in tools/fuzz/known are tolerated here as in tools/fuzz/run
# (the corpora hold inputs that reach them); `tools/fuzz/run repro` is strict.
FUZZ_KNOWN := $(shell sed -e 's/\#.*//' tools/fuzz/known 2>/dev/null | awk 'NF {print $$1}' | paste -sd, -)

fuzz-replay: $(FUZZ_REPLAY)
	@for t in $(FUZZ_TARGETS); do \
		GANG_FUZZ_KNOWN=$(FUZZ_KNOWN) LSAN_OPTIONS=suppressions=$(CURDIR)/tools/fuzz/lsan.supp \
			$(FUZZ_OUT)/replay_$$t tools/fuzz/corpus/$$t || exit 1; \
	done

# libFuzzer objects: instrumented for coverage and sanitizers.
$(FUZZ_OUT)/lf/%.o: %.c | $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

# Replay objects: the ordinary compiler with its sanitizers.
$(FUZZ_OUT)/rp/%.o: %.c | $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(FUZZ_FLAGS) $(FUZZ_SAN) -MMD -MP -c $< -o $@

# $(1) target name, $(2) source set (image, profile, stlink). $$(FUZZ_PKG_LIBS) is
# escaped so that it is expanded when the link runs, not by the eval.
define FUZZ_TARGET_RULES
$(FUZZ_OUT)/fuzz_$(1): $(FUZZ_OUT)/lf/tools/fuzz/fuzz_$(1).o $(FUZZ_OUT)/lf/tools/fuzz/fuzz_common.o \
		$(patsubst %.c,$(FUZZ_OUT)/lf/%.o,$(FUZZ_SRC_$(2))) | $(FUZZ_DEPS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $$@ $$^ $$(FUZZ_PKG_LIBS)

$(FUZZ_OUT)/replay_$(1): $(FUZZ_OUT)/rp/tools/fuzz/fuzz_$(1).o $(FUZZ_OUT)/rp/tools/fuzz/fuzz_common.o \
		$(FUZZ_OUT)/rp/tools/fuzz/fuzz_replay.o $(patsubst %.c,$(FUZZ_OUT)/rp/%.o,$(FUZZ_SRC_$(2))) | $(FUZZ_DEPS)
	$(CC) $(FUZZ_SAN) -o $$@ $$^ $$(FUZZ_PKG_LIBS)
endef

$(eval $(call FUZZ_TARGET_RULES,ihex,image))
$(eval $(call FUZZ_TARGET_RULES,srec,image))
$(eval $(call FUZZ_TARGET_RULES,elf,image))
$(eval $(call FUZZ_TARGET_RULES,bin,image))
$(eval $(call FUZZ_TARGET_RULES,auto,image))
$(eval $(call FUZZ_TARGET_RULES,patch,image))
$(eval $(call FUZZ_TARGET_RULES,profile,profile))
$(eval $(call FUZZ_TARGET_RULES,stlink_reply,stlink))

-include $(shell find $(FUZZ_OUT) -name '*.d' 2>/dev/null)
