# utilities/: command-line tools and scripts of ovs-eswitch.

## esw-netlink-redirect.so: an LD_PRELOAD library that sends the netlink
## sockets of unmodified programs (iproute2's ip, tc, devlink) to
## sriov-nic-emu.  Automake without libtool builds no shared objects, so it
## is built by hand.  It is loaded into foreign processes: libc only, none
## of Open vSwitch's headers or library (hence no $(AM_CPPFLAGS)).
ESW_NETLINK_REDIRECT_SO = utilities/esw-netlink-redirect.so
EXTRA_DIST += utilities/esw-netlink-redirect.c
CLEANFILES += $(ESW_NETLINK_REDIRECT_SO)

$(ESW_NETLINK_REDIRECT_SO): utilities/esw-netlink-redirect.c
	$(AM_V_CC)$(MKDIR_P) utilities && \
	$(CC) -shared -fPIC $(AM_CFLAGS) $(CFLAGS) $(LDFLAGS) \
	  -o $@ $(srcdir)/utilities/esw-netlink-redirect.c -ldl -lpthread

all-local: $(ESW_NETLINK_REDIRECT_SO)

# The CUnit tests run ip, tc and devlink with the library preloaded.
check-unit: $(ESW_NETLINK_REDIRECT_SO)

# Installed in $(pkglibdir), where esw-nl looks for it.
ESW_NETLINK_REDIRECT_INSTALLED = $(pkglibdir)/esw-netlink-redirect.so

install-exec-local: $(ESW_NETLINK_REDIRECT_SO)
	$(MKDIR_P) '$(DESTDIR)$(pkglibdir)'
	$(INSTALL_PROGRAM) $(ESW_NETLINK_REDIRECT_SO) '$(DESTDIR)$(pkglibdir)'

uninstall-local:
	rm -f '$(DESTDIR)$(ESW_NETLINK_REDIRECT_INSTALLED)'

## esw-nl: runs a command with the library preloaded.  Installed as it is,
## then told where the library is installed.
bin_SCRIPTS += utilities/esw-nl
EXTRA_DIST += utilities/esw-nl

install-exec-hook:
	lib='$(ESW_NETLINK_REDIRECT_INSTALLED)'; \
	sed -i "s|^installed_library=.*|installed_library='$$lib'|" \
	  '$(DESTDIR)$(bindir)/esw-nl'

## The set-up commands and the sandbox.
EXTRA_DIST += utilities/ovs-eswitch-dev utilities/ovs-eswitch-sandbox
dist_man_MANS += \
	utilities/esw-nl.1 \
	utilities/ovs-eswitch-dev.1 \
	utilities/ovs-eswitch-sandbox.1
