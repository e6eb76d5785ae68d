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

/* The devlink codec and the generic netlink control codec that resolves the
 * devlink family: requests and replies encoded and decoded, and refused when
 * malformed or outside the model.  (test-link-oracle.c compares with
 * iproute2's devlink and with the kernel.) */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>

#include "devlink-codec.h"
#include "esw-netlink.h"
#include "esw-test-fuzz.h"
#include "esw-unittest.h"
#include "genl-ctrl-codec.h"
#include "packets.h"
#include "util.h"

/* A devlink family ID, as the kernel might have given it. */
#define FAMILY 0x15

/* Big enough for any message here, aligned for struct nlmsghdr. */
static uint64_t buf[16384 / sizeof(uint64_t)];
#define NLH ((struct nlmsghdr *) (void *) buf)

static const struct esw_devlink_handle pci_handle = {
    .bus_name = "pci", .dev_name = "0000:03:00.0",
};

/* Asserts that a decoder returned 'expected' with a message that contains
 * 'needle', and frees the message. */
static void
check_error_at(int line, int error, char *msg, int expected,
               const char *needle)
{
    bool ok = error == expected && msg && strstr(msg, needle);

    if (!ok) {
        fprintf(stderr, "\nline %d: error %d (%s), expected %d with "
                "\"%s\"\n", line, error, msg ? msg : "no message", expected,
                needle);
    }
    CU_assertImplementation(ok, line, "error and message as expected",
                            __FILE__, "", CU_FALSE);
    free(msg);
}
#define CHECK_ERROR(ERROR, MSG, EXPECTED, NEEDLE) \
    check_error_at(__LINE__, ERROR, MSG, EXPECTED, NEEDLE)

/* Generic netlink control. */

static void
test_ctrl_request(void)
{
    /* What libmnl-based tools send to resolve "devlink". */
    static const uint8_t expected[] = {
        0x20, 0, 0, 0, 0x10, 0, 0x05, 0, 9, 0, 0, 0, 0, 0, 0, 0,
        0x03, 0x01, 0, 0, 0x0c, 0, 0x02, 0, 'd', 'e', 'v', 'l', 'i', 'n',
        'k', 0,
    };
    struct esw_genl_ctrl_request request = { .name = "devlink" };
    struct esw_genl_ctrl_request decoded;
    char *msg;

    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_request(buf, sizeof buf, 9,
                                                       &request), 0);
    CU_ASSERT_EQUAL_FATAL(NLH->nlmsg_len, sizeof expected);
    CU_ASSERT_EQUAL(memcmp(buf, expected, sizeof expected), 0);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_request(NLH, &decoded, &msg), 0);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_EQUAL(memcmp(&decoded, &request, sizeof decoded), 0);

    /* By ID, and a dump. */
    request = (struct esw_genl_ctrl_request) { .id = FAMILY };
    CU_ASSERT_EQUAL(esw_genl_ctrl_encode_request(buf, sizeof buf, 1,
                                                 &request), 0);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_request(NLH, &decoded, NULL), 0);
    CU_ASSERT_EQUAL(decoded.id, FAMILY);
    CU_ASSERT_FALSE(decoded.dump);

    request = (struct esw_genl_ctrl_request) { .dump = true };
    CU_ASSERT_EQUAL(esw_genl_ctrl_encode_request(buf, sizeof buf, 1,
                                                 &request), 0);
    CU_ASSERT_EQUAL(NLH->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_request(NLH, &decoded, NULL), 0);
    CU_ASSERT(decoded.dump);
}

static void
test_ctrl_request_errors(void)
{
    struct esw_genl_ctrl_request request;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, NLM_F_REQUEST, 1,
                      0, CTRL_CMD_GETFAMILY, 1);
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "neither CTRL_ATTR_FAMILY_ID");

    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "a-name-of-sixteen");
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "CTRL_ATTR_FAMILY_NAME");

    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL,
                      NLM_F_REQUEST | NLM_F_DUMP, 1, 0, CTRL_CMD_GETFAMILY,
                      1);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "devlink");
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "dump");

    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, NLM_F_REQUEST, 1,
                      0, CTRL_CMD_GETFAMILY, 1);
    esw_nl_put_u32(&msg, CTRL_ATTR_OP, 1);
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "attribute type 10");

    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, NLM_F_REQUEST, 1,
                      0, CTRL_CMD_GETPOLICY, 1);
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "command 10");

    esw_genl_msg_init(&msg, buf, sizeof buf, FAMILY, NLM_F_REQUEST, 1,
                      0, CTRL_CMD_GETFAMILY, 1);
    error = esw_genl_ctrl_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "nlmsg_type");
}

