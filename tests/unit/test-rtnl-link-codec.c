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

/* The rtnetlink link codec: RTM_GETLINK requests, RTM_NEWLINK replies and VF
 * configuration requests, encoded and decoded, and refused when malformed
 * or outside the model.  (test-link-oracle.c compares with iproute2.) */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "esw-netlink.h"
#include "esw-test-fuzz.h"
#include "esw-unittest.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "util.h"

/* From <linux/if.h>, which clashes with <net/if.h>. */
#define TEST_IFF_LOWER_UP 0x10000
#define TEST_IF_OPER_UP 6

/* Big enough for any message here, aligned for struct nlmsghdr. */
static uint64_t buf[65536 / sizeof(uint64_t)];
#define NLH ((struct nlmsghdr *) (void *) buf)

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

/* RTM_GETLINK. */

static void
test_request_round_trip(void)
{
    const struct esw_link_request requests[] = {
        { .dump = true, .family = AF_PACKET, .ext_mask = RTEXT_FILTER_VF },
        { .dump = true },
        { .ifindex = 7 },
        { .ifindex = 7, .ext_mask = RTEXT_FILTER_VF
                                    | RTEXT_FILTER_SKIP_STATS },
        { .family = AF_PACKET, .name = "pf0", .ext_mask = RTEXT_FILTER_VF },
    };

    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct esw_link_request decoded;
        char *msg;

        CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(buf, sizeof buf,
                                                           42, &requests[i]),
                              0);
        CU_ASSERT_EQUAL(NLH->nlmsg_type, RTM_GETLINK);
        CU_ASSERT_EQUAL(NLH->nlmsg_seq, 42);
        CU_ASSERT_EQUAL(NLH->nlmsg_flags,
                        NLM_F_REQUEST | (requests[i].dump ? NLM_F_DUMP : 0));
        CU_ASSERT_EQUAL(esw_rtnl_link_decode_request(NLH, &decoded, &msg), 0);
        CU_ASSERT_PTR_NULL(msg);
        CU_ASSERT_EQUAL(memcmp(&decoded, &requests[i], sizeof decoded), 0);
    }
}

static void
test_request_bytes(void)
{
    /* "ip link show dev eswlink0": ifinfomsg with AF_PACKET, then
     * IFLA_IFNAME and IFLA_EXT_MASK. */
    static const uint8_t expected[] = {
        0x34, 0, 0, 0, 0x12, 0, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x0b, 0, 0x03, 0, 'e', 's', 'w', 'p', 'f', '0', 0, 0,
        0x08, 0, 0x1d, 0, 0x01, 0, 0, 0,
    };
    struct esw_link_request request = {
        .family = AF_PACKET, .name = "eswpf0", .ext_mask = RTEXT_FILTER_VF,
    };

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(buf, sizeof buf, 1,
                                                       &request), 0);
    CU_ASSERT_EQUAL_FATAL(NLH->nlmsg_len, sizeof expected);
    CU_ASSERT_EQUAL(memcmp(buf, expected, sizeof expected), 0);
}

/* Writes an RTM_GETLINK with 'flags', 'ifindex' and no attributes into
 * 'msg', for tests to append attributes to. */
static void
start_getlink(struct esw_nl_msg *msg, uint16_t flags, int ifindex)
{
    struct ifinfomsg *ifi = esw_nl_msg_init(msg, buf, sizeof buf,
                                            RTM_GETLINK, flags, 1, 0,
                                            sizeof *ifi);
    ifi->ifi_index = ifindex;
}

