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

#ifndef ESW_NETLINK_H
#define ESW_NETLINK_H 1

/* What the link, devlink and generic netlink control codecs share: writing
 * a message into a caller's buffer without ever overrunning it, and
 * validating received attributes against a policy before anything reads
 * them.  Built on libmnl. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"

struct nlattr;
struct nlmsghdr;

/* Building a message. */

/* A netlink message being written into a buffer of 'size' bytes that
 * begins at 'nlh'.  A write that does not fit sets 'overflow' and writes
 * nothing; later writes do nothing either, so an encoder checks 'overflow'
 * once, at the end. */
struct esw_nl_msg {
    struct nlmsghdr *nlh;
    size_t size;
    bool overflow;
};

/* Starts a message of 'type' with 'flags', 'seq' and 'pid' in the 'size'
 * bytes at 'buf', which must be aligned for struct nlmsghdr, followed by
 * 'extra_len' zeroed bytes of family header.  Returns the family header (or
 * the end of the netlink header if 'extra_len' is 0), or NULL, with
 * 'msg->overflow' set, if the headers do not fit. */
void *esw_nl_msg_init(struct esw_nl_msg *msg, void *buf, size_t size,
                      uint16_t type, uint16_t flags, uint32_t seq,
                      uint32_t pid, size_t extra_len);

/* Starts a generic netlink message of 'family' whose genlmsghdr carries
 * 'cmd' and 'version', as esw_nl_msg_init() does. */
void esw_genl_msg_init(struct esw_nl_msg *msg, void *buf, size_t size,
                       uint16_t family, uint16_t flags, uint32_t seq,
                       uint32_t pid, uint8_t cmd, uint8_t version);

/* Append one attribute of 'type' to 'msg': 'len' bytes at 'data', an
 * integer, or a string with its null terminator. */
void esw_nl_put(struct esw_nl_msg *msg, uint16_t type, const void *data,
                size_t len);
void esw_nl_put_u8(struct esw_nl_msg *msg, uint16_t type, uint8_t value);
void esw_nl_put_u16(struct esw_nl_msg *msg, uint16_t type, uint16_t value);
void esw_nl_put_u32(struct esw_nl_msg *msg, uint16_t type, uint32_t value);
void esw_nl_put_string(struct esw_nl_msg *msg, uint16_t type,
                       const char *string);

/* Starts a nested attribute of 'type' and returns it, to be passed to
 * esw_nl_nest_end() once its attributes are written.  The kernel marks its
 * own nests with NLA_F_NESTED in some messages and not in others, and so
 * do libmnl (always) and iproute2's libnetlink (never): 'nla_f_nested'
 * says whether this one is marked.  Returns NULL on overflow. */
struct nlattr *esw_nl_nest_start(struct esw_nl_msg *msg, uint16_t type,
                                 bool nla_f_nested);

/* Ends 'nest' (which may be NULL after an overflow).  A nest longer than an
 * attribute can describe (64 kB) is an overflow. */
void esw_nl_nest_end(struct esw_nl_msg *msg, struct nlattr *nest);

/* Removes 'nest' and everything in it from 'msg'. */
void esw_nl_nest_cancel(struct esw_nl_msg *msg, struct nlattr *nest);

/* Returns 0 if every write to 'msg' fitted, otherwise EMSGSIZE. */
int esw_nl_msg_finish(const struct esw_nl_msg *msg);

/* Validating a message. */

/* What an attribute type's payload must be. */
enum esw_nl_attr_kind {
    ESW_NL_ATTR_UNSUPPORTED,    /* A type the codec does not model. */
    ESW_NL_ATTR_U8,             /* Exactly 1 byte. */
    ESW_NL_ATTR_U16,            /* Exactly 2 bytes. */
    ESW_NL_ATTR_U32,            /* Exactly 4 bytes. */
    ESW_NL_ATTR_STRING,         /* Null-terminated, at most 'max_len'
                                 * bytes with the terminator. */
    ESW_NL_ATTR_NESTED,         /* Attributes (checked by their own
                                 * policy when the codec parses them). */
    ESW_NL_ATTR_BINARY,         /* 'min_len' to 'max_len' bytes. */
};

/* The policy of one attribute type. */
struct esw_nl_attr_policy {
    const char *name;           /* "IFLA_MTU", for messages; NULL for a
                                 * type that the codec does not know. */
    enum esw_nl_attr_kind kind;
    uint16_t min_len;           /* ESW_NL_ATTR_BINARY only. */
    uint16_t max_len;           /* ESW_NL_ATTR_STRING, ESW_NL_ATTR_BINARY. */
};

