# emu/: sriov-nic-emu, an emulated SR-IOV NIC in switchdev mode that speaks
# the Linux kernel's netlink UAPI over unix sockets and forwards packets.

# The NIC's hardware: its flow table and packet pipeline.
noinst_LIBRARIES += emu/libemu.a
emu_libemu_a_SOURCES = \
	emu/emu-flow-table.c \
	emu/emu-flow-table.h \
	emu/emu-pipeline.c \
	emu/emu-pipeline.h

# Benchmark of the flow table: "make bench" builds and runs it.
noinst_PROGRAMS += tests/bench/emu-bench
tests_bench_emu_bench_SOURCES = tests/bench/emu-bench.c
tests_bench_emu_bench_LDADD = \
	emu/libemu.a \
	$(OVS_LDADD) \
	$(OVS_LIBS)

bench: tests/bench/emu-bench
	tests/bench/emu-bench
PHONY += bench