static void
test_request_errors(void)
{
    struct esw_link_request request;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    /* One link, but which? */
    start_getlink(&msg, NLM_F_REQUEST, 0);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "neither ifi_index nor");

    /* A filtered dump. */
    start_getlink(&msg, NLM_F_REQUEST | NLM_F_DUMP, 3);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "filtered");

    /* An attribute outside the model, and an unknown one. */
    start_getlink(&msg, NLM_F_REQUEST | NLM_F_DUMP, 0);
    esw_nl_put_u32(&msg, IFLA_MASTER, 3);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "IFLA_MASTER");

    start_getlink(&msg, NLM_F_REQUEST | NLM_F_DUMP, 0);
    esw_nl_put_u32(&msg, 999, 3);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "999");

    /* Malformed attributes. */
    start_getlink(&msg, NLM_F_REQUEST | NLM_F_DUMP, 0);
    esw_nl_put_u16(&msg, IFLA_EXT_MASK, RTEXT_FILTER_VF);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_EXT_MASK");

    start_getlink(&msg, NLM_F_REQUEST, 0);
    esw_nl_put(&msg, IFLA_IFNAME, "eth0", 4);
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_IFNAME");

    start_getlink(&msg, NLM_F_REQUEST, 0);
    esw_nl_put_string(&msg, IFLA_IFNAME, "a-name-of-16-chr");
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_IFNAME");

    start_getlink(&msg, NLM_F_REQUEST, 2);
    esw_nl_put_u32(&msg, IFLA_EXT_MASK, RTEXT_FILTER_VF);
    NLH->nlmsg_len -= 2;        /* Cut the attribute short. */
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "truncated");

    /* Not an RTM_GETLINK, too short for its header. */
    start_getlink(&msg, NLM_F_REQUEST, 2);
    NLH->nlmsg_type = RTM_GETADDR;
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "nlmsg_type");

    start_getlink(&msg, NLM_F_REQUEST, 2);
    NLH->nlmsg_len = MNL_NLMSG_HDRLEN + 8;
    error = esw_rtnl_link_decode_request(NLH, &request, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "too short");

    /* The kernel accepts a dump with the old struct rtgenmsg: so do we. */
    struct rtgenmsg *rtgen = esw_nl_msg_init(&msg, buf, sizeof buf,
                                             RTM_GETLINK,
                                             NLM_F_REQUEST | NLM_F_DUMP, 1,
                                             0, sizeof *rtgen);
    rtgen->rtgen_family = AF_PACKET;
    NLH->nlmsg_len = MNL_NLMSG_HDRLEN + sizeof *rtgen;
    CU_ASSERT_EQUAL(esw_rtnl_link_decode_request(NLH, &request, NULL), 0);
    CU_ASSERT(request.dump);
    CU_ASSERT_EQUAL(request.family, AF_PACKET);
}

/* RTM_NEWLINK. */

/* Fills 'link' as a PF with three VFs, every field set. */
static void
make_pf(struct esw_link *link)
{
    static const uint8_t switch_id[] = { 0xb8, 0x59, 0x9f, 0x03, 0x00,
                                         0x12, 0x34, 0x56 };

    memset(link, 0, sizeof *link);
    link->ifindex = 12;
    link->type = ARPHRD_ETHER;
    link->flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING
                  | TEST_IFF_LOWER_UP;
    ovs_strlcpy(link->name, "enp3s0f0np0", sizeof link->name);
    link->operstate = TEST_IF_OPER_UP;
    link->mtu = 9000;
    link->has_mac = true;
    link->mac = (struct eth_addr) ETH_ADDR_C(b8,59,9f,12,34,56);
    memcpy(link->phys_switch_id.id, switch_id, sizeof switch_id);
    link->phys_switch_id.len = sizeof switch_id;
    ovs_strlcpy(link->phys_port_name, "p0", sizeof link->phys_port_name);
    ovs_strlcpy(link->parent_dev_name, "0000:03:00.0",
                sizeof link->parent_dev_name);
    ovs_strlcpy(link->parent_bus_name, "pci", sizeof link->parent_bus_name);
    link->has_num_vf = true;
    link->num_vf = 3;
    link->has_vfinfo_list = true;
    link->n_vfs = 3;
    for (uint32_t i = 0; i < link->n_vfs; i++) {
        struct esw_vf_info *vf = &link->vfs[i];

        vf->vf = i;
        vf->mac = (struct eth_addr) ETH_ADDR_C(02,00,00,00,00,00);
        vf->mac.ea[5] = i + 1;
        vf->vlan_proto = htons(ETH_P_8021Q);
        vf->spoofchk = ESW_VF_SETTING_ON;
        vf->trust = ESW_VF_SETTING_OFF;
        vf->rss_query_en = ESW_VF_SETTING_UNREPORTED;
        vf->link_state = IFLA_VF_LINK_STATE_AUTO;
    }
    link->vfs[1].vlan = 100;
    link->vfs[1].qos = 3;
    link->vfs[1].min_tx_rate = 10;
    link->vfs[1].max_tx_rate = 1000;
    link->vfs[1].link_state = IFLA_VF_LINK_STATE_DISABLE;
    link->vfs[2].vlan = 4000;
    link->vfs[2].vlan_proto = htons(ETH_P_8021AD);
    link->vfs[2].trust = ESW_VF_SETTING_ON;
    link->vfs[2].spoofchk = ESW_VF_SETTING_UNREPORTED;
}

