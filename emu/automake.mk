# emu/: sriov-nic-emu, an emulated SR-IOV NIC in switchdev mode that speaks
# the Linux kernel's netlink UAPI over unix sockets and forwards packets.

# The NIC's hardware: its flow table and packet pipeline.
noinst_LIBRARIES += emu/libemu.a
emu_libemu_a_SOURCES = \
	emu/emu-control.c \
	emu/emu-control.h \
	emu/emu-dataplane.c \
	emu/emu-dataplane.h \
	emu/emu-endpoint.c \
	emu/emu-endpoint.h \
	emu/emu-endpoint-afpacket.c \
	emu/emu-endpoint-stream.c \
	emu/emu-genl.c \
	emu/emu-genl.h \
	emu/emu-netlink.c \
	emu/emu-netlink.h \
	emu/emu-nic.c \
	emu/emu-nic.h \
	emu/emu-rtnl.c \
	emu/emu-rtnl.h \
	emu/emu-flow-table.c \
	emu/emu-flow-table.h \
	emu/emu-pipeline.c \
	emu/emu-pipeline.h

# Benchmark of the flow table: "make bench" builds and runs it.
noinst_PROGRAMS += tests/bench/emu-bench
tests_bench_emu_bench_SOURCES = tests/bench/emu-bench.c
tests_bench_emu_bench_LDADD = \
	emu/libemu.a \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(OVS_LIBS)

# Benchmark of the netlink control plane through the daemon's socket.
noinst_PROGRAMS += tests/bench/emu-nl-bench
tests_bench_emu_nl_bench_SOURCES = \
	tests/bench/emu-nl-bench.c \
	tests/bench/bench-emu.c \
	tests/bench/bench-emu.h
tests_bench_emu_nl_bench_LDADD = \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(MNL_LIBS) $(OVS_LIBS)

bench: tests/bench/emu-bench tests/bench/emu-nl-bench emu/sriov-nic-emu
	tests/bench/emu-bench
	tests/bench/emu-nl-bench --emu=emu/sriov-nic-emu
	tests/bench/offload-bench --emu=emu/sriov-nic-emu
PHONY += bench

# The daemon.
sbin_PROGRAMS += emu/sriov-nic-emu
emu_sriov_nic_emu_SOURCES = emu/sriov-nic-emu.c
emu_sriov_nic_emu_LDADD = \
	emu/libemu.a \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(MNL_LIBS) $(OVS_LIBS)
dist_man_MANS += emu/sriov-nic-emu.8
