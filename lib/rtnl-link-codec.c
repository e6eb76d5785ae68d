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

#include "rtnl-link-codec.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "esw-netlink.h"
#include "openvswitch/util.h"
#include "util.h"

/* MAX_ADDR_LEN in the kernel: the longest link-layer address. */
#define LINK_ADDR_MAX_LEN 32

/* The most IFLA_VF_VLAN_INFO that the kernel accepts in IFLA_VF_VLAN_LIST
 * (MAX_VLAN_LIST_LEN). */
#define VF_VLAN_LIST_MAX 1

/* RTM_GETLINK requests. */
static const struct esw_nl_attr_policy getlink_policy[] = {
    ESW_NL_POLICY_STRING(IFLA_IFNAME, IFNAMSIZ),
    ESW_NL_POLICY(IFLA_EXT_MASK, U32),
    ESW_NL_POLICY(IFLA_MASTER, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_LINKINFO, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NET_NS_PID, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NET_NS_FD, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_TARGET_NETNSID, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_ALT_IFNAME, UNSUPPORTED),
};

/* RTM_NEWLINK replies: only the attributes of the model. */
static const struct esw_nl_attr_policy link_policy[] = {
    ESW_NL_POLICY_STRING(IFLA_IFNAME, IFNAMSIZ),
    ESW_NL_POLICY(IFLA_OPERSTATE, U8),
    ESW_NL_POLICY(IFLA_MTU, U32),
    ESW_NL_POLICY_BINARY(IFLA_ADDRESS, 0, LINK_ADDR_MAX_LEN),
    ESW_NL_POLICY_STRING(IFLA_PHYS_PORT_NAME, IFNAMSIZ),
    ESW_NL_POLICY_BINARY(IFLA_PHYS_SWITCH_ID, 0, ESW_PHYS_ID_MAX_LEN),
    ESW_NL_POLICY(IFLA_NUM_VF, U32),
    ESW_NL_POLICY(IFLA_VFINFO_LIST, NESTED),
    ESW_NL_POLICY_STRING(IFLA_PARENT_DEV_NAME, ESW_DEV_NAME_SIZE),
    ESW_NL_POLICY_STRING(IFLA_PARENT_DEV_BUS_NAME, ESW_BUS_NAME_SIZE),
};

/* VF configuration requests. */
static const struct esw_nl_attr_policy setlink_policy[] = {
    ESW_NL_POLICY_STRING(IFLA_IFNAME, IFNAMSIZ),
    ESW_NL_POLICY(IFLA_VFINFO_LIST, NESTED),
    ESW_NL_POLICY(IFLA_ADDRESS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_BROADCAST, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_MTU, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_LINK, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_MASTER, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_TXQLEN, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_OPERSTATE, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_LINKMODE, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_LINKINFO, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NET_NS_PID, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_IFALIAS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_PORTS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_PORT_SELF, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_AF_SPEC, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_GROUP, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NET_NS_FD, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_EXT_MASK, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_PROMISCUITY, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NUM_TX_QUEUES, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_NUM_RX_QUEUES, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_CARRIER, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_PROTO_DOWN, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_XDP, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_GSO_MAX_SEGS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_GSO_MAX_SIZE, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_ALT_IFNAME, UNSUPPORTED),
};

/* IFLA_VF_INFO in replies. */
static const struct esw_nl_attr_policy vf_info_policy[] = {
    ESW_NL_POLICY_STRUCT(IFLA_VF_MAC, struct ifla_vf_mac),
    ESW_NL_POLICY_STRUCT(IFLA_VF_BROADCAST, struct ifla_vf_broadcast),
    ESW_NL_POLICY_STRUCT(IFLA_VF_VLAN, struct ifla_vf_vlan),
    ESW_NL_POLICY_STRUCT(IFLA_VF_TX_RATE, struct ifla_vf_tx_rate),
    ESW_NL_POLICY_STRUCT(IFLA_VF_SPOOFCHK, struct ifla_vf_spoofchk),
    ESW_NL_POLICY_STRUCT(IFLA_VF_LINK_STATE, struct ifla_vf_link_state),
    ESW_NL_POLICY_STRUCT(IFLA_VF_RATE, struct ifla_vf_rate),
    ESW_NL_POLICY_STRUCT(IFLA_VF_RSS_QUERY_EN, struct ifla_vf_rss_query_en),
    ESW_NL_POLICY_STRUCT(IFLA_VF_TRUST, struct ifla_vf_trust),
    ESW_NL_POLICY(IFLA_VF_VLAN_LIST, NESTED),
    ESW_NL_POLICY(IFLA_VF_STATS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_IB_NODE_GUID, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_IB_PORT_GUID, UNSUPPORTED),
};

/* IFLA_VF_INFO in requests: the kernel rejects IFLA_VF_BROADCAST and
 * ignores IFLA_VF_STATS there. */
