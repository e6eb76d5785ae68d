# vswitchd/: ovs-vswitchd = Open vSwitch's own vswitchd objects, unmodified,
# linked with the ovs-eswitch plugin.
sbin_PROGRAMS += vswitchd/ovs-vswitchd
vswitchd_ovs_vswitchd_SOURCES = plugins/eswitch-plugin.c
vswitchd_ovs_vswitchd_LDADD = \
	$(OVS_BUILDDIR)/vswitchd/bridge.o \
	$(OVS_BUILDDIR)/vswitchd/ovs-vswitchd.o \
	$(OVS_BUILDDIR)/vswitchd/system-stats.o \
	plugins/libeswitch-plugins.a \
	lib/libeswitch.a \
	$(OVS_LDADD) \
	$(MNL_LIBS) $(NL_LIBS) $(OVS_LIBS)
