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

#include <config.h>

#include "esw-netlink.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "util.h"

void *
esw_nl_msg_init(struct esw_nl_msg *msg, void *buf, size_t size,
                uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid,
                size_t extra_len)
{
    msg->nlh = buf;
    msg->size = size;
    msg->overflow = MNL_NLMSG_HDRLEN + MNL_ALIGN(extra_len) > size;
    if (msg->overflow) {
        return NULL;
    }

    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = flags;
    nlh->nlmsg_seq = seq;
    nlh->nlmsg_pid = pid;
    return (extra_len
            ? mnl_nlmsg_put_extra_header(nlh, extra_len)
            : mnl_nlmsg_get_payload(nlh));
}

void
esw_genl_msg_init(struct esw_nl_msg *msg, void *buf, size_t size,
                  uint16_t family, uint16_t flags, uint32_t seq, uint32_t pid,
                  uint8_t cmd, uint8_t version)
{
    struct genlmsghdr *genl = esw_nl_msg_init(msg, buf, size, family, flags,
                                              seq, pid, sizeof *genl);
    if (genl) {
        genl->cmd = cmd;
        genl->version = version;
    }
}

/* Returns true if an attribute with a payload of 'len' bytes fits in
 * 'msg', otherwise marks 'msg' as overflowed. */
static bool
esw_nl_room(struct esw_nl_msg *msg, size_t len)
{
    if (!msg->overflow
        && len <= UINT16_MAX - MNL_ATTR_HDRLEN
        && msg->nlh->nlmsg_len + MNL_ATTR_HDRLEN + MNL_ALIGN(len)
           <= msg->size) {
        return true;
    }
    msg->overflow = true;
    return false;
}

void
esw_nl_put(struct esw_nl_msg *msg, uint16_t type, const void *data,
           size_t len)
{
    if (esw_nl_room(msg, len)) {
        struct nlattr *attr = mnl_nlmsg_get_payload_tail(msg->nlh);

        mnl_attr_put(msg->nlh, type, len, data);
        /* Zero the alignment padding, so that equal messages are equal
         * bytes. */
        memset((char *) mnl_attr_get_payload(attr) + len, 0,
               MNL_ALIGN(len) - len);
    }
}

void
esw_nl_put_u8(struct esw_nl_msg *msg, uint16_t type, uint8_t value)
{
    esw_nl_put(msg, type, &value, sizeof value);
}

void
esw_nl_put_u16(struct esw_nl_msg *msg, uint16_t type, uint16_t value)
{
    esw_nl_put(msg, type, &value, sizeof value);
}

void
esw_nl_put_u32(struct esw_nl_msg *msg, uint16_t type, uint32_t value)
{
    esw_nl_put(msg, type, &value, sizeof value);
}

void
esw_nl_put_string(struct esw_nl_msg *msg, uint16_t type, const char *string)
{
    esw_nl_put(msg, type, string, strlen(string) + 1);
}

struct nlattr *
esw_nl_nest_start(struct esw_nl_msg *msg, uint16_t type, bool nla_f_nested)
{
    if (!esw_nl_room(msg, 0)) {
        return NULL;
    }

    struct nlattr *nest = mnl_attr_nest_start(msg->nlh, type);
    if (!nla_f_nested) {
        nest->nla_type &= ~NLA_F_NESTED;
    }
    return nest;
}

void
esw_nl_nest_end(struct esw_nl_msg *msg, struct nlattr *nest)
{
    if (!nest || msg->overflow) {
        return;
    }

    size_t len = ((char *) mnl_nlmsg_get_payload_tail(msg->nlh)
                  - (char *) nest);
    if (len > UINT16_MAX) {
        msg->overflow = true;
        return;
    }
    mnl_attr_nest_end(msg->nlh, nest);
}

void
esw_nl_nest_cancel(struct esw_nl_msg *msg, struct nlattr *nest)
{
    if (nest && !msg->overflow) {
        mnl_attr_nest_cancel(msg->nlh, nest);
    }
}

int
esw_nl_msg_finish(const struct esw_nl_msg *msg)
{
    return msg->overflow ? EMSGSIZE : 0;
}

int
esw_nl_error(char **errorp, int error, const char *format, ...)
{
    if (errorp) {
        va_list args;

        va_start(args, format);
        *errorp = xvasprintf(format, args);
        va_end(args);
    }
    return error;
}