static const struct esw_nl_attr_policy vf_config_policy[] = {
    ESW_NL_POLICY_STRUCT(IFLA_VF_MAC, struct ifla_vf_mac),
    ESW_NL_POLICY_STRUCT(IFLA_VF_VLAN, struct ifla_vf_vlan),
    ESW_NL_POLICY_STRUCT(IFLA_VF_TX_RATE, struct ifla_vf_tx_rate),
    ESW_NL_POLICY_STRUCT(IFLA_VF_SPOOFCHK, struct ifla_vf_spoofchk),
    ESW_NL_POLICY_STRUCT(IFLA_VF_LINK_STATE, struct ifla_vf_link_state),
    ESW_NL_POLICY_STRUCT(IFLA_VF_RATE, struct ifla_vf_rate),
    ESW_NL_POLICY_STRUCT(IFLA_VF_RSS_QUERY_EN, struct ifla_vf_rss_query_en),
    ESW_NL_POLICY_STRUCT(IFLA_VF_TRUST, struct ifla_vf_trust),
    ESW_NL_POLICY(IFLA_VF_VLAN_LIST, NESTED),
    ESW_NL_POLICY(IFLA_VF_BROADCAST, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_STATS, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_IB_NODE_GUID, UNSUPPORTED),
    ESW_NL_POLICY(IFLA_VF_IB_PORT_GUID, UNSUPPORTED),
};

static const char *
link_msg_name(uint16_t type)
{
    return (type == RTM_GETLINK ? "RTM_GETLINK"
            : type == RTM_NEWLINK ? "RTM_NEWLINK"
            : type == RTM_SETLINK ? "RTM_SETLINK"
            : "rtnetlink link message");
}

/* Checks that 'nlh' is a link message of 'type' with a whole ifinfomsg and
 * returns the ifinfomsg in '*ifip'. */
static int
check_link_msg(const struct nlmsghdr *nlh, uint16_t type,
               const struct ifinfomsg **ifip, char **errorp)
{
    int error = esw_nl_check_msg(nlh, type, sizeof **ifip,
                                 link_msg_name(type), errorp);
    if (!error) {
        *ifip = mnl_nlmsg_get_payload(nlh);
    }
    return error;
}

/* Copies the 'size'-byte structure in 'attr', whose policy guarantees at
 * least 'size' bytes, to 'dst'. */
static void
get_struct(const struct nlattr *attr, void *dst, size_t size)
{
    memcpy(dst, mnl_attr_get_payload(attr), size);
}

/* RTM_GETLINK. */

int
esw_rtnl_link_encode_request(void *buf, size_t size, uint32_t seq,
                             const struct esw_link_request *request)
{
    uint16_t flags = NLM_F_REQUEST | (request->dump ? NLM_F_DUMP : 0);
    struct esw_nl_msg msg;
    struct ifinfomsg *ifi;

    ifi = esw_nl_msg_init(&msg, buf, size, RTM_GETLINK, flags, seq, 0,
                          sizeof *ifi);
    if (ifi) {
        ifi->ifi_family = request->family;
        ifi->ifi_index = request->ifindex;
    }
    if (request->name[0]) {
        esw_nl_put_string(&msg, IFLA_IFNAME, request->name);
    }
    if (request->ext_mask) {
        esw_nl_put_u32(&msg, IFLA_EXT_MASK, request->ext_mask);
    }
    return esw_nl_msg_finish(&msg);
}

int
esw_rtnl_link_decode_request(const struct nlmsghdr *nlh,
                             struct esw_link_request *request, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(getlink_policy)];
    size_t hdrlen = sizeof(struct ifinfomsg);

    if (errorp) {
        *errorp = NULL;
    }
    memset(request, 0, sizeof *request);
    request->dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;

    /* As the kernel does, accept a dump request with the struct rtgenmsg
     * that iproute2 sent before Linux 3.9, instead of struct ifinfomsg. */
    if (request->dump
        && nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg)) {
        hdrlen = sizeof(struct rtgenmsg);
    }
    int error = esw_nl_check_msg(nlh, RTM_GETLINK, hdrlen, "RTM_GETLINK",
                                 errorp);
    if (error) {
        return error;
    }
    if (hdrlen == sizeof(struct rtgenmsg)) {
        const struct rtgenmsg *rtgen = mnl_nlmsg_get_payload(nlh);

        request->family = rtgen->rtgen_family;
        return 0;
    }

    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    request->family = ifi->ifi_family;
    request->ifindex = ifi->ifi_index;
    error = esw_nl_parse_msg(nlh, hdrlen, getlink_policy,
                             ARRAY_SIZE(getlink_policy),
                             ESW_NL_UNKNOWN_REJECT, "RTM_GETLINK", tb,
                             errorp);
    if (error) {
        return error;
    }
    if (tb[IFLA_IFNAME]) {
        esw_nl_copy_string(tb[IFLA_IFNAME], request->name,
                           sizeof request->name);
    }
    if (tb[IFLA_EXT_MASK]) {
        request->ext_mask = mnl_attr_get_u32(tb[IFLA_EXT_MASK]);
    }

    bool selects_link = request->ifindex || request->name[0];
    if (request->dump && selects_link) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "RTM_GETLINK: a dump filtered by ifi_index or "
                            "IFLA_IFNAME is not supported");
    } else if (!request->dump && !selects_link) {
        return esw_nl_error(errorp, EINVAL,
                            "RTM_GETLINK: neither ifi_index nor IFLA_IFNAME "
                            "names a link");
    } else if (request->ifindex < 0) {
        return esw_nl_error(errorp, EINVAL,
                            "RTM_GETLINK: negative ifi_index %"PRId32,
                            request->ifindex);
    }
    return 0;
}