/* Fills 'family' as the kernel describes devlink. */
static void
make_devlink_family(struct esw_genl_family *family)
{
    memset(family, 0, sizeof *family);
    family->id = FAMILY;
    ovs_strlcpy(family->name, DEVLINK_GENL_NAME, sizeof family->name);
    family->version = DEVLINK_GENL_VERSION;
    family->maxattr = DEVLINK_ATTR_MAX;
    family->n_ops = 3;
    family->ops[0] = (struct esw_genl_op) { DEVLINK_CMD_GET, 0xe };
    family->ops[1] = (struct esw_genl_op) { DEVLINK_CMD_PORT_GET, 0xe };
    family->ops[2] = (struct esw_genl_op) { DEVLINK_CMD_ESWITCH_SET, 0xb };
    family->n_mcgrps = 1;
    family->mcgrps[0].id = 7;
    ovs_strlcpy(family->mcgrps[0].name, DEVLINK_GENL_MCGRP_CONFIG_NAME,
                sizeof family->mcgrps[0].name);
}

static void
test_ctrl_family_round_trip(void)
{
    struct esw_genl_family *family = xmalloc(sizeof *family);
    struct esw_genl_family *decoded = xmalloc(sizeof *decoded);
    char *msg;

    make_devlink_family(family);
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_family(buf, sizeof buf, 3, 99,
                                                      false, family), 0);
    CU_ASSERT_EQUAL(NLH->nlmsg_type, GENL_ID_CTRL);
    CU_ASSERT_EQUAL(NLH->nlmsg_pid, 99);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_family(NLH, decoded, &msg), 0);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_EQUAL(memcmp(decoded, family, sizeof *family), 0);

    const struct esw_genl_mcgrp *config
        = esw_genl_family_find_mcgrp(decoded, "config");
    CU_ASSERT_PTR_NOT_NULL_FATAL(config);
    CU_ASSERT_EQUAL(config->id, 7);
    CU_ASSERT_PTR_NULL(esw_genl_family_find_mcgrp(decoded, "notify"));
    CU_ASSERT_PTR_NOT_NULL(esw_genl_family_find_op(decoded,
                                                   DEVLINK_CMD_PORT_GET));
    CU_ASSERT_PTR_NULL(esw_genl_family_find_op(decoded,
                                               DEVLINK_CMD_PORT_SET));

    /* Without ops and groups, neither attribute is sent. */
    family->n_ops = family->n_mcgrps = 0;
    memset(family->ops, 0, sizeof family->ops);
    memset(family->mcgrps, 0, sizeof family->mcgrps);
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_family(buf, sizeof buf, 3, 99,
                                                      true, family), 0);
    CU_ASSERT_EQUAL(NLH->nlmsg_flags, NLM_F_MULTI);
    CU_ASSERT_EQUAL(NLH->nlmsg_len,
                    MNL_NLMSG_HDRLEN + GENL_HDRLEN + 12 + 8 + 3 * 8);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_family(NLH, decoded, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(decoded, family, sizeof *family), 0);
    free(family);
    free(decoded);
}

static void
test_ctrl_family_errors(void)
{
    struct esw_genl_family *family = xmalloc(sizeof *family);
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, 0, 1, 0,
                      CTRL_CMD_NEWFAMILY, 2);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "devlink");
    error = esw_genl_ctrl_decode_family(NLH, family, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no CTRL_ATTR_FAMILY_ID");

    esw_nl_put_u32(&msg, CTRL_ATTR_FAMILY_ID, FAMILY);
    error = esw_genl_ctrl_decode_family(NLH, family, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "CTRL_ATTR_FAMILY_ID: payload");

    /* A group without a name. */
    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, 0, 1, 0,
                      CTRL_CMD_NEWFAMILY, 2);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "devlink");
    esw_nl_put_u16(&msg, CTRL_ATTR_FAMILY_ID, FAMILY);
    struct nlattr *groups = esw_nl_nest_start(&msg, CTRL_ATTR_MCAST_GROUPS,
                                              false);
    struct nlattr *group = esw_nl_nest_start(&msg, 1, false);
    esw_nl_put_u32(&msg, CTRL_ATTR_MCAST_GRP_ID, 3);
    esw_nl_nest_end(&msg, group);
    esw_nl_nest_end(&msg, groups);
    error = esw_genl_ctrl_decode_family(NLH, family, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "CTRL_ATTR_MCAST_GROUPS");

    /* Garbage at the end of the list of operations. */
    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, 0, 1, 0,
                      CTRL_CMD_NEWFAMILY, 2);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "devlink");
    esw_nl_put_u16(&msg, CTRL_ATTR_FAMILY_ID, FAMILY);
    struct nlattr *ops = esw_nl_nest_start(&msg, CTRL_ATTR_OPS, false);
    struct nlattr *op = esw_nl_nest_start(&msg, 1, false);
    esw_nl_put_u32(&msg, CTRL_ATTR_OP_ID, 1);
    esw_nl_nest_end(&msg, op);
    esw_nl_put(&msg, 2, "", 0);
    esw_nl_nest_end(&msg, ops);
    ops->nla_len -= 2;          /* Cut the last attribute in the nest. */
    error = esw_genl_ctrl_decode_family(NLH, family, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "CTRL_ATTR_OPS: truncated");

    /* More operations than the model holds. */
    esw_genl_msg_init(&msg, buf, sizeof buf, GENL_ID_CTRL, 0, 1, 0,
                      CTRL_CMD_NEWFAMILY, 2);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, "devlink");
    esw_nl_put_u16(&msg, CTRL_ATTR_FAMILY_ID, FAMILY);
    ops = esw_nl_nest_start(&msg, CTRL_ATTR_OPS, false);
    for (int i = 0; i <= ESW_GENL_MAX_OPS; i++) {
        op = esw_nl_nest_start(&msg, i + 1, false);
        esw_nl_put_u32(&msg, CTRL_ATTR_OP_ID, i);
        esw_nl_nest_end(&msg, op);
    }
    esw_nl_nest_end(&msg, ops);
    CU_ASSERT_EQUAL_FATAL(esw_nl_msg_finish(&msg), 0);
    error = esw_genl_ctrl_decode_family(NLH, family, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "more than 256");
    free(family);
}

