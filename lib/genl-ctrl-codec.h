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

#ifndef GENL_CTRL_CODEC_H
#define GENL_CTRL_CODEC_H 1

/* Generic netlink control ("nlctrl", GENL_ID_CTRL): how a client resolves a
 * family name such as "devlink" to the nlmsg_type of its messages.
 *
 * CTRL_CMD_GETFAMILY requests and the CTRL_CMD_NEWFAMILY replies to them,
 * byte for byte as libmnl-based tools (iproute2's devlink) send them and as
 * the kernel answers.  Encoders write one message at the start of a
 * caller's buffer, which must be aligned for struct nlmsghdr, and return 0
 * or EMSGSIZE if it does not fit; the message's length is then its
 * nlmsg_len.  Decoders read a message whose nlmsg_len bytes the caller has
 * received in full (as mnl_nlmsg_ok() checks), validate every attribute
 * before use and return 0, EINVAL for a malformed message or EOPNOTSUPP for
 * a well-formed request that asks for something outside what is modelled
 * here, with a message naming the attribute in '*errorp' (if 'errorp' is
 * nonnull; the caller frees it).  On error the output is unspecified. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/genetlink.h>

struct nlmsghdr;

/* The most operations and multicast groups one family reply may list. */
#define ESW_GENL_MAX_OPS 256
#define ESW_GENL_MAX_MCGRPS 16

/* One operation of a family (CTRL_ATTR_OPS). */
struct esw_genl_op {
    uint32_t id;                /* CTRL_ATTR_OP_ID: the command. */
    uint32_t flags;             /* CTRL_ATTR_OP_FLAGS: GENL_CMD_CAP_DO... */
};

/* One multicast group of a family (CTRL_ATTR_MCAST_GROUPS). */
struct esw_genl_mcgrp {
    uint32_t id;                /* CTRL_ATTR_MCAST_GRP_ID. */
    char name[GENL_NAMSIZ];     /* CTRL_ATTR_MCAST_GRP_NAME, "config". */
};

/* A generic netlink family, as CTRL_CMD_NEWFAMILY describes it. */
struct esw_genl_family {
    uint16_t id;                /* CTRL_ATTR_FAMILY_ID: the nlmsg_type. */
    char name[GENL_NAMSIZ];     /* CTRL_ATTR_FAMILY_NAME, "devlink". */
    uint32_t version;           /* CTRL_ATTR_VERSION. */
    uint32_t hdrsize;           /* CTRL_ATTR_HDRSIZE. */
    uint32_t maxattr;           /* CTRL_ATTR_MAXATTR. */
    size_t n_ops;               /* CTRL_ATTR_OPS; none: not sent. */
    struct esw_genl_op ops[ESW_GENL_MAX_OPS];
    size_t n_mcgrps;            /* CTRL_ATTR_MCAST_GROUPS; none: not
                                 * sent. */
    struct esw_genl_mcgrp mcgrps[ESW_GENL_MAX_MCGRPS];
};

/* A CTRL_CMD_GETFAMILY request.  A family is asked for by name or by ID;
 * with neither (a dump), for every family. */
struct esw_genl_ctrl_request {
    bool dump;                  /* NLM_F_DUMP: every family. */
    char name[GENL_NAMSIZ];     /* CTRL_ATTR_FAMILY_NAME, or "". */
    uint16_t id;                /* CTRL_ATTR_FAMILY_ID, or 0. */
};

/* Writes 'request' as the CTRL_CMD_GETFAMILY message with 'seq' (and
 * nlmsg_pid 0) that libmnl-based tools send: NLM_F_REQUEST | NLM_F_ACK (and
 * NLM_F_DUMP for a dump), genlmsghdr version 1, the family ID and name as
 * attributes (each if set). */
int esw_genl_ctrl_encode_request(void *buf, size_t size, uint32_t seq,
                                 const struct esw_genl_ctrl_request *request);

/* Decodes a CTRL_CMD_GETFAMILY message into 'request'.  A dump request may
 * not name a family; a request for one family must name it. */
int esw_genl_ctrl_decode_request(const struct nlmsghdr *nlh,
                                 struct esw_genl_ctrl_request *request,
                                 char **errorp);

/* Writes 'family' as the CTRL_CMD_NEWFAMILY message that the kernel sends
 * in answer to a request with 'seq' from port 'pid', with NLM_F_MULTI in
 * a dump ('multi'): the attributes in the kernel's order, ops and multicast
 * groups only if there are any. */
int esw_genl_ctrl_encode_family(void *buf, size_t size, uint32_t seq,
                                uint32_t pid, bool multi,
                                const struct esw_genl_family *family);

/* Decodes a CTRL_CMD_NEWFAMILY message (as the kernel sends it, attributes
 * unknown here ignored) into 'family'.  The family ID and name must be
 * present. */
int esw_genl_ctrl_decode_family(const struct nlmsghdr *nlh,
                                struct esw_genl_family *family,
                                char **errorp);

/* Returns the multicast group of 'family' called 'name', or NULL. */
const struct esw_genl_mcgrp *esw_genl_family_find_mcgrp(
    const struct esw_genl_family *family, const char *name);

/* Returns the operation of 'family' for command 'cmd', or NULL (the family
 * does not have it, or its reply did not list operations). */
const struct esw_genl_op *esw_genl_family_find_op(
    const struct esw_genl_family *family, uint32_t cmd);

#endif /* genl-ctrl-codec.h */
