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

#ifndef EMU_GENL_H
#define EMU_GENL_H 1

/* NETLINK_GENERIC as the emulated NICs answer it (an emu_nl_handler): two
 * families, each with what a client of a switchdev NIC uses.
 *
 *   nlctrl (GENL_ID_CTRL)
 *     CTRL_CMD_GETFAMILY   one family by name or ID, or a dump of both,
 *                          described as the kernel describes them.  An
 *                          unknown family is ENOENT.
 *
 *   devlink (EMU_GENL_DEVLINK_ID)
 *     DEVLINK_CMD_GET          one NIC by handle, or a dump of every NIC.
 *     DEVLINK_CMD_PORT_GET     one port by handle and index, or a dump of
 *                              every port of every NIC.
 *     DEVLINK_CMD_ESWITCH_GET  mode, inline mode (always "none"), encap
 *                              mode (always "none": the NIC offloads no
 *                              tunnel).
 *     DEVLINK_CMD_ESWITCH_SET  mode legacy or switchdev; the inline and
 *                              encap modes can only be "set" to what they
 *                              are.
 *     DEVLINK_CMD_PORT_SET     the function of a VF port: hw_addr (the VF's
 *                              MAC, as "ip link set PF vf N mac" sets it)
 *                              and state.
 *
 * Anything else is refused, as a kernel without the feature refuses it.
 * Every error carries an extack message naming what is wrong.  A request
 * is checked entirely before anything is changed: it is applied whole or
 * not at all.
 *
 * Ports.  Each NIC is one devlink device whose port indexes follow mlx5's
 * scheme ((vhca_id << 16) | vport, with vhca_id 0), so that they stay the
 * same for the life of the NIC whatever the mode and VF count:
 *
 *   EMU_GENL_PORT_UPLINK  (0xffff)  flavour physical, port number 0, netdev
 *                                   the PF's; always present.
 *   EMU_GENL_PORT_PF      (0)       flavour pcipf, pfnum 0, no netdev (the
 *                                   PF netdev belongs to the uplink port);
 *                                   switchdev mode only.
 *   EMU_GENL_PORT_VF(N)   (N + 1)   flavour pcivf, pfnum 0, vfnum N, netdev
 *                                   the representor; function with hw_addr
 *                                   (the VF's MAC), state and opstate
 *                                   (attached while the VF's function-side
 *                                   endpoint is); switchdev mode and VF N
 *                                   enabled only.
 *
 * A dump lists each NIC's ports in increasing index, NICs in creation
 * order. */

#include <stdbool.h>
#include <stdint.h>

struct emu_nl_dump_cursor;
struct emu_nl_txn;
struct nlmsghdr;

/* The devlink family's ID (its nlmsg_type) and the ID of its "config"
 * multicast group.  A kernel assigns both at boot; clients resolve them
 * with CTRL_CMD_GETFAMILY, as iproute2 does, and must not assume them. */
#define EMU_GENL_DEVLINK_ID 0x15
#define EMU_GENL_DEVLINK_MCGRP_CONFIG_ID 7

/* devlink port indexes (see above). */
#define EMU_GENL_PORT_PF 0
#define EMU_GENL_PORT_VF(VF) ((uint32_t) (VF) + 1)
#define EMU_GENL_PORT_UPLINK 0xffff

/* Handles generic netlink request 'request' as described above, for every
 * NIC of emu-nic.h; an emu_nl_handler (see emu-netlink.h).  'aux' is
 * unused. */
int emu_genl_handle(struct emu_nl_txn *, const struct nlmsghdr *request,
                    struct emu_nl_dump_cursor *, bool *more, void *aux);

#endif /* emu-genl.h */
