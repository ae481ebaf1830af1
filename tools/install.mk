# install.mk — `make install` and `make uninstall` (the work is done by
# tools/install.sh; this file only passes make's variables on). Included at
# the end of the Makefile:  include tools/install.mk
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [UDEVDIR=]
#   make uninstall [PREFIX=/usr/local] [DESTDIR=]
#
# Written to be order-independent (it may also be read through MAKEFILES=),
# so it sets its own defaults with ?= instead of relying on the Makefile's.

BUILD   ?= build
PREFIX  ?= /usr/local
DESTDIR ?=
UDEVDIR ?=

.PHONY: install uninstall
install: $(BUILD)/gang
	tools/install.sh install --destdir '$(DESTDIR)' --prefix '$(PREFIX)' \
		--binary '$(BUILD)/gang' $(if $(UDEVDIR),--udevdir '$(UDEVDIR)')

uninstall:
	tools/install.sh uninstall --destdir '$(DESTDIR)' --prefix '$(PREFIX)'
