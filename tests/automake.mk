# tests/: CUnit unit tests and the OVS autotest suite.
#
# "make check" runs both: first tests/esw-unittest (CUnit, its summary
# printed as CUnit prints it), then tests/testsuite (OVS autotest, with
# Open vSwitch's own test macros and our binaries first on AUTOTEST_PATH).

## CUnit.
check_PROGRAMS += tests/esw-unittest
tests_esw_unittest_SOURCES = \
	tests/unit/esw-unittest.c \
	tests/unit/esw-unittest.h \
	tests/unit/esw-test-fuzz.c \
	tests/unit/esw-test-fuzz.h \
	tests/unit/test-dpif-eswitch.c \
	tests/unit/test-rtnl-link-codec.c \
	tests/unit/test-devlink-codec.c \
	tests/unit/test-link-oracle.c \
	tests/unit/test-emu-flow-table.c \
	tests/unit/test-emu-pipeline.c \
	tests/unit/test-emu-endpoint.c \
	tests/unit/test-emu-netlink.c \
	tests/unit/test-tc-oracle.c \
	tests/unit/test-tc-flower-codec.c \
	tests/unit/test-esw-flower.c \
	tests/unit/test-esw-offload-xlate.c \
	tests/unit/test-netlink-redirect.c \
	tests/unit/test-nl-extack.c \
	tests/unit/test-esw-nl-transport.c
tests_esw_unittest_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_esw_unittest_LDADD = \
	plugins/libeswitch-plugins.a \
	emu/libemu.a \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(MNL_LIBS) $(NL_LIBS) $(CUNIT_LIBS) $(OVS_LIBS)

## Benchmark of the offload engine against sriov-nic-emu ("make bench").
noinst_PROGRAMS += tests/bench/offload-bench
tests_bench_offload_bench_SOURCES = \
	tests/bench/offload-bench.c \
	tests/bench/bench-emu.c \
	tests/bench/bench-emu.h
tests_bench_offload_bench_LDADD = \
	plugins/libeswitch-plugins.a \
	emu/libemu.a \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(MNL_LIBS) $(NL_LIBS) $(OVS_LIBS)

## Autotest.
TESTSUITE_AT = \
	tests/testsuite.at \
	tests/eswitch-macros.at \
	tests/dpif-eswitch.at \
	tests/sriov-nic-emu.at \
	tests/system-emu.at \
	tests/vm-port.at \
	tests/offload.at \
	tests/offload-trace.at
TESTSUITE = $(builddir)/tests/testsuite
TESTSUITE_PATCH = $(builddir)/tests/testsuite.tmp
AUTOTEST = $(AUTOM4TE) -l autotest
EXTRA_DIST += $(TESTSUITE_AT) tests/atlocal.in
DISTCLEANFILES += tests/atconfig tests/atlocal
CLEANFILES += $(TESTSUITE) tests/package.m4

# Our vswitchd and utilities come before Open vSwitch's; OVS's vswitchd
# directory is deliberately absent, so "ovs-vswitchd" is always ours.
AUTOTEST_PATH = $(abs_top_builddir)/vswitchd:$(abs_top_builddir)/emu:$(abs_top_builddir)/utilities:$(abs_top_srcdir)/utilities:$(OVS_BUILDDIR)/utilities:$(OVS_BUILDDIR)/ovsdb:$(OVS_BUILDDIR)/tests

tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN):;{ \
	  echo '# Signature of the current package.' && \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])' && \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])' && \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])' && \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])' && \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} >'$@'

$(TESTSUITE): tests/package.m4 $(TESTSUITE_AT)
	$(AM_V_GEN)$(AUTOTEST) -I '$(builddir)/tests' -I '$(srcdir)' \
	  -I '$(OVS_SRCDIR)' -o '$@.tmp' '$(srcdir)/tests/testsuite.at' \
	  && mv '$@.tmp' '$@'

check-unit: tests/esw-unittest
	tests/esw-unittest

check-autotest: $(TESTSUITE) tests/atconfig tests/atlocal all
	$(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(AUTOTEST_PATH)' \
	  $(TESTSUITEFLAGS)

check-local: check-unit check-autotest
PHONY += check-unit check-autotest

clean-local:
	test ! -f '$(TESTSUITE)' || $(SHELL) '$(TESTSUITE)' -C tests --clean

## The main job, run as CI runs it (root, network namespaces).
EXTRA_DIST += tests/sandbox-check.sh
check-sandbox: all
	$(SHELL) $(srcdir)/tests/sandbox-check.sh '$(abs_top_builddir)'
PHONY += check-sandbox

## Oracle data captured from iproute2, and the scripts that capture it.
EXTRA_DIST += \
	tests/data/capture-netlink.sh \
	tests/data/capture-link-netlink.sh \
	$(wildcard $(srcdir)/tests/data/tc/*.txt) \
	$(wildcard $(srcdir)/tests/data/link/*.txt) \
	tests/data/link/README