/* RTM_NEWLINK replies. */

static uint32_t
vf_setting_to_u32(enum esw_vf_setting setting)
{
    return (setting == ESW_VF_SETTING_UNREPORTED ? UINT32_MAX
            : setting == ESW_VF_SETTING_OFF ? 0 : 1);
}

static enum esw_vf_setting
vf_setting_from_u32(uint32_t setting)
{
    return (setting == UINT32_MAX ? ESW_VF_SETTING_UNREPORTED
            : setting ? ESW_VF_SETTING_ON : ESW_VF_SETTING_OFF);
}

/* Writes IFLA_VF_STATS as the kernel does for a driver that does not count
 * (the model has no VF statistics): every counter 0. */
static void
put_zero_vf_stats(struct esw_nl_msg *msg)
{
    static const uint16_t counters[] = {
        IFLA_VF_STATS_RX_PACKETS, IFLA_VF_STATS_TX_PACKETS,
        IFLA_VF_STATS_RX_BYTES, IFLA_VF_STATS_TX_BYTES,
        IFLA_VF_STATS_BROADCAST, IFLA_VF_STATS_MULTICAST,
        IFLA_VF_STATS_RX_DROPPED, IFLA_VF_STATS_TX_DROPPED,
    };
    static const uint64_t zero = 0;

    struct nlattr *stats = esw_nl_nest_start(msg, IFLA_VF_STATS, false);
    for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
        esw_nl_put(msg, counters[i], &zero, sizeof zero);
    }
    esw_nl_nest_end(msg, stats);
}

static void
put_vf_info(struct esw_nl_msg *msg, const struct esw_vf_info *vf,
            uint32_t ext_mask)
{
    struct ifla_vf_mac mac = { .vf = vf->vf };
    struct ifla_vf_broadcast broadcast = { .broadcast = { 0 } };
    struct ifla_vf_vlan vlan = { .vf = vf->vf, .vlan = vf->vlan,
                                 .qos = vf->qos };
    struct ifla_vf_rate rate = { .vf = vf->vf,
                                 .min_tx_rate = vf->min_tx_rate,
                                 .max_tx_rate = vf->max_tx_rate };
    struct ifla_vf_tx_rate tx_rate = { .vf = vf->vf,
                                       .rate = vf->max_tx_rate };
    struct ifla_vf_spoofchk spoofchk = {
        .vf = vf->vf, .setting = vf_setting_to_u32(vf->spoofchk) };
    struct ifla_vf_link_state link_state = { .vf = vf->vf,
                                             .link_state = vf->link_state };
    struct ifla_vf_rss_query_en rss_query_en = {
        .vf = vf->vf, .setting = vf_setting_to_u32(vf->rss_query_en) };
    struct ifla_vf_trust trust = {
        .vf = vf->vf, .setting = vf_setting_to_u32(vf->trust) };
    struct ifla_vf_vlan_info vlan_info;

    memcpy(mac.mac, vf->mac.ea, sizeof vf->mac.ea);
    memset(broadcast.broadcast, 0xff, ETH_ALEN);

    /* struct ifla_vf_vlan_info has 2 bytes of tail padding: zero them. */
    memset(&vlan_info, 0, sizeof vlan_info);
    vlan_info.vf = vf->vf;
    vlan_info.vlan = vf->vlan;
    vlan_info.qos = vf->qos;
    vlan_info.vlan_proto = (vf->vlan_proto ? vf->vlan_proto
                            : htons(ETH_P_8021Q));

    struct nlattr *info = esw_nl_nest_start(msg, IFLA_VF_INFO, false);
    esw_nl_put(msg, IFLA_VF_MAC, &mac, sizeof mac);
    esw_nl_put(msg, IFLA_VF_BROADCAST, &broadcast, sizeof broadcast);
    esw_nl_put(msg, IFLA_VF_VLAN, &vlan, sizeof vlan);
    esw_nl_put(msg, IFLA_VF_RATE, &rate, sizeof rate);
    esw_nl_put(msg, IFLA_VF_TX_RATE, &tx_rate, sizeof tx_rate);
    esw_nl_put(msg, IFLA_VF_SPOOFCHK, &spoofchk, sizeof spoofchk);
    esw_nl_put(msg, IFLA_VF_LINK_STATE, &link_state, sizeof link_state);
    esw_nl_put(msg, IFLA_VF_RSS_QUERY_EN, &rss_query_en,
               sizeof rss_query_en);
    esw_nl_put(msg, IFLA_VF_TRUST, &trust, sizeof trust);

    struct nlattr *vlan_list = esw_nl_nest_start(msg, IFLA_VF_VLAN_LIST,
                                                 false);
    esw_nl_put(msg, IFLA_VF_VLAN_INFO, &vlan_info, sizeof vlan_info);
    esw_nl_nest_end(msg, vlan_list);

    if (!(ext_mask & RTEXT_FILTER_SKIP_STATS)) {
        put_zero_vf_stats(msg);
    }
    esw_nl_nest_end(msg, info);
}