/* devlink requests. */

static void
test_request_round_trip(void)
{
    const struct esw_devlink_request requests[] = {
        { .cmd = DEVLINK_CMD_GET, .dump = true },
        { .cmd = DEVLINK_CMD_GET, .handle = pci_handle },
        { .cmd = DEVLINK_CMD_PORT_GET, .dump = true },
        { .cmd = DEVLINK_CMD_PORT_GET, .handle = pci_handle,
          .port_index = 65535 },
        { .cmd = DEVLINK_CMD_ESWITCH_GET, .handle = pci_handle },
        { .cmd = DEVLINK_CMD_ESWITCH_SET, .handle = pci_handle,
          .eswitch = { .handle = pci_handle, .has_mode = true,
                       .mode = DEVLINK_ESWITCH_MODE_SWITCHDEV } },
        { .cmd = DEVLINK_CMD_ESWITCH_SET, .handle = pci_handle,
          .eswitch = { .handle = pci_handle,
                       .has_inline_mode = true,
                       .inline_mode = DEVLINK_ESWITCH_INLINE_MODE_LINK,
                       .has_encap_mode = true,
                       .encap_mode = DEVLINK_ESWITCH_ENCAP_MODE_NONE } },
        { .cmd = DEVLINK_CMD_PORT_SET, .handle = pci_handle,
          .port_index = 1,
          .function = { .has_hw_addr = true,
                        .hw_addr = ETH_ADDR_C(00,11,22,33,44,55),
                        .has_state = true,
                        .state = DEVLINK_PORT_FN_STATE_ACTIVE } },
        { .cmd = DEVLINK_CMD_PORT_SET, .handle = pci_handle,
          .port_index = 2,
          .function = { .has_state = true,
                        .state = DEVLINK_PORT_FN_STATE_INACTIVE } },
    };

    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct esw_devlink_request decoded;
        char *msg;

        CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_request(buf, sizeof buf,
                                                         FAMILY, 5,
                                                         &requests[i]), 0);
        CU_ASSERT_EQUAL(NLH->nlmsg_type, FAMILY);
        CU_ASSERT_EQUAL(NLH->nlmsg_flags,
                        NLM_F_REQUEST | NLM_F_ACK
                        | (requests[i].dump ? NLM_F_DUMP : 0));
        CU_ASSERT_EQUAL(esw_devlink_msg_cmd(NLH, FAMILY), requests[i].cmd);
        CU_ASSERT_EQUAL(esw_devlink_decode_request(NLH, FAMILY, &decoded,
                                                   &msg), 0);
        CU_ASSERT_PTR_NULL(msg);
        if (memcmp(&decoded, &requests[i], sizeof decoded)) {
            fprintf(stderr, "\ndevlink request %"PRIuSIZE" does not "
                    "round-trip\n", i);
            CU_FAIL("devlink request round trip");
        }
    }
    CU_ASSERT_EQUAL(esw_devlink_msg_cmd(NLH, FAMILY + 1), -1);
}

/* libmnl marks nests with NLA_F_NESTED, and iproute2's devlink, built on
 * it, sends DEVLINK_ATTR_PORT_FUNCTION so. */
