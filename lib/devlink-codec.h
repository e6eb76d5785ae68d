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

#ifndef DEVLINK_CODEC_H
#define DEVLINK_CODEC_H 1

/* devlink generic netlink messages: the requests with which the offload
 * engine reads devices, ports and eswitch modes and sets the eswitch mode
 * and port functions, and the replies of the kernel (or sriov-nic-emu).
 *
 * Every message has the devlink family's ID, which is dynamic: a client
 * resolves it with CTRL_CMD_GETFAMILY (see genl-ctrl-codec.h) and passes it
 * as 'family' here.
 *
 *   Request                         Reply (genlmsghdr cmd)
 *   DEVLINK_CMD_GET (dump or one)   DEVLINK_CMD_NEW
 *   DEVLINK_CMD_PORT_GET (idem)     DEVLINK_CMD_PORT_NEW
 *   DEVLINK_CMD_ESWITCH_GET         DEVLINK_CMD_ESWITCH_GET
 *   DEVLINK_CMD_ESWITCH_SET         (an acknowledgement only)
 *   DEVLINK_CMD_PORT_SET            (an acknowledgement only)
 *
 * Requests are encoded as iproute2's devlink sends them (NLM_F_REQUEST |
 * NLM_F_ACK, nested attributes marked NLA_F_NESTED as libmnl marks them),
 * replies as the kernel sends them.  The genlmsghdr version of requests is
 * DEVLINK_GENL_VERSION; iproute2 6.1 sends 0 there, a bug that later
 * versions fixed, and the kernel ignores it.
 *
 * Encoders write one message at the start of a caller's buffer, which must
 * be aligned for struct nlmsghdr, and return 0 or EMSGSIZE if it does not
 * fit; the message's length is then its nlmsg_len.  Decoders read a message
 * whose nlmsg_len bytes the caller has received in full (as mnl_nlmsg_ok()
 * checks) and validate every attribute before using it.  They return 0,
 * EINVAL for a malformed message, or EOPNOTSUPP for a well-formed request
 * outside the model (another command, an attribute such as
 * DEVLINK_ATTR_PORT_TYPE in DEVLINK_CMD_PORT_SET): requests are understood
 * entirely or refused.  Replies are decoded leniently: attributes outside
 * the model are skipped.  On error, if 'errorp' is nonnull, '*errorp' is a
 * message naming the attribute (the caller frees it); on success it is
 * NULL.  On error the output is unspecified. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esw-nic-model.h"

struct nlmsghdr;

/* A devlink request. */
struct esw_devlink_request {
    uint8_t cmd;                /* DEVLINK_CMD_GET, DEVLINK_CMD_PORT_GET,
                                 * DEVLINK_CMD_ESWITCH_GET,
                                 * DEVLINK_CMD_ESWITCH_SET or
                                 * DEVLINK_CMD_PORT_SET. */
    bool dump;                  /* NLM_F_DUMP (DEVLINK_CMD_GET and
                                 * DEVLINK_CMD_PORT_GET only): every device
                                 * or port, and no 'handle'. */
    struct esw_devlink_handle handle;   /* The device, unless 'dump'. */
    uint32_t port_index;        /* DEVLINK_ATTR_PORT_INDEX: the port, for
                                 * DEVLINK_CMD_PORT_GET of one port and
                                 * DEVLINK_CMD_PORT_SET. */
    struct esw_devlink_eswitch eswitch;  /* DEVLINK_CMD_ESWITCH_SET: the
                                          * modes to set; its 'handle' is a
                                          * copy of 'handle'. */
    struct esw_devlink_port_fn function; /* DEVLINK_CMD_PORT_SET: the
                                          * hardware address and state to
                                          * set ('has_opstate' false). */
};

/* Writes 'request' as the devlink message with 'seq' (nlmsg_pid 0) that
 * iproute2's devlink sends: "devlink dev show [DEV]", "devlink port show
 * [DEV/PORT]", "devlink dev eswitch show|set DEV [mode M] [inline-mode I]
 * [encap-mode E]", "devlink port function set DEV/PORT [hw_addr A] [state
 * S]". */
int esw_devlink_encode_request(void *buf, size_t size, uint16_t family,
                               uint32_t seq,
                               const struct esw_devlink_request *request);

/* Decodes a request of the devlink 'family'.  A dump names no device; any
 * other request names one, DEVLINK_CMD_PORT_GET of one port and
 * DEVLINK_CMD_PORT_SET a port too.  DEVLINK_CMD_PORT_SET must set the
 * port's function. */
int esw_devlink_decode_request(const struct nlmsghdr *nlh, uint16_t family,
                               struct esw_devlink_request *request,
                               char **errorp);

/* Reply encoders: write the DEVLINK_CMD_NEW, DEVLINK_CMD_PORT_NEW or
 * DEVLINK_CMD_ESWITCH_GET message that the kernel sends in answer to a
 * request with 'seq' from port 'pid', with NLM_F_MULTI in a dump
 * ('multi').
 *
 * A device's DEVLINK_ATTR_DEV_STATS are those of a driver without reload
 * support, whose remote reload counters are all 0 (reload statistics are
 * not modelled).  A port's attributes follow its flavour as in the kernel:
 * DEVLINK_ATTR_PORT_NUMBER for PHYSICAL, controller, PF (and VF) number and
 * external flag for PCI_PF (PCI_VF); its netdev only for an Ethernet port
 * with a netdev; its function only if any of its attributes is set. */
int esw_devlink_encode_dev(void *buf, size_t size, uint16_t family,
                           uint32_t seq, uint32_t pid, bool multi,
                           const struct esw_devlink_dev *dev);
int esw_devlink_encode_port(void *buf, size_t size, uint16_t family,
                            uint32_t seq, uint32_t pid, bool multi,
                            const struct esw_devlink_port *port);
int esw_devlink_encode_eswitch(void *buf, size_t size, uint16_t family,
                               uint32_t seq, uint32_t pid,
                               const struct esw_devlink_eswitch *eswitch);

/* Reply decoders, for messages of the devlink 'family' with the genlmsghdr
 * cmd above.  A device must have a handle, a port a handle and an index. */
int esw_devlink_decode_dev(const struct nlmsghdr *nlh, uint16_t family,
                           struct esw_devlink_dev *dev, char **errorp);
int esw_devlink_decode_port(const struct nlmsghdr *nlh, uint16_t family,
                            struct esw_devlink_port *port, char **errorp);
int esw_devlink_decode_eswitch(const struct nlmsghdr *nlh, uint16_t family,
                               struct esw_devlink_eswitch *eswitch,
                               char **errorp);

/* Returns the genlmsghdr cmd of devlink message 'nlh' of 'family', or -1 if
 * 'nlh' is not one (another type, or too short), so that a server can
 * dispatch a request or a client a reply. */
int esw_devlink_msg_cmd(const struct nlmsghdr *nlh, uint16_t family);

#endif /* devlink-codec.h */