static void
test_link_round_trip(void)
{
    static const uint32_t masks[] = {
        RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS,
        RTEXT_FILTER_VF,
    };
    struct esw_link link, decoded;

    make_pf(&link);
    for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
        char *msg;

        CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(buf, sizeof buf, 9,
                                                        1234, true, masks[i],
                                                        &link), 0);
        CU_ASSERT_EQUAL(NLH->nlmsg_type, RTM_NEWLINK);
        CU_ASSERT_EQUAL(NLH->nlmsg_flags, NLM_F_MULTI);
        CU_ASSERT_EQUAL(NLH->nlmsg_seq, 9);
        CU_ASSERT_EQUAL(NLH->nlmsg_pid, 1234);
        CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(NLH, &decoded, &msg), 0);
        CU_ASSERT_PTR_NULL(msg);
        CU_ASSERT_EQUAL(memcmp(&decoded, &link, sizeof link), 0);
    }
}

/* Returns the attribute of 'type' in the attributes of the RTM_NEWLINK in
 * 'buf', or NULL. */
static const struct nlattr *
find_link_attr(uint16_t type)
{
    const struct nlattr *attr;

    mnl_attr_for_each (attr, NLH, sizeof(struct ifinfomsg)) {
        if (mnl_attr_get_type(attr) == type) {
            return attr;
        }
    }
    return NULL;
}

static void
test_link_vf_info_only_when_asked(void)
{
    struct esw_link link, decoded;

    make_pf(&link);
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(buf, sizeof buf, 1, 0,
                                                    false, 0, &link), 0);
    CU_ASSERT_PTR_NULL(find_link_attr(IFLA_NUM_VF));
    CU_ASSERT_PTR_NULL(find_link_attr(IFLA_VFINFO_LIST));
    CU_ASSERT_PTR_NOT_NULL(find_link_attr(IFLA_PARENT_DEV_NAME));
    CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(NLH, &decoded, NULL), 0);
    CU_ASSERT_FALSE(decoded.has_num_vf);
    CU_ASSERT_FALSE(decoded.has_vfinfo_list);
    CU_ASSERT_EQUAL(decoded.n_vfs, 0);
    CU_ASSERT_STRING_EQUAL(decoded.phys_port_name, "p0");
}

static void
test_link_vf_stats_unless_skipped(void)
{
    struct esw_link link;

    make_pf(&link);
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(
                              buf, sizeof buf, 1, 0, false,
                              RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS,
                              &link), 0);
    uint32_t len_without_stats = NLH->nlmsg_len;

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(buf, sizeof buf, 1, 0,
                                                    false, RTEXT_FILTER_VF,
                                                    &link), 0);
    /* Per VF: the nest and 8 64-bit counters, all zero. */
    CU_ASSERT_EQUAL(NLH->nlmsg_len - len_without_stats,
                    link.n_vfs * (4 + 8 * 12));

    const struct nlattr *list = find_link_attr(IFLA_VFINFO_LIST);
    const struct nlattr *info, *attr;
    size_t n_stats = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    mnl_attr_for_each_nested (info, list) {
        mnl_attr_for_each_nested (attr, info) {
            if (mnl_attr_get_type(attr) == IFLA_VF_STATS) {
                n_stats++;
            }
        }
    }
    CU_ASSERT_EQUAL(n_stats, link.n_vfs);
}

/* The VF layout of the kernel's rtnl_fill_vfinfo(): every attribute, in its
 * order, even those the model does not have. */
