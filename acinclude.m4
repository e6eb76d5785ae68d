# -*- autoconf -*-
# Copyright (c) 2026 The ovs-eswitch authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at:
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

dnl ESW_OVS_VAR(MAKEFILE, NAME)
dnl
dnl Prints the value of variable NAME as substituted by configure into an
dnl Open vSwitch build tree's top-level MAKEFILE.
AC_DEFUN([ESW_OVS_VAR],
  [$SED -n "s/^$2 = *//p" "$1" | $SED 's/ *$//'])

dnl ESW_CHECK_OVS
dnl
dnl Finds the Open vSwitch source and build trees that ovs-eswitch is built
dnl against, and substitutes OVS_SRCDIR, OVS_BUILDDIR, OVS_CPPFLAGS,
dnl OVS_WARNING_FLAGS, OVS_LDADD and OVS_LIBS.
dnl
dnl With --with-ovs-source=DIR [--with-ovs-build=DIR] a user's own, already
dnl built, OVS 3.x tree is used as it is.  Without it, Debian's
dnl openvswitch-source tarball is unpacked into ./ovs under the build tree,
dnl configured and built there once; later runs of configure reuse that
dnl build.  No OVS file is ever copied into the ovs-eswitch sources.
AC_DEFUN([ESW_CHECK_OVS],
  [AC_ARG_WITH([ovs-source],
     [AS_HELP_STRING([--with-ovs-source=DIR],
                     [build against the Open vSwitch 3.x source tree DIR
                      (default: unpack and build Debian's openvswitch-source
                      under the build tree)])],
     [], [with_ovs_source=no])
   AC_ARG_WITH([ovs-build],
     [AS_HELP_STRING([--with-ovs-build=DIR],
                     [the build tree of --with-ovs-source, if it was built
                      out of tree (default: the source tree)])],
     [], [with_ovs_build=no])
   AC_ARG_VAR([OVS_TARBALL],
     [OVS source tarball used when --with-ovs-source is not given
      (default: /usr/src/openvswitch/openvswitch.tar.gz)])
   AC_ARG_VAR([OVS_CONFIGURE_FLAGS],
     [extra arguments for the bundled OVS build's configure])

   if test "$with_ovs_source" = no; then
     if test "$with_ovs_build" != no; then
       AC_MSG_ERROR([--with-ovs-build requires --with-ovs-source])
     fi
     : ${OVS_TARBALL=/usr/src/openvswitch/openvswitch.tar.gz}
     OVS_SRCDIR=`pwd`/ovs
     OVS_BUILDDIR=$OVS_SRCDIR
     ESW_BUILD_BUNDLED_OVS
   else
     OVS_SRCDIR=`cd "$with_ovs_source" 2>/dev/null && pwd`
     if test -z "$OVS_SRCDIR"; then
       AC_MSG_ERROR([--with-ovs-source=$with_ovs_source: no such directory])
     fi
     if test "$with_ovs_build" = no; then
       OVS_BUILDDIR=$OVS_SRCDIR
     else
       OVS_BUILDDIR=`cd "$with_ovs_build" 2>/dev/null && pwd`
       if test -z "$OVS_BUILDDIR"; then
         AC_MSG_ERROR([--with-ovs-build=$with_ovs_build: no such directory])
       fi
     fi
   fi

   AC_MSG_CHECKING([for Open vSwitch provider headers in $OVS_SRCDIR])
   if test -f "$OVS_SRCDIR/lib/dpif-provider.h" \
      && test -f "$OVS_SRCDIR/lib/netdev-offload-provider.h" \
      && test -f "$OVS_SRCDIR/vswitchd/vswitch.ovsschema" \
      && test -f "$OVS_SRCDIR/tests/ofproto-macros.at"; then
     AC_MSG_RESULT([yes])
   else
     AC_MSG_RESULT([no])
     AC_MSG_ERROR([$OVS_SRCDIR is not an Open vSwitch source tree])
   fi

   AC_MSG_CHECKING([for a built Open vSwitch in $OVS_BUILDDIR])
   esw_ovs_missing=
   for f in config.h Makefile lib/.libs/libopenvswitch.a \
            lib/.libs/libsflow.a ofproto/.libs/libofproto.a \
            vswitchd/bridge.o vswitchd/ovs-vswitchd.o \
            vswitchd/system-stats.o utilities/ovs-vsctl \
            ovsdb/ovsdb-server; do
     test -e "$OVS_BUILDDIR/$f" || esw_ovs_missing="$esw_ovs_missing $f"
   done
   if test -n "$esw_ovs_missing"; then
     AC_MSG_RESULT([no])
     AC_MSG_ERROR([Open vSwitch in $OVS_BUILDDIR is not built; missing:$esw_ovs_missing (run make there first)])
   fi
   AC_MSG_RESULT([yes])

   AC_MSG_CHECKING([Open vSwitch version])
   OVS_VERSION=`$SED -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' \
                 "$OVS_BUILDDIR/config.h"`
   AC_MSG_RESULT([$OVS_VERSION])
   case $OVS_VERSION in
     3.*) ;;
     *) AC_MSG_ERROR([Open vSwitch 3.x is required, $OVS_VERSION found]) ;;
   esac

   dnl The libraries OVS itself links with, as its configure found them.
   esw_ovs_mk=$OVS_BUILDDIR/Makefile
   OVS_LIBS="`ESW_OVS_VAR([$esw_ovs_mk], [SSL_LIBS])` \
`ESW_OVS_VAR([$esw_ovs_mk], [CAPNG_LDADD])` \
`ESW_OVS_VAR([$esw_ovs_mk], [LIBS])`"
   OVS_LIBS=`echo $OVS_LIBS`
   OVS_WARNING_FLAGS=`ESW_OVS_VAR([$esw_ovs_mk], [WARNING_FLAGS])`

   OVS_LDADD="$OVS_BUILDDIR/ofproto/.libs/libofproto.a \
$OVS_BUILDDIR/lib/.libs/libsflow.a $OVS_BUILDDIR/lib/.libs/libopenvswitch.a"
   if test -e "$OVS_BUILDDIR/lib/.libs/libopenvswitchavx512.a"; then
     OVS_LDADD="$OVS_LDADD $OVS_BUILDDIR/lib/.libs/libopenvswitchavx512.a"
   fi

   OVS_CPPFLAGS="-I$OVS_SRCDIR/include -I$OVS_BUILDDIR/include \
-I$OVS_SRCDIR/lib -I$OVS_BUILDDIR/lib -I$OVS_SRCDIR/ofproto \
-I$OVS_SRCDIR/vswitchd -I$OVS_SRCDIR -I$OVS_BUILDDIR"

   AC_SUBST([OVS_SRCDIR])
   AC_SUBST([OVS_BUILDDIR])
   AC_SUBST([OVS_VERSION])
   AC_SUBST([OVS_CPPFLAGS])
   AC_SUBST([OVS_WARNING_FLAGS])
   AC_SUBST([OVS_LDADD])
   AC_SUBST([OVS_LIBS])])