int
esw_rtnl_link_encode_link(void *buf, size_t size, uint32_t seq, uint32_t pid,
                          bool multi, uint32_t ext_mask,
                          const struct esw_link *link)
{
    struct esw_nl_msg msg;
    struct ifinfomsg *ifi;

    ifi = esw_nl_msg_init(&msg, buf, size, RTM_NEWLINK,
                          multi ? NLM_F_MULTI : 0, seq, pid, sizeof *ifi);
    if (ifi) {
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_type = link->type;
        ifi->ifi_index = link->ifindex;
        ifi->ifi_flags = link->flags;
    }

    esw_nl_put_string(&msg, IFLA_IFNAME, link->name);
    esw_nl_put_u8(&msg, IFLA_OPERSTATE, link->operstate);
    esw_nl_put_u32(&msg, IFLA_MTU, link->mtu);
    if (link->has_mac) {
        static const struct eth_addr broadcast = ETH_ADDR_C(ff,ff,ff,ff,ff,ff);

        esw_nl_put(&msg, IFLA_ADDRESS, link->mac.ea, ETH_ALEN);
        esw_nl_put(&msg, IFLA_BROADCAST, broadcast.ea, ETH_ALEN);
    }
    if (link->phys_port_name[0]) {
        esw_nl_put_string(&msg, IFLA_PHYS_PORT_NAME, link->phys_port_name);
    }
    if (link->phys_switch_id.len) {
        esw_nl_put(&msg, IFLA_PHYS_SWITCH_ID, link->phys_switch_id.id,
                   MIN(link->phys_switch_id.len, ESW_PHYS_ID_MAX_LEN));
    }

    if (ext_mask & RTEXT_FILTER_VF) {
        if (link->has_num_vf) {
            esw_nl_put_u32(&msg, IFLA_NUM_VF, link->num_vf);
        }
        if (link->has_vfinfo_list) {
            struct nlattr *list = esw_nl_nest_start(&msg, IFLA_VFINFO_LIST,
                                                    false);
            size_t n = MIN(link->n_vfs, ARRAY_SIZE(link->vfs));
            for (size_t i = 0; i < n; i++) {
                put_vf_info(&msg, &link->vfs[i], ext_mask);
            }
            esw_nl_nest_end(&msg, list);
        }
    }

    if (link->parent_dev_name[0]) {
        esw_nl_put_string(&msg, IFLA_PARENT_DEV_NAME, link->parent_dev_name);
    }
    if (link->parent_bus_name[0]) {
        esw_nl_put_string(&msg, IFLA_PARENT_DEV_BUS_NAME,
                          link->parent_bus_name);
    }
    return esw_nl_msg_finish(&msg);
}

/* Decodes the single IFLA_VF_VLAN_INFO of 'list' into '*info'. */
static int
decode_vf_vlan_list(const struct nlattr *list,
                    struct ifla_vf_vlan_info *info, char **errorp)
{
    const struct nlattr *attr;
    size_t n = 0;

    int error = esw_nl_check_list(list, "IFLA_VF_VLAN_LIST", errorp);
    if (error) {
        return error;
    }
    mnl_attr_for_each_nested (attr, list) {
        if (mnl_attr_get_type(attr) != IFLA_VF_VLAN_INFO) {
            return esw_nl_error(errorp, EINVAL,
                                "IFLA_VF_VLAN_LIST: attribute type %"PRIu16
                                " is not IFLA_VF_VLAN_INFO",
                                mnl_attr_get_type(attr));
        }
        if (mnl_attr_get_payload_len(attr) < sizeof *info) {
            return esw_nl_error(errorp, EINVAL,
                                "IFLA_VF_VLAN_INFO: payload of %"PRIu16
                                " bytes, expected at least %"PRIuSIZE,
                                mnl_attr_get_payload_len(attr),
                                sizeof *info);
        }
        if (++n > VF_VLAN_LIST_MAX) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "IFLA_VF_VLAN_LIST: more than %d "
                                "IFLA_VF_VLAN_INFO", VF_VLAN_LIST_MAX);
        }
        get_struct(attr, info, sizeof *info);
    }
    if (!n) {
        return esw_nl_error(errorp, EINVAL,
                            "IFLA_VF_VLAN_LIST: no IFLA_VF_VLAN_INFO");
    }
    return 0;
}