static void
test_link_vf_info_layout(void)
{
    static const uint16_t order[] = {
        IFLA_VF_MAC, IFLA_VF_BROADCAST, IFLA_VF_VLAN, IFLA_VF_RATE,
        IFLA_VF_TX_RATE, IFLA_VF_SPOOFCHK, IFLA_VF_LINK_STATE,
        IFLA_VF_RSS_QUERY_EN, IFLA_VF_TRUST, IFLA_VF_VLAN_LIST,
    };
    struct esw_link link;

    make_pf(&link);
    link.n_vfs = 1;
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(
                              buf, sizeof buf, 1, 0, false,
                              RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS,
                              &link), 0);

    const struct nlattr *list = find_link_attr(IFLA_VFINFO_LIST);
    CU_ASSERT_PTR_NOT_NULL_FATAL(list);
    CU_ASSERT_EQUAL(list->nla_type, IFLA_VFINFO_LIST);  /* No NLA_F_*. */

    const struct nlattr *info = mnl_attr_get_payload(list);
    const struct nlattr *attr;
    size_t i = 0;
    mnl_attr_for_each_nested (attr, info) {
        CU_ASSERT_FATAL(i < ARRAY_SIZE(order));
        CU_ASSERT_EQUAL(mnl_attr_get_type(attr), order[i]);
        if (order[i] == IFLA_VF_BROADCAST) {
            const uint8_t *b = mnl_attr_get_payload(attr);
            CU_ASSERT(b[0] == 0xff && b[5] == 0xff && b[6] == 0);
        } else if (order[i] == IFLA_VF_SPOOFCHK) {
            const struct ifla_vf_spoofchk *s = mnl_attr_get_payload(attr);
            CU_ASSERT_EQUAL(s->setting, 1);
        } else if (order[i] == IFLA_VF_RSS_QUERY_EN) {
            /* Not reported by the driver: (__u32) -1. */
            const struct ifla_vf_rss_query_en *r = mnl_attr_get_payload(attr);
            CU_ASSERT_EQUAL(r->setting, UINT32_MAX);
        }
        i++;
    }
    CU_ASSERT_EQUAL(i, ARRAY_SIZE(order));
}

static void
test_link_decode_is_lenient_but_validates(void)
{
    struct esw_link link, decoded;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    /* Attributes outside the model, known or not, are skipped. */
    make_pf(&link);
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(buf, sizeof buf, 1, 0,
                                                    false, RTEXT_FILTER_VF,
                                                    &link), 0);
    msg = (struct esw_nl_msg) { .nlh = NLH, .size = sizeof buf };
    esw_nl_put_u32(&msg, IFLA_TXQLEN, 1000);
    esw_nl_put_u32(&msg, 4000, 1);
    CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(NLH, &decoded, NULL), 0);
    CU_ASSERT_EQUAL(memcmp(&decoded, &link, sizeof link), 0);

    /* An address other than Ethernet's is no MAC. */
    struct ifinfomsg *ifi = esw_nl_msg_init(&msg, buf, sizeof buf,
                                            RTM_NEWLINK, 0, 1, 0,
                                            sizeof *ifi);
    ifi->ifi_type = ARPHRD_TUNNEL;
    esw_nl_put_string(&msg, IFLA_IFNAME, "tunl0");
    esw_nl_put_u32(&msg, IFLA_ADDRESS, 0);
    CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(NLH, &decoded, NULL), 0);
    CU_ASSERT_FALSE(decoded.has_mac);
    CU_ASSERT_EQUAL(decoded.type, ARPHRD_TUNNEL);

    /* But an attribute of the model must be well-formed. */
    esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0, sizeof *ifi);
    esw_nl_put_string(&msg, IFLA_IFNAME, "eth0");
    esw_nl_put_u16(&msg, IFLA_MTU, 1500);
    error = esw_rtnl_link_decode_link(NLH, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_MTU");

    esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0, sizeof *ifi);
    esw_nl_put_u32(&msg, IFLA_MTU, 1500);
    error = esw_rtnl_link_decode_link(NLH, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no IFLA_IFNAME");

    uint8_t long_id[ESW_PHYS_ID_MAX_LEN + 1] = { 0 };
    esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0, sizeof *ifi);
    esw_nl_put_string(&msg, IFLA_IFNAME, "eth0");
    esw_nl_put(&msg, IFLA_PHYS_SWITCH_ID, long_id, sizeof long_id);
    error = esw_rtnl_link_decode_link(NLH, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_PHYS_SWITCH_ID");

    /* A VF whose IFLA_VF_MAC is too short. */
    struct ifla_vf_mac short_mac = { .vf = 0 };
    esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0, sizeof *ifi);
    esw_nl_put_string(&msg, IFLA_IFNAME, "eth0");
    struct nlattr *list = esw_nl_nest_start(&msg, IFLA_VFINFO_LIST, false);
    struct nlattr *info = esw_nl_nest_start(&msg, IFLA_VF_INFO, false);
    esw_nl_put(&msg, IFLA_VF_MAC, &short_mac, 10);
    esw_nl_nest_end(&msg, info);
    esw_nl_nest_end(&msg, list);
    error = esw_rtnl_link_decode_link(NLH, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_VF_MAC");

    /* Something else than IFLA_VF_INFO in the list. */
    esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0, sizeof *ifi);
    esw_nl_put_string(&msg, IFLA_IFNAME, "eth0");
    list = esw_nl_nest_start(&msg, IFLA_VFINFO_LIST, false);
    esw_nl_put_u32(&msg, 7, 0);
    esw_nl_nest_end(&msg, list);
    error = esw_rtnl_link_decode_link(NLH, &decoded, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_VFINFO_LIST");
}

