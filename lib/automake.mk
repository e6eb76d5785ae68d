# lib/: code with no dependency on a running ovs-vswitchd: translation of
# megaflows into hardware rules, netlink codecs, the emulator's tables.
noinst_LIBRARIES += lib/libeswitch.a
lib_libeswitch_a_SOURCES = \
	lib/esw-flower.c \
	lib/esw-flower.h \
	lib/esw-offload-xlate.c \
	lib/esw-offload-xlate.h \
	lib/tc-flower-codec.c \
	lib/tc-flower-codec.h \
	lib/devlink-codec.c \
	lib/devlink-codec.h \
	lib/esw-netlink.c \
	lib/esw-netlink.h \
	lib/esw-nl-transport.c \
	lib/esw-nl-transport.h \
	lib/esw-nic-model.h \
	lib/genl-ctrl-codec.c \
	lib/genl-ctrl-codec.h \
	lib/rtnl-link-codec.c \
	lib/rtnl-link-codec.h \
	lib/esw-version.c \
	lib/esw-version.h \
	lib/nl-extack.c \
	lib/nl-extack.h
lib_libeswitch_a_CPPFLAGS = $(AM_CPPFLAGS) \
	-DESW_PACKAGE_STRING='"$(PACKAGE_STRING)"'
