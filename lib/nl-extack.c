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

#include "nl-extack.h"

#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "util.h"

int
nl_extack_encode(void *buf, size_t size, const struct nlmsghdr *request,
                 uint32_t portid, int error, const char *msg, bool cap,
                 size_t *lenp)
{
    bool whole = error && !cap;
    size_t copy_len = whole ? request->nlmsg_len : sizeof *request;
    size_t msg_len = msg && msg[0] ? strlen(msg) + 1 : 0;
    size_t need = (MNL_NLMSG_HDRLEN
                   + MNL_ALIGN(sizeof(struct nlmsgerr) - sizeof *request
                               + copy_len)
                   + (msg_len ? MNL_ALIGN(MNL_ATTR_HDRLEN + msg_len) : 0));

    *lenp = 0;
    if (need > size || copy_len < sizeof *request || msg_len > UINT16_MAX) {
        return ENOBUFS;
    }

    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = NLMSG_ERROR;
    nlh->nlmsg_flags = whole ? 0 : NLM_F_CAPPED;
    nlh->nlmsg_seq = request->nlmsg_seq;
    nlh->nlmsg_pid = portid;

    /* struct nlmsgerr ends with the request's header; the rest of the
     * request, if any, follows it. */
    struct nlmsgerr *err = mnl_nlmsg_put_extra_header(
        nlh, sizeof *err - sizeof *request + copy_len);
    err->error = -error;
    memcpy(&err->msg, request, copy_len);

    if (msg_len) {
        nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
        memset(mnl_nlmsg_get_payload_tail(nlh), 0,
               MNL_ALIGN(MNL_ATTR_HDRLEN + msg_len));
        mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, msg_len, msg);
    }
    *lenp = nlh->nlmsg_len;
    return 0;
}

int
nl_extack_decode(const void *msg, size_t len, int *errorp, uint32_t *seqp,
                 char **msgp)
{
    const struct nlmsghdr *nlh = msg;
    struct nlmsgerr err;

    if (len < sizeof *nlh || nlh->nlmsg_len > len
        || nlh->nlmsg_type != NLMSG_ERROR
        || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof err) {
        return EINVAL;
    }
    memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
    if (err.error > 0 || err.error < -4095) {
        return EINVAL;
    }

    /* The copy of the request: its header only if capped, otherwise the
     * whole request, whose length its header gives. */
    size_t copy_len = sizeof err.msg;
    if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err.error) {
        copy_len = err.msg.nlmsg_len;
        if (copy_len < sizeof err.msg) {
            return EINVAL;
        }
    }
    size_t tlv_ofs = (MNL_NLMSG_HDRLEN
                      + MNL_ALIGN(sizeof err - sizeof err.msg + copy_len));
    if (tlv_ofs > nlh->nlmsg_len) {
        return EINVAL;
    }

    const char *text = NULL;
    if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
        const struct nlattr *attr = (const struct nlattr *) (const void *)
                                    ((const char *) nlh + tlv_ofs);
        int rem = nlh->nlmsg_len - tlv_ofs;

        while (rem >= (int) sizeof *attr) {
            if (!mnl_attr_ok(attr, rem)) {
                return EINVAL;
            }
            if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG) {
                const char *s = mnl_attr_get_payload(attr);
                size_t s_len = mnl_attr_get_payload_len(attr);

                if (!s_len || !memchr(s, '\0', s_len)) {
                    return EINVAL;
                }
                text = s;
            }
            rem -= MNL_ALIGN(attr->nla_len);
            attr = mnl_attr_next(attr);
        }
        if (rem > 0) {
            return EINVAL;
        }
    }

    *errorp = -err.error;
    if (seqp) {
        *seqp = err.msg.nlmsg_seq;
    }
    if (msgp) {
        *msgp = text ? xstrdup(text) : NULL;
    }
    return 0;
}