static int
decode_vf_info(const struct nlattr *nest, struct esw_vf_info *vf,
               char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(vf_info_policy)];

    int error = esw_nl_parse_nested(nest, vf_info_policy,
                                    ARRAY_SIZE(vf_info_policy),
                                    ESW_NL_UNKNOWN_IGNORE, "IFLA_VF_INFO", tb,
                                    errorp);
    if (error) {
        return error;
    }
    if (!tb[IFLA_VF_MAC]) {
        return esw_nl_error(errorp, EINVAL, "IFLA_VF_INFO: no IFLA_VF_MAC");
    }

    struct ifla_vf_mac mac;
    get_struct(tb[IFLA_VF_MAC], &mac, sizeof mac);
    vf->vf = mac.vf;
    memcpy(vf->mac.ea, mac.mac, sizeof vf->mac.ea);

    vf->vlan_proto = htons(ETH_P_8021Q);
    if (tb[IFLA_VF_VLAN]) {
        struct ifla_vf_vlan vlan;

        get_struct(tb[IFLA_VF_VLAN], &vlan, sizeof vlan);
        vf->vlan = vlan.vlan;
        vf->qos = vlan.qos;
    }
    if (tb[IFLA_VF_VLAN_LIST]) {
        struct ifla_vf_vlan_info info;

        error = decode_vf_vlan_list(tb[IFLA_VF_VLAN_LIST], &info, errorp);
        if (error) {
            return error;
        }
        vf->vlan = info.vlan;
        vf->qos = info.qos;
        vf->vlan_proto = info.vlan_proto;
    }
    if (tb[IFLA_VF_TX_RATE]) {
        struct ifla_vf_tx_rate tx_rate;

        get_struct(tb[IFLA_VF_TX_RATE], &tx_rate, sizeof tx_rate);
        vf->max_tx_rate = tx_rate.rate;
    }
    if (tb[IFLA_VF_RATE]) {
        struct ifla_vf_rate rate;

        get_struct(tb[IFLA_VF_RATE], &rate, sizeof rate);
        vf->min_tx_rate = rate.min_tx_rate;
        vf->max_tx_rate = rate.max_tx_rate;
    }

    vf->spoofchk = vf->trust = vf->rss_query_en = ESW_VF_SETTING_UNREPORTED;
    if (tb[IFLA_VF_SPOOFCHK]) {
        struct ifla_vf_spoofchk spoofchk;

        get_struct(tb[IFLA_VF_SPOOFCHK], &spoofchk, sizeof spoofchk);
        vf->spoofchk = vf_setting_from_u32(spoofchk.setting);
    }
    if (tb[IFLA_VF_TRUST]) {
        struct ifla_vf_trust trust;

        get_struct(tb[IFLA_VF_TRUST], &trust, sizeof trust);
        vf->trust = vf_setting_from_u32(trust.setting);
    }
    if (tb[IFLA_VF_RSS_QUERY_EN]) {
        struct ifla_vf_rss_query_en rss;

        get_struct(tb[IFLA_VF_RSS_QUERY_EN], &rss, sizeof rss);
        vf->rss_query_en = vf_setting_from_u32(rss.setting);
    }
    if (tb[IFLA_VF_LINK_STATE]) {
        struct ifla_vf_link_state link_state;

        get_struct(tb[IFLA_VF_LINK_STATE], &link_state, sizeof link_state);
        vf->link_state = link_state.link_state;
    }
    return 0;
}

static int
decode_vfinfo_list(const struct nlattr *list, struct esw_link *link,
                   char **errorp)
{
    const struct nlattr *attr;

    int error = esw_nl_check_list(list, "IFLA_VFINFO_LIST", errorp);
    if (error) {
        return error;
    }
    mnl_attr_for_each_nested (attr, list) {
        if (mnl_attr_get_type(attr) != IFLA_VF_INFO) {
            return esw_nl_error(errorp, EINVAL,
                                "IFLA_VFINFO_LIST: attribute type %"PRIu16
                                " is not IFLA_VF_INFO",
                                mnl_attr_get_type(attr));
        }
        if (link->n_vfs >= ARRAY_SIZE(link->vfs)) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "IFLA_VFINFO_LIST: more than %d VFs",
                                ESW_MAX_VFS);
        }
        error = decode_vf_info(attr, &link->vfs[link->n_vfs], errorp);
        if (error) {
            return error;
        }
        link->n_vfs++;
    }
    return 0;
}

