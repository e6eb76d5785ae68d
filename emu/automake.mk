# emu/: sriov-nic-emu, an emulated SR-IOV NIC in switchdev mode that speaks
# the Linux kernel's netlink UAPI over unix sockets and forwards packets.