static int
esw_nl_check_attr(const struct nlattr *attr,
                  const struct esw_nl_attr_policy *p, char **errorp)
{
    const char *payload = mnl_attr_get_payload(attr);
    size_t len = mnl_attr_get_payload_len(attr);
    size_t expected;

    switch (p->kind) {
    case ESW_NL_ATTR_U8:
        expected = 1;
        break;
    case ESW_NL_ATTR_U16:
        expected = 2;
        break;
    case ESW_NL_ATTR_U32:
        expected = 4;
        break;

    case ESW_NL_ATTR_STRING: {
        size_t n = len ? strnlen(payload, len) : 0;
        if (!len || n == len) {
            return esw_nl_error(errorp, EINVAL,
                                "%s: string is not null-terminated", p->name);
        }
        if (n + 1 > p->max_len) {
            return esw_nl_error(errorp, EINVAL,
                                "%s: string of %"PRIuSIZE" bytes is longer "
                                "than %u", p->name, n, p->max_len - 1);
        }
        return 0;
    }

    case ESW_NL_ATTR_NESTED:
        return 0;

    case ESW_NL_ATTR_BINARY:
        if (len < p->min_len || (p->max_len && len > p->max_len)) {
            return esw_nl_error(errorp, EINVAL,
                                "%s: payload of %"PRIuSIZE" bytes, expected "
                                "%u to %u", p->name, len, p->min_len,
                                p->max_len ? p->max_len : UINT16_MAX);
        }
        return 0;

    case ESW_NL_ATTR_UNSUPPORTED:
    default:
        OVS_NOT_REACHED();
    }

    if (len != expected) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: payload of %"PRIuSIZE" bytes, expected "
                            "%"PRIuSIZE, p->name, len, expected);
    }
    return 0;
}

int
esw_nl_parse_attrs(const void *attrs, size_t len,
                   const struct esw_nl_attr_policy policy[], size_t n_policy,
                   enum esw_nl_unknown unknown, const char *where,
                   const struct nlattr *tb[], char **errorp)
{
    const struct nlattr *attr;

    memset(tb, 0, n_policy * sizeof *tb);
    mnl_attr_for_each_payload(attrs, len) {
        uint16_t type = mnl_attr_get_type(attr);
        const struct esw_nl_attr_policy *p = (type < n_policy
                                              ? &policy[type] : NULL);

        if (!p || p->kind == ESW_NL_ATTR_UNSUPPORTED) {
            if (unknown == ESW_NL_UNKNOWN_IGNORE) {
                continue;
            } else if (p && p->name) {
                return esw_nl_error(errorp, EOPNOTSUPP,
                                    "%s: %s is not supported", where,
                                    p->name);
            } else {
                return esw_nl_error(errorp, EOPNOTSUPP,
                                    "%s: attribute type %"PRIu16" is not "
                                    "supported", where, type);
            }
        }

        int error = esw_nl_check_attr(attr, p, errorp);
        if (error) {
            return error;
        }
        tb[type] = attr;
    }

    /* mnl_attr_for_each_payload() stops at the first attribute that does
     * not fit: anything left over is a truncated attribute. */
    size_t parsed = (const char *) attr - (const char *) attrs;
    if (parsed < len) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: truncated attribute at offset %"PRIuSIZE,
                            where, parsed);
    }
    return 0;
}

int
esw_nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
                 const struct esw_nl_attr_policy policy[], size_t n_policy,
                 enum esw_nl_unknown unknown, const char *where,
                 const struct nlattr *tb[], char **errorp)
{
    size_t offset = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
    size_t len = nlh->nlmsg_len > offset ? nlh->nlmsg_len - offset : 0;

    return esw_nl_parse_attrs(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
                              len, policy, n_policy, unknown, where, tb,
                              errorp);
}

int
esw_nl_parse_nested(const struct nlattr *nest,
                    const struct esw_nl_attr_policy policy[], size_t n_policy,
                    enum esw_nl_unknown unknown, const char *where,
                    const struct nlattr *tb[], char **errorp)
{
    return esw_nl_parse_attrs(mnl_attr_get_payload(nest),
                              mnl_attr_get_payload_len(nest), policy,
                              n_policy, unknown, where, tb, errorp);
}

int
esw_nl_check_list(const struct nlattr *nest, const char *where,
                  char **errorp)
{
    const struct nlattr *attr;

    mnl_attr_for_each_nested (attr, nest) {
        continue;
    }

    size_t parsed = (const char *) attr - (const char *) nest;
    if (parsed < mnl_attr_get_len(nest)) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: truncated attribute at offset %"PRIuSIZE,
                            where, parsed - MNL_ATTR_HDRLEN);
    }
    return 0;
}

int
esw_nl_check_msg(const struct nlmsghdr *nlh, uint16_t type, size_t hdrlen,
                 const char *where, char **errorp)
{
    if (nlh->nlmsg_type != type) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: nlmsg_type is %"PRIu16", expected %"PRIu16,
                            where, nlh->nlmsg_type, type);
    }
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdrlen) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: message of %"PRIu32" bytes is too short for "
                            "its %"PRIuSIZE"-byte header", where,
                            nlh->nlmsg_len, MNL_NLMSG_HDRLEN + hdrlen);
    }
    return 0;
}

void
esw_nl_copy_string(const struct nlattr *attr, char *dst, size_t size)
{
    ovs_strlcpy(dst, mnl_attr_get_str(attr), size);
}