static void
test_link_too_many_vfs(void)
{
    struct esw_link *link = xmalloc(sizeof *link);
    struct esw_nl_msg msg;
    struct ifinfomsg *ifi;
    char *error_msg;

    /* ESW_MAX_VFS fit... */
    make_pf(link);
    link->num_vf = link->n_vfs = ESW_MAX_VFS;
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(
                              buf, sizeof buf, 1, 0, false,
                              RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS,
                              link), 0);
    CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(NLH, link, NULL), 0);
    CU_ASSERT_EQUAL(link->n_vfs, ESW_MAX_VFS);

    /* ...but with statistics they do not fit in one attribute (64 kB), and
     * the encoder says so, even with room to spare in the buffer, instead of
     * wrapping the nest's length. */
    size_t big_size = 4 * sizeof buf;
    void *big = xmalloc(big_size);
    CU_ASSERT_EQUAL(esw_rtnl_link_encode_link(big, big_size, 1, 0, false,
                                              RTEXT_FILTER_VF, link),
                    EMSGSIZE);
    link->n_vfs = 200;          /* 200 * 296 bytes < 64 kB. */
    CU_ASSERT_EQUAL(esw_rtnl_link_encode_link(big, big_size, 1, 0, false,
                                              RTEXT_FILTER_VF, link), 0);
    free(big);

    /* One VF more is refused. */
    ifi = esw_nl_msg_init(&msg, buf, sizeof buf, RTM_NEWLINK, 0, 1, 0,
                          sizeof *ifi);
    esw_nl_put_string(&msg, IFLA_IFNAME, "eth0");
    struct nlattr *list = esw_nl_nest_start(&msg, IFLA_VFINFO_LIST, false);
    for (uint32_t i = 0; i <= ESW_MAX_VFS; i++) {
        struct ifla_vf_mac mac = { .vf = i };
        struct nlattr *info = esw_nl_nest_start(&msg, IFLA_VF_INFO, false);

        esw_nl_put(&msg, IFLA_VF_MAC, &mac, sizeof mac);
        esw_nl_nest_end(&msg, info);
    }
    esw_nl_nest_end(&msg, list);
    CU_ASSERT_EQUAL_FATAL(esw_nl_msg_finish(&msg), 0);
    int error = esw_rtnl_link_decode_link(NLH, link, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "more than 256 VFs");
    free(link);
}

/* VF configuration requests. */