static void
test_request_port_function_is_marked_nested(void)
{
    struct esw_devlink_request request = {
        .cmd = DEVLINK_CMD_PORT_SET, .handle = pci_handle, .port_index = 1,
        .function = { .has_state = true },
    };
    const struct nlattr *attr;
    bool found = false;

    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_request(buf, sizeof buf, FAMILY,
                                                     1, &request), 0);
    mnl_attr_for_each (attr, NLH, GENL_HDRLEN) {
        if (mnl_attr_get_type(attr) == DEVLINK_ATTR_PORT_FUNCTION) {
            CU_ASSERT(attr->nla_type & NLA_F_NESTED);
            found = true;
        }
    }
    CU_ASSERT(found);
}

/* Starts a devlink request 'cmd' for the PCI device in 'msg'. */
static void
start_request(struct esw_nl_msg *msg, uint8_t cmd, uint16_t flags)
{
    esw_genl_msg_init(msg, buf, sizeof buf, FAMILY, NLM_F_REQUEST | flags, 1,
                      0, cmd, DEVLINK_GENL_VERSION);
    if (!(flags & NLM_F_DUMP)) {
        esw_nl_put_string(msg, DEVLINK_ATTR_BUS_NAME, "pci");
        esw_nl_put_string(msg, DEVLINK_ATTR_DEV_NAME, "0000:03:00.0");
    }
}

static int
decode_request_msg(char **error_msg)
{
    struct esw_devlink_request request;

    return esw_devlink_decode_request(NLH, FAMILY, &request, error_msg);
}

static void
test_request_errors(void)
{
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    /* Commands outside the model. */
    start_request(&msg, DEVLINK_CMD_RELOAD, 0);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "command 37");

    start_request(&msg, DEVLINK_CMD_ESWITCH_GET, NLM_F_DUMP);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "cannot be dumped");

    /* Attributes outside a command's model. */
    start_request(&msg, DEVLINK_CMD_PORT_GET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    esw_nl_put_u16(&msg, DEVLINK_ATTR_ESWITCH_MODE, 1);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "attribute type 25");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    esw_nl_put_u16(&msg, DEVLINK_ATTR_PORT_TYPE, DEVLINK_PORT_TYPE_ETH);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "DEVLINK_ATTR_PORT_TYPE");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "no DEVLINK_ATTR_PORT_FUNCTION");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    struct nlattr *fn = esw_nl_nest_start(&msg, DEVLINK_ATTR_PORT_FUNCTION,
                                          true);
    esw_nl_put_u8(&msg, DEVLINK_PORT_FN_ATTR_OPSTATE, 1);
    esw_nl_nest_end(&msg, fn);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "DEVLINK_PORT_FN_ATTR_OPSTATE");

    start_request(&msg, DEVLINK_CMD_GET, NLM_F_DUMP);
    esw_nl_put_string(&msg, DEVLINK_ATTR_BUS_NAME, "pci");
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "DEVLINK_ATTR_BUS_NAME");

    /* Malformed requests. */
    esw_genl_msg_init(&msg, buf, sizeof buf, FAMILY, NLM_F_REQUEST, 1, 0,
                      DEVLINK_CMD_GET, 1);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no DEVLINK_ATTR_BUS_NAME");

    start_request(&msg, DEVLINK_CMD_PORT_GET, 0);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no DEVLINK_ATTR_PORT_INDEX");

    start_request(&msg, DEVLINK_CMD_PORT_GET, 0);
    esw_nl_put_u16(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "DEVLINK_ATTR_PORT_INDEX: payload");

    start_request(&msg, DEVLINK_CMD_ESWITCH_SET, 0);
    esw_nl_put_u16(&msg, DEVLINK_ATTR_ESWITCH_MODE, 2);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "DEVLINK_ATTR_ESWITCH_MODE");

    start_request(&msg, DEVLINK_CMD_ESWITCH_SET, 0);
    esw_nl_put_u8(&msg, DEVLINK_ATTR_ESWITCH_ENCAP_MODE, 2);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "DEVLINK_ATTR_ESWITCH_ENCAP_MODE");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    fn = esw_nl_nest_start(&msg, DEVLINK_ATTR_PORT_FUNCTION, true);
    esw_nl_put(&msg, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, "\1\2\3\4\5\6\7", 7);
    esw_nl_nest_end(&msg, fn);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL,
                "DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR: 7 bytes");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    fn = esw_nl_nest_start(&msg, DEVLINK_ATTR_PORT_FUNCTION, true);
    esw_nl_put_u8(&msg, DEVLINK_PORT_FN_ATTR_STATE, 2);
    esw_nl_nest_end(&msg, fn);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "DEVLINK_PORT_FN_ATTR_STATE");

    start_request(&msg, DEVLINK_CMD_PORT_SET, 0);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, 1);
    fn = esw_nl_nest_start(&msg, DEVLINK_ATTR_PORT_FUNCTION, true);
    esw_nl_nest_end(&msg, fn);
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "nothing to set");

    start_request(&msg, DEVLINK_CMD_GET, 0);
    NLH->nlmsg_type = FAMILY + 1;
    error = decode_request_msg(&error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "nlmsg_type");
}