int
esw_rtnl_link_decode_link(const struct nlmsghdr *nlh, struct esw_link *link,
                          char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(link_policy)];
    const struct ifinfomsg *ifi;

    if (errorp) {
        *errorp = NULL;
    }
    memset(link, 0, sizeof *link);

    int error = check_link_msg(nlh, RTM_NEWLINK, &ifi, errorp);
    if (error) {
        return error;
    }
    error = esw_nl_parse_msg(nlh, sizeof *ifi, link_policy,
                             ARRAY_SIZE(link_policy), ESW_NL_UNKNOWN_IGNORE,
                             "RTM_NEWLINK", tb, errorp);
    if (error) {
        return error;
    }
    if (!tb[IFLA_IFNAME]) {
        return esw_nl_error(errorp, EINVAL, "RTM_NEWLINK: no IFLA_IFNAME");
    }

    link->ifindex = ifi->ifi_index;
    link->type = ifi->ifi_type;
    link->flags = ifi->ifi_flags;
    esw_nl_copy_string(tb[IFLA_IFNAME], link->name, sizeof link->name);
    if (tb[IFLA_OPERSTATE]) {
        link->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
    }
    if (tb[IFLA_MTU]) {
        link->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
    }
    /* A link-layer address of another length (an IP tunnel's, say) is
     * outside the model: the link then has no MAC. */
    if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS])
                            == ETH_ALEN) {
        link->has_mac = true;
        memcpy(link->mac.ea, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
               ETH_ALEN);
    }
    if (tb[IFLA_PHYS_PORT_NAME]) {
        esw_nl_copy_string(tb[IFLA_PHYS_PORT_NAME], link->phys_port_name,
                           sizeof link->phys_port_name);
    }
    if (tb[IFLA_PHYS_SWITCH_ID]) {
        link->phys_switch_id.len
            = mnl_attr_get_payload_len(tb[IFLA_PHYS_SWITCH_ID]);
        memcpy(link->phys_switch_id.id,
               mnl_attr_get_payload(tb[IFLA_PHYS_SWITCH_ID]),
               link->phys_switch_id.len);
    }
    if (tb[IFLA_NUM_VF]) {
        link->has_num_vf = true;
        link->num_vf = mnl_attr_get_u32(tb[IFLA_NUM_VF]);
    }
    if (tb[IFLA_VFINFO_LIST]) {
        link->has_vfinfo_list = true;
        error = decode_vfinfo_list(tb[IFLA_VFINFO_LIST], link, errorp);
        if (error) {
            return error;
        }
    }
    if (tb[IFLA_PARENT_DEV_NAME]) {
        esw_nl_copy_string(tb[IFLA_PARENT_DEV_NAME], link->parent_dev_name,
                           sizeof link->parent_dev_name);
    }
    if (tb[IFLA_PARENT_DEV_BUS_NAME]) {
        esw_nl_copy_string(tb[IFLA_PARENT_DEV_BUS_NAME],
                           link->parent_bus_name,
                           sizeof link->parent_bus_name);
    }
    return 0;
}

/* VF configuration requests. */

int
esw_rtnl_link_encode_vf_request(void *buf, size_t size, uint32_t seq,
                                const struct esw_vf_request *request)
{
    const struct esw_vf_config *c = &request->config;
    struct esw_nl_msg msg;
    struct ifinfomsg *ifi;

    ifi = esw_nl_msg_init(&msg, buf, size, RTM_NEWLINK,
                          NLM_F_REQUEST | NLM_F_ACK, seq, 0, sizeof *ifi);
    if (ifi) {
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = request->ifindex;
    }
    if (!request->ifindex && request->name[0]) {
        esw_nl_put_string(&msg, IFLA_IFNAME, request->name);
    }

    struct nlattr *list = esw_nl_nest_start(&msg, IFLA_VFINFO_LIST, false);
    struct nlattr *info = esw_nl_nest_start(&msg, IFLA_VF_INFO, false);
    if (c->set_mac) {
        struct ifla_vf_mac mac = { .vf = c->vf };

        memcpy(mac.mac, c->mac.ea, sizeof c->mac.ea);
        esw_nl_put(&msg, IFLA_VF_MAC, &mac, sizeof mac);
    }
    if (c->set_vlan) {
        if (c->vlan_proto && c->vlan_proto != htons(ETH_P_8021Q)) {
            struct ifla_vf_vlan_info vlan_info;

            memset(&vlan_info, 0, sizeof vlan_info);
            vlan_info.vf = c->vf;
            vlan_info.vlan = c->vlan;
            vlan_info.qos = c->qos;
            vlan_info.vlan_proto = c->vlan_proto;

            struct nlattr *vlan_list = esw_nl_nest_start(&msg,
                                                         IFLA_VF_VLAN_LIST,
                                                         false);
            esw_nl_put(&msg, IFLA_VF_VLAN_INFO, &vlan_info,
                       sizeof vlan_info);
            esw_nl_nest_end(&msg, vlan_list);
        } else {
            struct ifla_vf_vlan vlan = { .vf = c->vf, .vlan = c->vlan,
                                         .qos = c->qos };

            esw_nl_put(&msg, IFLA_VF_VLAN, &vlan, sizeof vlan);
        }
    }
    if (c->set_tx_rate) {
        struct ifla_vf_tx_rate tx_rate = { .vf = c->vf, .rate = c->tx_rate };

        esw_nl_put(&msg, IFLA_VF_TX_RATE, &tx_rate, sizeof tx_rate);
    }
    if (c->set_spoofchk) {
        struct ifla_vf_spoofchk spoofchk = { .vf = c->vf,
                                             .setting = c->spoofchk };

        esw_nl_put(&msg, IFLA_VF_SPOOFCHK, &spoofchk, sizeof spoofchk);
    }
    if (c->set_rss_query_en) {
        struct ifla_vf_rss_query_en rss = { .vf = c->vf,
                                            .setting = c->rss_query_en };

        esw_nl_put(&msg, IFLA_VF_RSS_QUERY_EN, &rss, sizeof rss);
    }
    if (c->set_link_state) {
        struct ifla_vf_link_state link_state = {
            .vf = c->vf, .link_state = c->link_state };

        esw_nl_put(&msg, IFLA_VF_LINK_STATE, &link_state, sizeof link_state);
    }
    if (c->set_trust) {
        struct ifla_vf_trust trust = { .vf = c->vf, .setting = c->trust };

        esw_nl_put(&msg, IFLA_VF_TRUST, &trust, sizeof trust);
    }
    if (c->set_rate) {
        struct ifla_vf_rate rate = { .vf = c->vf,
                                     .min_tx_rate = c->min_tx_rate,
                                     .max_tx_rate = c->max_tx_rate };

        esw_nl_put(&msg, IFLA_VF_RATE, &rate, sizeof rate);
    }
    esw_nl_nest_end(&msg, info);
    esw_nl_nest_end(&msg, list);
    return esw_nl_msg_finish(&msg);
}

