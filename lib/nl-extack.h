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

#ifndef NL_EXTACK_H
#define NL_EXTACK_H 1

/* NLMSG_ERROR replies with extended acknowledgement (extack), for any
 * netlink family: what the kernel's netlink_ack() sends, and how to read
 * it.  No I/O. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* Encodes into 'buf' (of 'size' bytes, 4-byte aligned) the NLMSG_ERROR
 * reply to 'request' for port 'portid', as netlink_ack() does on a socket
 * with NETLINK_EXT_ACK set:
 *
 *   - 'error' is 0 for an acknowledgement or a positive errno value (put in
 *     struct nlmsgerr as its negative, as the kernel does);
 *
 *   - struct nlmsgerr carries a copy of the request: the whole request for
 *     an error, unless 'cap' is true (NETLINK_CAP_ACK), only its header for
 *     an acknowledgement or with 'cap', and then the reply has
 *     NLM_F_CAPPED;
 *
 *   - if 'msg' is nonnull and nonempty, NLMSGERR_ATTR_MSG carries it and the
 *     reply has NLM_F_ACK_TLVS.
 *
 * Returns 0 and stores the reply's length in '*lenp', or ENOBUFS if it does
 * not fit. */
int nl_extack_encode(void *buf, size_t size, const struct nlmsghdr *request,
                     uint32_t portid, int error, const char *msg, bool cap,
                     size_t *lenp);

/* Decodes NLMSG_ERROR message 'msg', read from the 'len' bytes at 'msg'
 * (its nlmsg_len may be less than 'len', never more).  On success, returns
 * 0, stores in '*errorp' the positive errno value of the reply (0 for an
 * acknowledgement), in '*seqp' (if nonnull) the sequence number of the
 * request it answers, and in '*msgp' (if nonnull) a copy of its
 * NLMSGERR_ATTR_MSG, or NULL if it has none; the caller frees it.  Returns
 * EINVAL, changing nothing, if 'msg' is not a well-formed NLMSG_ERROR. */
int nl_extack_decode(const void *msg, size_t len, int *errorp,
                     uint32_t *seqp, char **msgp);

#endif /* nl-extack.h */