/* devlink replies. */

static void
test_dev_reply(void)
{
    struct esw_devlink_dev dev = { .handle = pci_handle }, decoded;
    const struct nlattr *attr, *stats = NULL;
    char *msg;

    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_dev(buf, sizeof buf, FAMILY, 4,
                                                 77, true, &dev), 0);
    CU_ASSERT_EQUAL(NLH->nlmsg_flags, NLM_F_MULTI);
    CU_ASSERT_EQUAL(esw_devlink_msg_cmd(NLH, FAMILY), DEVLINK_CMD_NEW);
    CU_ASSERT_EQUAL(esw_devlink_decode_dev(NLH, FAMILY, &decoded, &msg), 0);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_EQUAL(memcmp(&decoded, &dev, sizeof dev), 0);

    /* The kernel's statistics of a driver without reload support: no local
     * counters, remote counters for (driver_reinit, unspecified),
     * (fw_activate, unspecified) and (fw_activate, no_reset). */
    mnl_attr_for_each (attr, NLH, GENL_HDRLEN) {
        if (mnl_attr_get_type(attr) == DEVLINK_ATTR_DEV_STATS) {
            stats = attr;
        }
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(stats);
    CU_ASSERT(stats->nla_type & NLA_F_NESTED);
    size_t n_entries = 0;
    const struct nlattr *group, *info, *action_stats, *entry;
    mnl_attr_for_each_nested (group, stats) {
        mnl_attr_for_each_nested (info, group) {
            mnl_attr_for_each_nested (action_stats, info) {
                if (mnl_attr_get_type(action_stats)
                    == DEVLINK_ATTR_RELOAD_ACTION_STATS) {
                    mnl_attr_for_each_nested (entry, action_stats) {
                        n_entries++;
                    }
                }
            }
        }
    }
    CU_ASSERT_EQUAL(n_entries, 3);

    dev.reload_failed = true;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_dev(buf, sizeof buf, FAMILY, 4,
                                                 77, false, &dev), 0);
    CU_ASSERT_EQUAL(esw_devlink_decode_dev(NLH, FAMILY, &decoded, NULL), 0);
    CU_ASSERT(decoded.reload_failed);
}

static void
test_port_reply_round_trip(void)
{
    struct esw_devlink_port ports[4];

    memset(ports, 0, sizeof ports);
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        ports[i].handle = pci_handle;
        ports[i].index = i + 1;
        ports[i].type = DEVLINK_PORT_TYPE_ETH;
        ports[i].netdev_ifindex = 10 + i;
        ports[i].has_flavour = true;
    }
    /* The uplink. */
    ovs_strlcpy(ports[0].netdev_name, "p0", IFNAMSIZ);
    ports[0].flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL;
    ports[0].splittable = true;
    ports[0].port_number = 1;
    /* The PF's representor. */
    ovs_strlcpy(ports[1].netdev_name, "pf0hpf", IFNAMSIZ);
    ports[1].flavour = DEVLINK_PORT_FLAVOUR_PCI_PF;
    ports[1].controller = 1;
    ports[1].external = true;
    ports[1].function.has_hw_addr = true;
    ports[1].function.hw_addr
        = (struct eth_addr) ETH_ADDR_C(02,00,00,00,00,01);
    /* A VF's representor, with a function. */
    ovs_strlcpy(ports[2].netdev_name, "pf0vf3", IFNAMSIZ);
    ports[2].flavour = DEVLINK_PORT_FLAVOUR_PCI_VF;
    ports[2].pf_number = 0;
    ports[2].vf_number = 3;
    ports[2].function = (struct esw_devlink_port_fn) {
        .has_hw_addr = true, .hw_addr = ETH_ADDR_C(02,00,00,00,00,03),
        .has_state = true, .state = DEVLINK_PORT_FN_STATE_ACTIVE,
        .has_opstate = true, .opstate = DEVLINK_PORT_FN_OPSTATE_ATTACHED };
    /* A port without netdev nor attributes. */
    ports[3].type = DEVLINK_PORT_TYPE_NOTSET;
    ports[3].netdev_ifindex = 0;
    ports[3].has_flavour = false;

    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct esw_devlink_port decoded;
        char *msg;

        CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf,
                                                      FAMILY, 2, 3, false,
                                                      &ports[i]), 0);
        CU_ASSERT_EQUAL(esw_devlink_msg_cmd(NLH, FAMILY),
                        DEVLINK_CMD_PORT_NEW);
        CU_ASSERT_EQUAL(esw_devlink_decode_port(NLH, FAMILY, &decoded, &msg),
                        0);
        CU_ASSERT_PTR_NULL(msg);
        if (memcmp(&decoded, &ports[i], sizeof decoded)) {
            fprintf(stderr, "\ndevlink port %"PRIuSIZE" does not "
                    "round-trip\n", i);
            CU_FAIL("devlink port round trip");
        }
    }
}

