# ofproto/: additions to the OpenFlow layer (offload tracing, later).
#
# ofproto/esw-offload-trace.[ch] ("ovs-appctl eswitch/offload-trace") are
# built into plugins/libeswitch-plugins.a (plugins/automake.mk), so that
# they link into ovs-vswitchd with the offload engine that registers them.