/* Initializers of the policy entries of an array indexed by attribute
 * type, each named after its type:
 *
 *     static const struct esw_nl_attr_policy policy[] = {
 *         ESW_NL_POLICY(IFLA_MTU, U32),
 *         ESW_NL_POLICY_STRING(IFLA_IFNAME, IFNAMSIZ),
 *         ESW_NL_POLICY_STRUCT(IFLA_VF_MAC, struct ifla_vf_mac),
 *         ESW_NL_POLICY(IFLA_VF_PORTS, UNSUPPORTED),
 *     };
 *
 * ESW_NL_POLICY_STRUCT() accepts a payload as long as the structure or
 * longer, as the kernel does. */
#define ESW_NL_POLICY(TYPE, KIND) \
    [TYPE] = { #TYPE, ESW_NL_ATTR_##KIND, 0, 0 }
#define ESW_NL_POLICY_STRING(TYPE, SIZE) \
    [TYPE] = { #TYPE, ESW_NL_ATTR_STRING, 0, SIZE }
#define ESW_NL_POLICY_BINARY(TYPE, MIN_LEN, MAX_LEN) \
    [TYPE] = { #TYPE, ESW_NL_ATTR_BINARY, MIN_LEN, MAX_LEN }
#define ESW_NL_POLICY_STRUCT(TYPE, STRUCT) \
    ESW_NL_POLICY_BINARY(TYPE, sizeof(STRUCT), 0)

/* What the parser does with an attribute whose type the policy does not
 * support (ESW_NL_ATTR_UNSUPPORTED, or beyond the policy). */
enum esw_nl_unknown {
    ESW_NL_UNKNOWN_REJECT,      /* EOPNOTSUPP: for requests, which must
                                 * never be half-applied. */
    ESW_NL_UNKNOWN_IGNORE,      /* Skip it: for replies, in which newer
                                 * kernels add attributes. */
};

/* Parses the attributes in the 'len' bytes at 'attrs' into 'tb', an array
 * of 'n_policy' elements indexed by attribute type, following 'policy' (of
 * 'n_policy' elements too); 'where' names the message or nest for error
 * messages.  The last of repeated attributes wins, as in the kernel.
 *
 * Returns 0 if every attribute is well-formed: then each non-null tb[type]
 * can be read as 'policy[type]' says.  Otherwise returns EINVAL for a
 * malformed attribute (bad length, missing terminator, truncation) or
 * EOPNOTSUPP for an unsupported one under ESW_NL_UNKNOWN_REJECT and, if
 * 'errorp' is nonnull, stores in '*errorp' a message that names the
 * attribute, which the caller must free(). */
int esw_nl_parse_attrs(const void *attrs, size_t len,
                       const struct esw_nl_attr_policy policy[],
                       size_t n_policy, enum esw_nl_unknown unknown,
                       const char *where, const struct nlattr *tb[],
                       char **errorp);

/* Same as esw_nl_parse_attrs() for the attributes of message 'nlh' after
 * its 'hdrlen' bytes of family header (which must be there), or for those
 * nested in 'nest'. */
int esw_nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
                     const struct esw_nl_attr_policy policy[],
                     size_t n_policy, enum esw_nl_unknown unknown,
                     const char *where, const struct nlattr *tb[],
                     char **errorp);
int esw_nl_parse_nested(const struct nlattr *nest,
                        const struct esw_nl_attr_policy policy[],
                        size_t n_policy, enum esw_nl_unknown unknown,
                        const char *where, const struct nlattr *tb[],
                        char **errorp);

/* Checks that the payload of 'nest' is a sequence of whole attributes (of
 * any type: the elements of a list such as IFLA_VFINFO_LIST), which
 * mnl_attr_for_each_nested() can then visit without missing any bytes.
 * Returns 0 or EINVAL, with a message in '*errorp' as above. */
int esw_nl_check_list(const struct nlattr *nest, const char *where,
                      char **errorp);

/* Checks that 'nlh' is a message of 'type' of at least 'hdrlen' bytes of
 * family header after the netlink header.  Returns 0 if so, otherwise
 * EINVAL and, if 'errorp' is nonnull, a message in '*errorp' (to free()),
 * which begins with 'where'. */
int esw_nl_check_msg(const struct nlmsghdr *nlh, uint16_t type,
                     size_t hdrlen, const char *where, char **errorp);

/* Copies the string payload of 'attr', which esw_nl_parse_attrs() accepted
 * with a 'max_len' no greater than 'size', to the 'size' bytes at 'dst'. */
void esw_nl_copy_string(const struct nlattr *attr, char *dst, size_t size);

/* If 'errorp' is nonnull, stores in '*errorp' a message formatted from
 * 'format' (to free()).  Returns 'error', so that a codec can write
 * "return esw_nl_error(errorp, EINVAL, ...)". */
int esw_nl_error(char **errorp, int error, const char *format, ...)
    OVS_PRINTF_FORMAT(3, 4);

#endif /* esw-netlink.h */