/* Asserts that the devlink message in 'buf' has exactly the attributes of
 * 'types' (of 'n'), the base ones of every port first, and an unmarked
 * DEVLINK_ATTR_PORT_FUNCTION as the kernel sends it. */
static void
check_port_attrs_at(int line, const uint16_t types[], size_t n)
{
    static const uint16_t base[] = {
        DEVLINK_ATTR_BUS_NAME, DEVLINK_ATTR_DEV_NAME,
        DEVLINK_ATTR_PORT_INDEX, DEVLINK_ATTR_PORT_TYPE,
    };
    bool expected[DEVLINK_ATTR_MAX + 1] = { false };
    bool present[DEVLINK_ATTR_MAX + 1] = { false };
    const struct nlattr *attr;
    bool ok = true;

    for (size_t i = 0; i < ARRAY_SIZE(base); i++) {
        expected[base[i]] = true;
    }
    for (size_t i = 0; i < n; i++) {
        expected[types[i]] = true;
    }
    mnl_attr_for_each (attr, NLH, GENL_HDRLEN) {
        uint16_t type = mnl_attr_get_type(attr);

        if (type > DEVLINK_ATTR_MAX || present[type]) {
            ok = false;
            continue;
        }
        present[type] = true;
        if (type == DEVLINK_ATTR_PORT_FUNCTION
            && attr->nla_type & NLA_F_NESTED) {
            ok = false;
        }
    }
    ok = ok && !memcmp(expected, present, sizeof expected);
    CU_assertImplementation(ok, line, "port attributes as expected",
                            __FILE__, "", CU_FALSE);
}
#define CHECK_PORT_ATTRS(...)                                           \
    do {                                                                \
        static const uint16_t types_[] = { __VA_ARGS__ };               \
        check_port_attrs_at(__LINE__, types_, ARRAY_SIZE(types_));      \
    } while (0)

static void
test_port_reply_attributes_follow_flavour(void)
{
    struct esw_devlink_port port = {
        .handle = pci_handle, .index = 1, .type = DEVLINK_PORT_TYPE_ETH,
        .netdev_ifindex = 4, .netdev_name = "p0", .has_flavour = true,
        .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL,
    };

    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    CHECK_PORT_ATTRS(DEVLINK_ATTR_PORT_NETDEV_IFINDEX,
                     DEVLINK_ATTR_PORT_NETDEV_NAME,
                     DEVLINK_ATTR_PORT_SPLITTABLE, DEVLINK_ATTR_PORT_FLAVOUR,
                     DEVLINK_ATTR_PORT_NUMBER);

    port.flavour = DEVLINK_PORT_FLAVOUR_PCI_PF;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    CHECK_PORT_ATTRS(DEVLINK_ATTR_PORT_NETDEV_IFINDEX,
                     DEVLINK_ATTR_PORT_NETDEV_NAME,
                     DEVLINK_ATTR_PORT_SPLITTABLE, DEVLINK_ATTR_PORT_FLAVOUR,
                     DEVLINK_ATTR_PORT_CONTROLLER_NUMBER,
                     DEVLINK_ATTR_PORT_PCI_PF_NUMBER,
                     DEVLINK_ATTR_PORT_EXTERNAL);

    port.flavour = DEVLINK_PORT_FLAVOUR_PCI_VF;
    port.function.has_state = true;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    CHECK_PORT_ATTRS(DEVLINK_ATTR_PORT_NETDEV_IFINDEX,
                     DEVLINK_ATTR_PORT_NETDEV_NAME,
                     DEVLINK_ATTR_PORT_SPLITTABLE, DEVLINK_ATTR_PORT_FLAVOUR,
                     DEVLINK_ATTR_PORT_CONTROLLER_NUMBER,
                     DEVLINK_ATTR_PORT_PCI_PF_NUMBER,
                     DEVLINK_ATTR_PORT_PCI_VF_NUMBER,
                     DEVLINK_ATTR_PORT_EXTERNAL, DEVLINK_ATTR_PORT_FUNCTION);

    /* An IB port shows no netdev; a port without attributes, none. */
    port.type = DEVLINK_PORT_TYPE_IB;
    port.has_flavour = false;
    port.function.has_state = false;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    CHECK_PORT_ATTRS(DEVLINK_ATTR_PORT_INDEX);
}

