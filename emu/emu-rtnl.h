/*
 * Copyright (c) 2026 The ovs-eswitch authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#ifndef EMU_RTNL_H
#define EMU_RTNL_H 1

/* NETLINK_ROUTE as the emulated NICs answer it (an emu_nl_handler):
 *
 *   RTM_GETLINK            the host-visible netdevs of every NIC (PFs, and
 *                          in switchdev mode the VF representors), one or
 *                          a dump, with VFs for RTEXT_FILTER_VF.
 *   RTM_SETLINK/NEWLINK    VF configuration on a PF.
 *   RTM_NEWQDISC/DELQDISC  ingress and clsact on a representor.
 *   RTM_NEWTFILTER         flower filters into the NIC's table: create,
 *                          replace, NLM_F_ECHO.
 *   RTM_DELTFILTER         one filter, a prio, or the whole chain.
 *   RTM_GETTFILTER         one filter, or a dump (terse too) with counters.
 *
 * Anything else is refused with EOPNOTSUPP and a message, as a kernel
 * without the feature refuses it. */

#include <stdbool.h>

struct emu_nl_dump_cursor;
struct emu_nl_txn;
struct nlmsghdr;

int emu_rtnl_handle(struct emu_nl_txn *, const struct nlmsghdr *request,
                    struct emu_nl_dump_cursor *, bool *more, void *aux);

#endif /* emu-rtnl.h */
