# tests/kernel/: the real-kernel test bed.
#
# "make check-kernel" boots Debian's kernel under qemu (TCG) and runs the
# kernel tests in it; see tests/kernel/README.rst.  It is not part of
# "make check" (the first run downloads about 80 MB of Debian packages);
# utilities/ovs-eswitch-dev's "check" runs it after "make check".
#
# When the test bed cannot run here ("esw-testbed check" exits 77) it
# prints "SKIP: check-kernel: <reason>" and succeeds, unless
# ESW_KERNEL_TESTS=required, which turns the skip into a failure.

EXTRA_DIST += \
	tests/kernel/README.rst \
	tests/kernel/esw-testbed \
	tests/kernel/smoke.sh \
	tests/kernel/lib-kernel-net.sh \
	tests/kernel/differential.sh \
	tests/kernel/tc-offload-bench.sh

## esw-pkt: sends and captures exact frames in the kernel tests (libc only).
noinst_PROGRAMS += tests/kernel/esw-pkt
tests_kernel_esw_pkt_SOURCES = tests/kernel/esw-pkt.c

ESW_TESTBED = $(top_srcdir)/tests/kernel/esw-testbed
# Flags for "esw-testbed run", e.g. ESW_TESTBED_RUNFLAGS='--timeout 600 -v'.
ESW_TESTBED_RUNFLAGS =
# The kernel tests, each run in its own VM by "esw-testbed run".
KERNEL_TESTS = \
	$(top_srcdir)/tests/kernel/smoke.sh \
	$(top_srcdir)/tests/kernel/differential.sh

# The cache is ./testbed-cache in the top build directory (make runs there),
# or $ESW_TESTBED_CACHE.
check-kernel: all
	@echo "check-kernel: can the real-kernel test bed run here?"; \
	st=0; '$(ESW_TESTBED)' check --no-boot > tests/kernel-check.log 2>&1 || st=$$?; \
	cat tests/kernel-check.log; \
	if test $$st -eq 77; then \
	  why=`sed -n 's/^esw-testbed: NO: //p' tests/kernel-check.log`; \
	  echo "SKIP: check-kernel: $$why"; \
	  if test "$(ESW_KERNEL_TESTS)" = required; then \
	    echo "check-kernel: ESW_KERNEL_TESTS=required: failing instead of skipping"; \
	    exit 1; \
	  fi; \
	  exit 0; \
	elif test $$st -ne 0; then \
	  echo "check-kernel: esw-testbed check failed (status $$st)"; \
	  exit $$st; \
	fi; \
	pass=0; fail=0; failed=; \
	for t in $(KERNEL_TESTS); do \
	  echo "check-kernel: running $$t in the VM"; \
	  st=0; '$(ESW_TESTBED)' run $(ESW_TESTBED_RUNFLAGS) "$$t" || st=$$?; \
	  if test $$st -eq 0; then \
	    pass=`expr $$pass + 1`; echo "PASS: $$t"; \
	  else \
	    fail=`expr $$fail + 1`; failed="$$failed $$t"; \
	    echo "FAIL: $$t (exit status $$st)"; \
	  fi; \
	done; \
	echo "check-kernel: $$pass passed, $$fail failed"; \
	test $$fail -eq 0
CLEANFILES += tests/kernel-check.log
PHONY += check-kernel

# "make bench-kernel": our offload engine against Open vSwitch's own TC
# offload in the VM's kernel (tests/kernel/tc-offload-bench.sh), with
# BENCH_KERNEL_N megaflows.  Prints figures; not a test.
BENCH_KERNEL_N = 1000
bench-kernel: all
	'$(ESW_TESTBED)' run --timeout 900 $(ESW_TESTBED_RUNFLAGS) \
	  '$(top_srcdir)/tests/kernel/tc-offload-bench.sh' $(BENCH_KERNEL_N)
PHONY += bench-kernel