static void
test_replies_lenient_but_validated(void)
{
    struct esw_devlink_port port = {
        .handle = pci_handle, .index = 1, .type = DEVLINK_PORT_TYPE_ETH,
    };
    struct esw_devlink_port decoded;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    /* A newer kernel's attributes are skipped. */
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    msg = (struct esw_nl_msg) { .nlh = NLH, .size = sizeof buf };
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_LANES, 4);
    esw_nl_put_u32(&msg, 1000, 4);
    CU_ASSERT_EQUAL(esw_devlink_decode_port(NLH, FAMILY, &decoded, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(&decoded, &port, sizeof port), 0);

    /* Known ones are checked. */
    msg = (struct esw_nl_msg) { .nlh = NLH, .size = sizeof buf };
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_FLAVOUR, 4);
    error = esw_devlink_decode_port(NLH, FAMILY, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "DEVLINK_ATTR_PORT_FLAVOUR");

    esw_genl_msg_init(&msg, buf, sizeof buf, FAMILY, 0, 1, 0,
                      DEVLINK_CMD_PORT_NEW, 1);
    esw_nl_put_string(&msg, DEVLINK_ATTR_BUS_NAME, "pci");
    esw_nl_put_string(&msg, DEVLINK_ATTR_DEV_NAME, "0000:03:00.0");
    error = esw_devlink_decode_port(NLH, FAMILY, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no DEVLINK_ATTR_PORT_INDEX");

    /* A reply to another command. */
    struct esw_devlink_dev dev;
    error = esw_devlink_decode_dev(NLH, FAMILY, &dev, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "expected DEVLINK_CMD_NEW");
}

static void
test_eswitch_reply(void)
{
    struct esw_devlink_eswitch esw = {
        .handle = pci_handle, .has_mode = true,
        .mode = DEVLINK_ESWITCH_MODE_SWITCHDEV, .has_inline_mode = true,
        .inline_mode = DEVLINK_ESWITCH_INLINE_MODE_NONE,
        .has_encap_mode = true, .encap_mode = DEVLINK_ESWITCH_ENCAP_MODE_BASIC,
    };
    struct esw_devlink_eswitch decoded;
    char *msg;

    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_eswitch(buf, sizeof buf, FAMILY,
                                                     8, 9, &esw), 0);
    CU_ASSERT_EQUAL(esw_devlink_msg_cmd(NLH, FAMILY),
                    DEVLINK_CMD_ESWITCH_GET);
    CU_ASSERT_EQUAL(esw_devlink_decode_eswitch(NLH, FAMILY, &decoded, &msg),
                    0);
    CU_ASSERT_PTR_NULL(msg);
    CU_ASSERT_EQUAL(memcmp(&decoded, &esw, sizeof esw), 0);

    /* A driver that reports the mode only. */
    esw.has_inline_mode = esw.has_encap_mode = false;
    esw.inline_mode = esw.encap_mode = 0;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_eswitch(buf, sizeof buf, FAMILY,
                                                     8, 9, &esw), 0);
    CU_ASSERT_EQUAL(esw_devlink_decode_eswitch(NLH, FAMILY, &decoded, NULL),
                    0);
    CU_ASSERT_EQUAL(memcmp(&decoded, &esw, sizeof esw), 0);
}

static int
encode_port(void *dst, size_t size)
{
    static const struct esw_devlink_port port = {
        .handle = { .bus_name = "pci", .dev_name = "0000:03:00.0" },
        .index = 1, .type = DEVLINK_PORT_TYPE_ETH, .netdev_ifindex = 3,
        .netdev_name = "pf0vf0", .has_flavour = true,
        .flavour = DEVLINK_PORT_FLAVOUR_PCI_VF,
        .function = { .has_hw_addr = true, .has_state = true },
    };

    return esw_devlink_encode_port(dst, size, FAMILY, 1, 0, false, &port);
}

static int
encode_port_set(void *dst, size_t size)
{
    static const struct esw_devlink_request request = {
        .cmd = DEVLINK_CMD_PORT_SET,
        .handle = { .bus_name = "pci", .dev_name = "0000:03:00.0" },
        .function = { .has_hw_addr = true, .has_state = true },
    };

    return esw_devlink_encode_request(dst, size, FAMILY, 1, &request);
}

static int
encode_dev(void *dst, size_t size)
{
    static const struct esw_devlink_dev dev = {
        .handle = { .bus_name = "pci", .dev_name = "0000:03:00.0" },
    };

    return esw_devlink_encode_dev(dst, size, FAMILY, 1, 0, false, &dev);
}

static int
encode_family(void *dst, size_t size)
{
    static struct esw_genl_family family;

    make_devlink_family(&family);
    return esw_genl_ctrl_encode_family(dst, size, 1, 0, false, &family);
}