static void
test_vf_request_round_trip(void)
{
    struct esw_vf_request requests[] = {
        { .ifindex = 5, .config = { .vf = 0, .set_mac = true,
                                    .mac = ETH_ADDR_C(00,11,22,33,44,55) } },
        { .ifindex = 5, .config = { .vf = 1, .set_vlan = true, .vlan = 100,
                                    .qos = 3,
                                    .vlan_proto = CONSTANT_HTONS(0x8100) } },
        { .ifindex = 5, .config = { .vf = 1, .set_vlan = true, .vlan = 200,
                                    .qos = 2,
                                    .vlan_proto = CONSTANT_HTONS(0x88a8) } },
        { .ifindex = 5, .config = { .vf = 2, .set_tx_rate = true,
                                    .tx_rate = 1000 } },
        { .ifindex = 5, .config = { .vf = 2, .set_rate = true,
                                    .min_tx_rate = 10,
                                    .max_tx_rate = 100 } },
        { .ifindex = 5, .config = { .vf = 3, .set_spoofchk = true,
                                    .spoofchk = true } },
        { .ifindex = 5, .config = { .vf = 3, .set_rss_query_en = true } },
        { .ifindex = 5, .config = { .vf = 4, .set_link_state = true,
                                    .link_state
                                        = IFLA_VF_LINK_STATE_DISABLE } },
        { .ifindex = 5, .config = { .vf = 5, .set_trust = true,
                                    .trust = true } },
        { .name = "pf0", .config = {
              .vf = 127, .set_mac = true,
              .mac = ETH_ADDR_C(02,00,00,00,00,7f), .set_vlan = true,
              .vlan = 4095, .qos = 7, .vlan_proto = CONSTANT_HTONS(0x8100),
              .set_tx_rate = true, .tx_rate = 5, .set_spoofchk = true,
              .set_rss_query_en = true, .rss_query_en = true,
              .set_link_state = true, .link_state = IFLA_VF_LINK_STATE_AUTO,
              .set_trust = true, .set_rate = true, .min_tx_rate = 1,
              .max_tx_rate = 2 } },
    };

    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        struct esw_vf_request decoded;
        char *msg;

        CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_vf_request(
                                  buf, sizeof buf, 77, &requests[i]), 0);
        CU_ASSERT_EQUAL(NLH->nlmsg_type, RTM_NEWLINK);
        CU_ASSERT_EQUAL(NLH->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
        CU_ASSERT_EQUAL(esw_rtnl_link_decode_vf_request(NLH, &decoded, &msg),
                        0);
        CU_ASSERT_PTR_NULL(msg);
        if (memcmp(&decoded, &requests[i], sizeof decoded)) {
            fprintf(stderr, "\nVF request %"PRIuSIZE" does not round-trip\n",
                    i);
            CU_FAIL("VF request round trip");
        }

        /* The kernel treats RTM_SETLINK alike, and so does the decoder. */
        NLH->nlmsg_type = RTM_SETLINK;
        CU_ASSERT_EQUAL(esw_rtnl_link_decode_vf_request(NLH, &decoded, NULL),
                        0);
        CU_ASSERT_EQUAL(memcmp(&decoded, &requests[i], sizeof decoded), 0);
    }
}

/* Starts a VF request for VF 'vf' of PF 1 in 'msg': the caller adds the
 * IFLA_VF_* attributes and calls end_vf_request(). */
static struct nlattr *
start_vf_request(struct esw_nl_msg *msg, struct nlattr **list)
{
    struct ifinfomsg *ifi = esw_nl_msg_init(msg, buf, sizeof buf,
                                            RTM_NEWLINK,
                                            NLM_F_REQUEST | NLM_F_ACK, 1, 0,
                                            sizeof *ifi);
    ifi->ifi_index = 1;
    *list = esw_nl_nest_start(msg, IFLA_VFINFO_LIST, false);
    return esw_nl_nest_start(msg, IFLA_VF_INFO, false);
}

static int
end_vf_request(struct esw_nl_msg *msg, struct nlattr *list,
               struct nlattr *info, char **error_msg)
{
    struct esw_vf_request request;

    esw_nl_nest_end(msg, info);
    esw_nl_nest_end(msg, list);
    CU_ASSERT_EQUAL(esw_nl_msg_finish(msg), 0);
    return esw_rtnl_link_decode_vf_request(NLH, &request, error_msg);
}