dnl ESW_BUILD_BUNDLED_OVS
dnl
dnl Unpacks $OVS_TARBALL into $OVS_SRCDIR, then configures and builds it,
dnl each step only if it has not been done before.
AC_DEFUN([ESW_BUILD_BUNDLED_OVS],
  [if test ! -f "$OVS_SRCDIR/configure"; then
     AC_MSG_NOTICE([unpacking $OVS_TARBALL into $OVS_SRCDIR])
     if test ! -f "$OVS_TARBALL"; then
       AC_MSG_ERROR([$OVS_TARBALL not found: install Debian's openvswitch-source, or use --with-ovs-source])
     fi
     rm -rf "$OVS_SRCDIR.tmp" && $MKDIR_P "$OVS_SRCDIR.tmp" \
       && tar -xzf "$OVS_TARBALL" -C "$OVS_SRCDIR.tmp" --strip-components=1 \
       && mv "$OVS_SRCDIR.tmp" "$OVS_SRCDIR" \
       || AC_MSG_ERROR([could not unpack $OVS_TARBALL])
   fi
   if test ! -f "$OVS_SRCDIR/config.status"; then
     AC_MSG_NOTICE([configuring Open vSwitch in $OVS_SRCDIR (log: ovs-configure.log)])
     (cd "$OVS_SRCDIR" && ./configure $OVS_CONFIGURE_FLAGS) \
       >ovs-configure.log 2>&1 \
       || AC_MSG_ERROR([Open vSwitch configure failed; see ovs-configure.log])
   fi
   AC_MSG_NOTICE([building Open vSwitch in $OVS_SRCDIR (log: ovs-build.log)])
   esw_jobs=`getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2`
   make -C "$OVS_SRCDIR" -j`expr $esw_jobs + 1` >ovs-build.log 2>&1 \
     || AC_MSG_ERROR([Open vSwitch build failed; see ovs-build.log])])

dnl ESW_ENABLE_WERROR
dnl
dnl --enable-Werror turns every warning into an error, as in OVS.
AC_DEFUN([ESW_ENABLE_WERROR],
  [AC_ARG_ENABLE([Werror],
     [AS_HELP_STRING([--enable-Werror], [treat every warning as an error])],
     [], [enable_Werror=no])
   if test "$enable_Werror" = yes; then
     ESW_WERROR=-Werror
   else
     ESW_WERROR=
   fi
   AC_SUBST([ESW_WERROR])])