static void
test_encoders_never_overrun(void)
{
    static int (*const encoders[])(void *, size_t) = {
        encode_port, encode_port_set, encode_dev, encode_family,
    };
    uint8_t *guarded = xmalloc(sizeof buf);

    for (size_t i = 0; i < ARRAY_SIZE(encoders); i++) {
        CU_ASSERT_EQUAL_FATAL(encoders[i](buf, sizeof buf), 0);
        size_t len = NLH->nlmsg_len;

        /* The exact size is enough; every shorter buffer is refused, and
         * not a byte beyond it is written. */
        CU_ASSERT_EQUAL(encoders[i](guarded, len), 0);
        for (size_t size = 0; size < len; size++) {
            memset(guarded, 0xa5, len);
            CU_ASSERT_EQUAL(encoders[i](guarded, size), EMSGSIZE);
            for (size_t j = size; j < len; j++) {
                if (guarded[j] != 0xa5) {
                    CU_FAIL("encoder wrote past its buffer");
                    break;
                }
            }
        }
    }
    free(guarded);
}


static int
decode_devlink_request(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_devlink_request request;

    return esw_devlink_decode_request(nlh, FAMILY, &request, errorp);
}

static int
decode_port(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_devlink_port port;

    return esw_devlink_decode_port(nlh, FAMILY, &port, errorp);
}

static int
decode_dev(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_devlink_dev dev;

    return esw_devlink_decode_dev(nlh, FAMILY, &dev, errorp);
}

static int
decode_eswitch(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_devlink_eswitch esw;

    return esw_devlink_decode_eswitch(nlh, FAMILY, &esw, errorp);
}

static int
decode_family(const struct nlmsghdr *nlh, char **errorp)
{
    static struct esw_genl_family family;

    return esw_genl_ctrl_decode_family(nlh, &family, errorp);
}

static int
decode_ctrl_request(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_genl_ctrl_request request;

    return esw_genl_ctrl_decode_request(nlh, &request, errorp);
}

static void
test_bad_input_never_crashes(void)
{
    struct esw_devlink_request requests[] = {
        { .cmd = DEVLINK_CMD_PORT_SET, .handle = pci_handle,
          .function = { .has_hw_addr = true, .has_state = true } },
        { .cmd = DEVLINK_CMD_ESWITCH_SET, .handle = pci_handle,
          .eswitch = { .has_mode = true, .has_inline_mode = true,
                       .has_encap_mode = true } },
    };
    struct esw_devlink_port port = {
        .handle = pci_handle, .index = 1, .type = DEVLINK_PORT_TYPE_ETH,
        .netdev_ifindex = 3, .netdev_name = "pf0vf0", .has_flavour = true,
        .flavour = DEVLINK_PORT_FLAVOUR_PCI_VF,
        .function = { .has_hw_addr = true, .has_state = true,
                      .has_opstate = true },
    };
    struct esw_devlink_eswitch esw = { .handle = pci_handle,
                                       .has_mode = true,
                                       .has_encap_mode = true };
    struct esw_devlink_dev dev = { .handle = pci_handle };
    struct esw_genl_ctrl_request ctrl = { .name = "devlink" };
    struct esw_genl_family family;

    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_request(buf, sizeof buf,
                                                         FAMILY, 1,
                                                         &requests[i]), 0);
        esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_devlink_request);
    }
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_port(buf, sizeof buf, FAMILY, 1,
                                                  0, false, &port), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_port);
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_dev(buf, sizeof buf, FAMILY, 1,
                                                 0, false, &dev), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_dev);
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_eswitch(buf, sizeof buf, FAMILY,
                                                     1, 0, &esw), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_eswitch);

    make_devlink_family(&family);
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_family(buf, sizeof buf, 1, 0,
                                                      false, &family), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_family);
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_request(buf, sizeof buf, 1,
                                                       &ctrl), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_ctrl_request);
}

CU_pSuite
test_devlink_codec_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
        { "nlctrl: CTRL_CMD_GETFAMILY", test_ctrl_request },
        { "nlctrl: CTRL_CMD_GETFAMILY errors", test_ctrl_request_errors },
        { "nlctrl: CTRL_CMD_NEWFAMILY round trip",
          test_ctrl_family_round_trip },
        { "nlctrl: CTRL_CMD_NEWFAMILY errors", test_ctrl_family_errors },
        { "request round trip", test_request_round_trip },
        { "request port function marked nested",
          test_request_port_function_is_marked_nested },
        { "request errors", test_request_errors },
        { "DEVLINK_CMD_NEW", test_dev_reply },
        { "DEVLINK_CMD_PORT_NEW round trip", test_port_reply_round_trip },
        { "DEVLINK_CMD_PORT_NEW attributes follow flavour",
          test_port_reply_attributes_follow_flavour },
        { "replies lenient but validated",
          test_replies_lenient_but_validated },
        { "DEVLINK_CMD_ESWITCH_GET reply", test_eswitch_reply },
        { "encoders never overrun", test_encoders_never_overrun },
        { "bad input never crashes", test_bad_input_never_crashes },
    };
    CU_pSuite suite = CU_add_suite("devlink-codec", NULL, NULL);

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