static void
test_vf_request_unsupported(void)
{
    struct nlattr *list, *info;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    /* An IFLA_VF_* attribute outside the model. */
    struct ifla_vf_guid guid = { .vf = 0, .guid = 1 };
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_IB_NODE_GUID, &guid, sizeof guid);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "IFLA_VF_IB_NODE_GUID");

    /* Another link attribute than the VF list. */
    struct ifla_vf_trust trust = { .vf = 0, .setting = 1 };
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    esw_nl_nest_end(&msg, info);
    esw_nl_nest_end(&msg, list);
    esw_nl_put_u32(&msg, IFLA_MTU, 1500);
    error = esw_rtnl_link_decode_vf_request(
        NLH, &(struct esw_vf_request) { .ifindex = 0 }, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "IFLA_MTU");

    /* Two VFs at once. */
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    esw_nl_nest_end(&msg, info);
    info = esw_nl_nest_start(&msg, IFLA_VF_INFO, false);
    trust.vf = 1;
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "more than one IFLA_VF_INFO");

    /* Two VFs in one IFLA_VF_INFO. */
    struct ifla_vf_spoofchk spoofchk = { .vf = 2, .setting = 1 };
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    esw_nl_put(&msg, IFLA_VF_SPOOFCHK, &spoofchk, sizeof spoofchk);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "vf 1 differs from vf 2");

    /* Two VLANs (QinQ). */
    struct ifla_vf_vlan_info vlan_info = {
        .vf = 0, .vlan = 10, .vlan_proto = htons(ETH_P_8021AD) };
    info = start_vf_request(&msg, &list);
    struct nlattr *vlans = esw_nl_nest_start(&msg, IFLA_VF_VLAN_LIST, false);
    esw_nl_put(&msg, IFLA_VF_VLAN_INFO, &vlan_info, sizeof vlan_info);
    esw_nl_put(&msg, IFLA_VF_VLAN_INFO, &vlan_info, sizeof vlan_info);
    esw_nl_nest_end(&msg, vlans);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "IFLA_VF_VLAN_LIST");

    /* An unknown VLAN protocol. */
    vlan_info.vlan_proto = htons(0x9100);
    info = start_vf_request(&msg, &list);
    vlans = esw_nl_nest_start(&msg, IFLA_VF_VLAN_LIST, false);
    esw_nl_put(&msg, IFLA_VF_VLAN_INFO, &vlan_info, sizeof vlan_info);
    esw_nl_nest_end(&msg, vlans);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "0x9100");

    /* Creating a link, changing its flags, no VF list. */
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    NLH->nlmsg_flags |= NLM_F_CREATE;
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "creating");

    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    ((struct ifinfomsg *) mnl_nlmsg_get_payload(NLH))->ifi_change = IFF_UP;
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "link flags");

    struct ifinfomsg *ifi = esw_nl_msg_init(&msg, buf, sizeof buf,
                                            RTM_SETLINK, NLM_F_REQUEST, 1, 0,
                                            sizeof *ifi);
    ifi->ifi_index = 1;
    error = esw_rtnl_link_decode_vf_request(
        NLH, &(struct esw_vf_request) { .ifindex = 0 }, &error_msg);
    CHECK_ERROR(error, error_msg, EOPNOTSUPP, "no IFLA_VFINFO_LIST");
}

static void
test_vf_request_malformed(void)
{
    struct nlattr *list, *info;
    struct esw_nl_msg msg;
    char *error_msg;
    int error;

    struct ifla_vf_vlan vlan = { .vf = 0, .vlan = 4096 };
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_VLAN, &vlan, sizeof vlan);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_VF_VLAN: vlan 4096");

    vlan.vlan = 1;
    vlan.qos = 8;
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_VLAN, &vlan, sizeof vlan);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "qos 8");

    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_VLAN, &vlan, sizeof vlan - 1);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_VF_VLAN: payload of 11");

    struct ifla_vf_link_state state = { .vf = 0, .link_state = 3 };
    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_LINK_STATE, &state, sizeof state);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "IFLA_VF_LINK_STATE");

    info = start_vf_request(&msg, &list);
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no VF attribute");

    info = start_vf_request(&msg, &list);
    esw_nl_nest_cancel(&msg, info);
    esw_nl_nest_end(&msg, list);
    error = esw_rtnl_link_decode_vf_request(
        NLH, &(struct esw_vf_request) { .ifindex = 0 }, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "no IFLA_VF_INFO");

    info = start_vf_request(&msg, &list);
    esw_nl_put(&msg, IFLA_VF_LINK_STATE, &state, sizeof state);
    ((struct ifinfomsg *) mnl_nlmsg_get_payload(NLH))->ifi_index = 0;
    error = end_vf_request(&msg, list, info, &error_msg);
    CHECK_ERROR(error, error_msg, EINVAL, "neither ifi_index nor");
}