/* Checks that the VF number 'vf' in the 'attr_name' structure is the same
 * as 'config->vf', the one of the first structure ('first_name'). */
static int
check_same_vf(struct esw_vf_config *config, const char **first_name,
              const char *attr_name, uint32_t vf, char **errorp)
{
    if (!*first_name) {
        *first_name = attr_name;
        config->vf = vf;
    } else if (vf != config->vf) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "%s: vf %"PRIu32" differs from vf %"PRIu32" of "
                            "%s (one VF per request is supported)",
                            attr_name, vf, config->vf, *first_name);
    }
    return 0;
}

static int
decode_vf_vlan(const struct nlattr *tb[], struct esw_vf_config *c,
               const char **first, char **errorp)
{
    const char *attr_name;
    uint32_t vf, vlan, qos;
    ovs_be16 proto;
    int error;

    if (tb[IFLA_VF_VLAN] && tb[IFLA_VF_VLAN_LIST]) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "IFLA_VF_INFO: both IFLA_VF_VLAN and "
                            "IFLA_VF_VLAN_LIST");
    } else if (tb[IFLA_VF_VLAN]) {
        struct ifla_vf_vlan ivv;

        get_struct(tb[IFLA_VF_VLAN], &ivv, sizeof ivv);
        attr_name = "IFLA_VF_VLAN";
        vf = ivv.vf;
        vlan = ivv.vlan;
        qos = ivv.qos;
        proto = htons(ETH_P_8021Q);
    } else if (tb[IFLA_VF_VLAN_LIST]) {
        struct ifla_vf_vlan_info ivvi;

        error = decode_vf_vlan_list(tb[IFLA_VF_VLAN_LIST], &ivvi, errorp);
        if (error) {
            return error;
        }
        attr_name = "IFLA_VF_VLAN_INFO";
        vf = ivvi.vf;
        vlan = ivvi.vlan;
        qos = ivvi.qos;
        proto = ivvi.vlan_proto;
    } else {
        return 0;
    }

    error = check_same_vf(c, first, attr_name, vf, errorp);
    if (error) {
        return error;
    }
    if (vlan > 4095 || qos > 7) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: vlan %"PRIu32" or qos %"PRIu32" out of "
                            "range", attr_name, vlan, qos);
    }
    if (proto != htons(ETH_P_8021Q) && proto != htons(ETH_P_8021AD)) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "%s: vlan_proto 0x%04"PRIx16" is neither "
                            "802.1Q nor 802.1ad", attr_name, ntohs(proto));
    }
    c->set_vlan = true;
    c->vlan = vlan;
    c->qos = qos;
    c->vlan_proto = proto;
    return 0;
}

static int
decode_vf_config(const struct nlattr *nest, struct esw_vf_config *c,
                 char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(vf_config_policy)];
    const char *first = NULL;

    int error = esw_nl_parse_nested(nest, vf_config_policy,
                                    ARRAY_SIZE(vf_config_policy),
                                    ESW_NL_UNKNOWN_REJECT, "IFLA_VF_INFO", tb,
                                    errorp);
    if (error) {
        return error;
    }

    if (tb[IFLA_VF_MAC]) {
        struct ifla_vf_mac mac;

        get_struct(tb[IFLA_VF_MAC], &mac, sizeof mac);
        first = "IFLA_VF_MAC";
        c->vf = mac.vf;
        c->set_mac = true;
        memcpy(c->mac.ea, mac.mac, sizeof c->mac.ea);
    }
    error = decode_vf_vlan(tb, c, &first, errorp);
    if (error) {
        return error;
    }
    if (tb[IFLA_VF_TX_RATE]) {
        struct ifla_vf_tx_rate tx_rate;

        get_struct(tb[IFLA_VF_TX_RATE], &tx_rate, sizeof tx_rate);
        error = check_same_vf(c, &first, "IFLA_VF_TX_RATE", tx_rate.vf,
                              errorp);
        if (error) {
            return error;
        }
        c->set_tx_rate = true;
        c->tx_rate = tx_rate.rate;
    }
    if (tb[IFLA_VF_SPOOFCHK]) {
        struct ifla_vf_spoofchk spoofchk;

        get_struct(tb[IFLA_VF_SPOOFCHK], &spoofchk, sizeof spoofchk);
        error = check_same_vf(c, &first, "IFLA_VF_SPOOFCHK", spoofchk.vf,
                              errorp);
        if (error) {
            return error;
        }
        c->set_spoofchk = true;
        c->spoofchk = spoofchk.setting != 0;
    }
    if (tb[IFLA_VF_RSS_QUERY_EN]) {
        struct ifla_vf_rss_query_en rss;

        get_struct(tb[IFLA_VF_RSS_QUERY_EN], &rss, sizeof rss);
        error = check_same_vf(c, &first, "IFLA_VF_RSS_QUERY_EN", rss.vf,
                              errorp);
        if (error) {
            return error;
        }
        c->set_rss_query_en = true;
        c->rss_query_en = rss.setting != 0;
    }
    if (tb[IFLA_VF_LINK_STATE]) {
        struct ifla_vf_link_state link_state;

        get_struct(tb[IFLA_VF_LINK_STATE], &link_state, sizeof link_state);
        error = check_same_vf(c, &first, "IFLA_VF_LINK_STATE",
                              link_state.vf, errorp);
        if (error) {
            return error;
        }
        if (link_state.link_state > IFLA_VF_LINK_STATE_DISABLE) {
            return esw_nl_error(errorp, EINVAL,
                                "IFLA_VF_LINK_STATE: unknown link_state "
                                "%"PRIu32, link_state.link_state);
        }
        c->set_link_state = true;
        c->link_state = link_state.link_state;
    }
    if (tb[IFLA_VF_TRUST]) {
        struct ifla_vf_trust trust;

        get_struct(tb[IFLA_VF_TRUST], &trust, sizeof trust);
        error = check_same_vf(c, &first, "IFLA_VF_TRUST", trust.vf, errorp);
        if (error) {
            return error;
        }
        c->set_trust = true;
        c->trust = trust.setting != 0;
    }
    if (tb[IFLA_VF_RATE]) {
        struct ifla_vf_rate rate;

        get_struct(tb[IFLA_VF_RATE], &rate, sizeof rate);
        error = check_same_vf(c, &first, "IFLA_VF_RATE", rate.vf, errorp);
        if (error) {
            return error;
        }
        c->set_rate = true;
        c->min_tx_rate = rate.min_tx_rate;
        c->max_tx_rate = rate.max_tx_rate;
    }

    if (!first) {
        return esw_nl_error(errorp, EINVAL,
                            "IFLA_VF_INFO: no VF attribute to apply");
    }
    return 0;
}

