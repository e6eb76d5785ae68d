# plugins/: the providers that ovs-eswitch registers with Open vSwitch.
#
# Everything but eswitch-plugin.c goes into an archive; eswitch-plugin.c,
# whose OVS_CONSTRUCTOR registers the providers, is linked into
# ovs-vswitchd directly (vswitchd/automake.mk) so that it is never dropped.
noinst_LIBRARIES += plugins/libeswitch-plugins.a
plugins_libeswitch_plugins_a_SOURCES = \
	plugins/dpif-eswitch.c \
	plugins/dpif-eswitch.h \
	plugins/esw-offload.c \
	plugins/esw-offload.h \
	plugins/esw-vport.c \
	plugins/esw-vport.h \
	plugins/netdev-offload-eswitch.c \
	plugins/netdev-offload-eswitch.h \
	plugins/netdev-eswitch-vm.c \
	plugins/netdev-eswitch-vm.h \
	plugins/netdev-eswitch-local.c \
	plugins/netdev-eswitch-local.h \
	ofproto/esw-offload-trace.c \
	ofproto/esw-offload-trace.h

EXTRA_DIST += plugins/eswitch-plugin.c

dist_man_MANS += plugins/ovs-eswitch.7