static void
test_encoders_never_overrun(void)
{
    struct esw_link link;
    struct esw_vf_request vf_request = {
        .ifindex = 5, .config = { .vf = 1, .set_mac = true, .set_vlan = true,
                                  .set_rate = true, .set_trust = true } };
    struct esw_link_request request = { .name = "eth0", .ext_mask = 1 };
    uint8_t *guarded = xmalloc(sizeof buf);

    make_pf(&link);
    for (int i = 0; i < 3; i++) {
        int error = (i == 0
                     ? esw_rtnl_link_encode_link(buf, sizeof buf, 1, 0, false,
                                                 RTEXT_FILTER_VF, &link)
                     : i == 1
                     ? esw_rtnl_link_encode_vf_request(buf, sizeof buf, 1,
                                                       &vf_request)
                     : esw_rtnl_link_encode_request(buf, sizeof buf, 1,
                                                    &request));
        CU_ASSERT_EQUAL_FATAL(error, 0);
        size_t len = NLH->nlmsg_len;

        /* The exact size is enough; every shorter buffer is refused, and
         * not a byte beyond it is written. */
        error = (i == 0
                 ? esw_rtnl_link_encode_link(guarded, len, 1, 0, false,
                                             RTEXT_FILTER_VF, &link)
                 : i == 1
                 ? esw_rtnl_link_encode_vf_request(guarded, len, 1,
                                                   &vf_request)
                 : esw_rtnl_link_encode_request(guarded, len, 1, &request));
        CU_ASSERT_EQUAL(error, 0);
        for (size_t size = 0; size < len; size++) {
            memset(guarded, 0xa5, len);
            error = (i == 0
                     ? esw_rtnl_link_encode_link(guarded, size, 1, 0, false,
                                                 RTEXT_FILTER_VF, &link)
                     : i == 1
                     ? esw_rtnl_link_encode_vf_request(guarded, size, 1,
                                                       &vf_request)
                     : esw_rtnl_link_encode_request(guarded, size, 1,
                                                    &request));
            CU_ASSERT_EQUAL(error, EMSGSIZE);
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
decode_request(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_link_request request;

    return esw_rtnl_link_decode_request(nlh, &request, errorp);
}

static int
decode_link(const struct nlmsghdr *nlh, char **errorp)
{
    static struct esw_link link;

    return esw_rtnl_link_decode_link(nlh, &link, errorp);
}

static int
decode_vf_request(const struct nlmsghdr *nlh, char **errorp)
{
    struct esw_vf_request request;

    return esw_rtnl_link_decode_vf_request(nlh, &request, errorp);
}

static void
test_bad_input_never_crashes(void)
{
    struct esw_vf_request vf_request = {
        .ifindex = 5, .config = {
            .vf = 1, .set_mac = true, .set_vlan = true,
            .vlan_proto = CONSTANT_HTONS(0x88a8), .set_tx_rate = true,
            .set_spoofchk = true, .set_rss_query_en = true,
            .set_link_state = true, .set_trust = true, .set_rate = true } };
    struct esw_link_request request = { .name = "eth0", .ext_mask = 1 };
    struct esw_link link;

    make_pf(&link);
    link.n_vfs = 2;
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_link(buf, sizeof buf, 1, 0,
                                                    false, RTEXT_FILTER_VF,
                                                    &link), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_link);

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_vf_request(buf, sizeof buf, 1,
                                                          &vf_request), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_vf_request);

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(buf, sizeof buf, 1,
                                                       &request), 0);
    esw_test_mutate_and_decode(buf, NLH->nlmsg_len, decode_request);
}

CU_pSuite
test_rtnl_link_codec_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
        { "RTM_GETLINK round trip", test_request_round_trip },
        { "RTM_GETLINK bytes", test_request_bytes },
        { "RTM_GETLINK errors", test_request_errors },
        { "RTM_NEWLINK round trip", test_link_round_trip },
        { "VF info only with RTEXT_FILTER_VF",
          test_link_vf_info_only_when_asked },
        { "VF stats unless RTEXT_FILTER_SKIP_STATS",
          test_link_vf_stats_unless_skipped },
        { "VF info layout as the kernel's", test_link_vf_info_layout },
        { "RTM_NEWLINK lenient but validated",
          test_link_decode_is_lenient_but_validates },
        { "too many VFs", test_link_too_many_vfs },
        { "VF request round trip", test_vf_request_round_trip },
        { "VF request unsupported", test_vf_request_unsupported },
        { "VF request malformed", test_vf_request_malformed },
        { "encoders never overrun", test_encoders_never_overrun },
        { "bad input never crashes", test_bad_input_never_crashes },
    };
    CU_pSuite suite = CU_add_suite("rtnl-link-codec", NULL, NULL);

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