int
esw_rtnl_link_decode_vf_request(const struct nlmsghdr *nlh,
                                struct esw_vf_request *request,
                                char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(setlink_policy)];
    const struct ifinfomsg *ifi;
    const char *name = link_msg_name(nlh->nlmsg_type);

    if (errorp) {
        *errorp = NULL;
    }
    memset(request, 0, sizeof *request);

    if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_SETLINK) {
        return esw_nl_error(errorp, EINVAL,
                            "VF request: nlmsg_type %"PRIu16" is neither "
                            "RTM_NEWLINK nor RTM_SETLINK",
                            nlh->nlmsg_type);
    }
    int error = check_link_msg(nlh, nlh->nlmsg_type, &ifi, errorp);
    if (error) {
        return error;
    }
    if (nlh->nlmsg_type == RTM_NEWLINK
        && nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE)) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "RTM_NEWLINK: creating or replacing a link is "
                            "not supported");
    }
    if (ifi->ifi_flags || ifi->ifi_change) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "%s: changing link flags (ifi_flags %#"PRIx32", "
                            "ifi_change %#"PRIx32") is not supported", name,
                            ifi->ifi_flags, ifi->ifi_change);
    }
    if (ifi->ifi_index < 0) {
        return esw_nl_error(errorp, EINVAL, "%s: negative ifi_index %d",
                            name, ifi->ifi_index);
    }
    error = esw_nl_parse_msg(nlh, sizeof *ifi, setlink_policy,
                             ARRAY_SIZE(setlink_policy),
                             ESW_NL_UNKNOWN_REJECT, name, tb, errorp);
    if (error) {
        return error;
    }

    request->ifindex = ifi->ifi_index;
    if (tb[IFLA_IFNAME]) {
        esw_nl_copy_string(tb[IFLA_IFNAME], request->name,
                           sizeof request->name);
    }
    if (!request->ifindex && !request->name[0]) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: neither ifi_index nor IFLA_IFNAME names a "
                            "link", name);
    }
    if (!tb[IFLA_VFINFO_LIST]) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "%s: no IFLA_VFINFO_LIST (only VF configuration "
                            "is supported)", name);
    }

    const struct nlattr *list = tb[IFLA_VFINFO_LIST];
    const struct nlattr *attr;
    size_t n = 0;

    error = esw_nl_check_list(list, "IFLA_VFINFO_LIST", errorp);
    if (error) {
        return error;
    }
    mnl_attr_for_each_nested (attr, list) {
        if (mnl_attr_get_type(attr) != IFLA_VF_INFO) {
            return esw_nl_error(errorp, EINVAL,
                                "IFLA_VFINFO_LIST: attribute type %"PRIu16
                                " is not IFLA_VF_INFO",
                                mnl_attr_get_type(attr));
        }
        if (++n > 1) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "IFLA_VFINFO_LIST: more than one "
                                "IFLA_VF_INFO (one VF per request is "
                                "supported)");
        }
        error = decode_vf_config(attr, &request->config, errorp);
        if (error) {
            return error;
        }
    }
    if (!n) {
        return esw_nl_error(errorp, EINVAL,
                            "IFLA_VFINFO_LIST: no IFLA_VF_INFO");
    }
    return 0;
}
