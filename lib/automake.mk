# lib/: code with no dependency on a running ovs-vswitchd: translation of
# megaflows into hardware rules, netlink codecs, the emulator's tables.
noinst_LIBRARIES += lib/libeswitch.a
lib_libeswitch_a_SOURCES = \
	lib/esw-version.c \
	lib/esw-version.h
lib_libeswitch_a_CPPFLAGS = $(AM_CPPFLAGS) \
	-DESW_PACKAGE_STRING='"$(PACKAGE_STRING)"'
