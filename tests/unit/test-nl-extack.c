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

/* NLMSG_ERROR replies with extack: nl_extack_encode() and _decode(). */

#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "esw-unittest.h"
#include "nl-extack.h"
#include "util.h"

union msg_buf {
    struct nlmsghdr nlh;
    uint8_t bytes[1024];
};

/* A 48-byte request with seq 1234. */
static void
make_request(union msg_buf *req)
{
    memset(req, 0, sizeof *req);
    mnl_nlmsg_put_header(req);
    req->nlh.nlmsg_type = RTM_NEWTFILTER;
    req->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    req->nlh.nlmsg_seq = 1234;
    mnl_nlmsg_put_extra_header(&req->nlh, 32);
    CU_ASSERT_EQUAL(req->nlh.nlmsg_len, 48);
}

static void
test_ack(void)
{
    union msg_buf req, reply;
    uint32_t seq;
    char *msg = (char *) "unchanged";
    int error = -1;
    size_t len;

    make_request(&req);
    CU_ASSERT_EQUAL_FATAL(nl_extack_encode(&reply, sizeof reply, &req.nlh,
                                           99, 0, NULL, false, &len), 0);
    /* Header, error, and the request's header only. */
    CU_ASSERT_EQUAL(len, 16 + 4 + 16);
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_type, NLMSG_ERROR);
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_flags, NLM_F_CAPPED);
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_seq, 1234);
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_pid, 99);

    CU_ASSERT_EQUAL(nl_extack_decode(&reply, len, &error, &seq, &msg), 0);
    CU_ASSERT_EQUAL(error, 0);
    CU_ASSERT_EQUAL(seq, 1234);
    CU_ASSERT_PTR_NULL(msg);
}

static void
test_error_with_message(void)
{
    union msg_buf req, reply;
    uint32_t seq;
    char *msg = NULL;
    int error;
    size_t len;

    make_request(&req);
    CU_ASSERT_EQUAL_FATAL(nl_extack_encode(&reply, sizeof reply, &req.nlh,
                                           1, EOPNOTSUPP,
                                           "action \"ct\" not supported",
                                           false, &len), 0);
    /* The whole request is echoed, then the message attribute. */
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_flags, NLM_F_ACK_TLVS);
    CU_ASSERT_EQUAL(len, 16 + 4 + 48 + MNL_ALIGN(4 + 27));
    struct nlmsgerr err;
    memcpy(&err, mnl_nlmsg_get_payload(&reply.nlh), sizeof err);
    CU_ASSERT_EQUAL(err.error, -EOPNOTSUPP);
    CU_ASSERT(!memcmp(reply.bytes + 20, req.bytes, 48));

    CU_ASSERT_EQUAL(nl_extack_decode(&reply, len, &error, &seq, &msg), 0);
    CU_ASSERT_EQUAL(error, EOPNOTSUPP);
    CU_ASSERT_STRING_EQUAL(msg, "action \"ct\" not supported");
    free(msg);
}

static void
test_error_capped(void)
{
    union msg_buf req, reply;
    char *msg = NULL;
    int error;
    size_t len;

    make_request(&req);
    CU_ASSERT_EQUAL_FATAL(nl_extack_encode(&reply, sizeof reply, &req.nlh,
                                           1, ENOSPC, "table full", true,
                                           &len), 0);
    CU_ASSERT_EQUAL(reply.nlh.nlmsg_flags, NLM_F_CAPPED | NLM_F_ACK_TLVS);
    CU_ASSERT_EQUAL(len, 16 + 4 + 16 + MNL_ALIGN(4 + 11));
    CU_ASSERT_EQUAL(nl_extack_decode(&reply, len, &error, NULL, &msg), 0);
    CU_ASSERT_EQUAL(error, ENOSPC);
    CU_ASSERT_STRING_EQUAL(msg, "table full");
    free(msg);
}

static void
test_too_small(void)
{
    union msg_buf req, reply;
    size_t len;

    make_request(&req);
    CU_ASSERT_EQUAL(nl_extack_encode(&reply, 60, &req.nlh, 1, EINVAL,
                                     "x", false, &len), ENOBUFS);
}

static void
test_decode_malformed(void)
{
    union msg_buf req, reply;
    char *msg = NULL;
    int error = 42;
    size_t len;

    make_request(&req);
    CU_ASSERT_EQUAL_FATAL(nl_extack_encode(&reply, sizeof reply, &req.nlh,
                                           1, EINVAL, "bad", false, &len),
                          0);

    /* Every truncation before the attributes is refused, and changes
     * nothing.  (Cutting off all of the attributes leaves a well-formed
     * reply without a message.) */
    for (size_t n = 0; n < 16 + 4 + 48; n++) {
        union msg_buf copy = reply;

        copy.nlh.nlmsg_len = n;
        CU_ASSERT_EQUAL(nl_extack_decode(&copy, len, &error, NULL, &msg),
                        EINVAL);
        CU_ASSERT_EQUAL(error, 42);
    }

    /* Not an error message. */
    reply.nlh.nlmsg_type = NLMSG_DONE;
    CU_ASSERT_EQUAL(nl_extack_decode(&reply, len, &error, NULL, &msg),
                    EINVAL);
    CU_ASSERT_PTR_NULL(msg);
}

CU_pSuite
test_nl_extack_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(ack), T(error_with_message), T(error_capped), T(too_small),
        T(decode_malformed),
#undef T
    };
    CU_pSuite suite = CU_add_suite("nl_extack", NULL, NULL);

    if (!suite) {
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (!CU_add_test(suite, tests[i].name, tests[i].func)) {
            return NULL;
        }
    }
    return suite;
}
