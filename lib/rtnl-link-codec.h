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

#ifndef RTNL_LINK_CODEC_H
#define RTNL_LINK_CODEC_H 1

/* rtnetlink links and their VF configuration: the messages with which the
 * offload engine asks for links and configures VFs, and with which the
 * kernel (or sriov-nic-emu) answers.
 *
 *   - RTM_GETLINK requests: a dump of every link, as "ip link show" sends
 *     it, or one link by index or by name.
 *
 *   - RTM_NEWLINK replies: one link, as the kernel describes it, limited to
 *     the attributes of struct esw_link.
 *
 *   - VF configuration requests: what "ip link set dev PF vf N ..." sends,
 *     byte for byte: RTM_NEWLINK (iproute2 does not use RTM_SETLINK, but
 *     the kernel treats both alike for an existing link) with one
 *     IFLA_VFINFO_LIST/IFLA_VF_INFO.
 *
 * Encoders write one message at the start of a caller's buffer, which must
 * be aligned for struct nlmsghdr, and return 0 or EMSGSIZE if it does not
 * fit; the message's length is then its nlmsg_len.  Decoders read a message
 * whose nlmsg_len bytes the caller has received in full (as mnl_nlmsg_ok()
 * checks) and validate every attribute, length and type, before using it.
 * They return 0, EINVAL for a malformed message, or EOPNOTSUPP for a
 * well-formed request that asks for something outside the model (an
 * attribute such as IFLA_VF_IB_NODE_GUID or IFLA_MTU, a link flag change):
 * a request is understood entirely or refused, never half-applied.  Replies
 * are decoded leniently: attributes outside the model are skipped, as a
 * newer kernel adds some.  On error, if 'errorp' is nonnull, '*errorp' is a
 * message naming the attribute (the caller frees it); on success it is
 * NULL.  On error the output is unspecified. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "esw-nic-model.h"

struct nlmsghdr;

/* An RTM_GETLINK request: every link (a dump) or one link. */
struct esw_link_request {
    bool dump;                  /* NLM_F_DUMP: every link. */
    uint8_t family;             /* ifi_family: AF_UNSPEC, or AF_PACKET as
                                 * "ip link show" sends it. */
    int32_t ifindex;            /* ifi_index of the link, or 0. */
    char name[IFNAMSIZ];        /* IFLA_IFNAME of the link, or "". */
    uint32_t ext_mask;          /* IFLA_EXT_MASK: RTEXT_FILTER_VF asks for
                                 * VF information, RTEXT_FILTER_SKIP_STATS
                                 * leaves statistics out.  0: no
                                 * attribute. */
};

/* Writes 'request' as RTM_GETLINK with 'seq' (nlmsg_pid 0): NLM_F_REQUEST
 * (with NLM_F_DUMP for a dump), then IFLA_IFNAME and IFLA_EXT_MASK if set,
 * in that order, as "ip link show [dev NAME]" does. */
int esw_rtnl_link_encode_request(void *buf, size_t size, uint32_t seq,
                                 const struct esw_link_request *request);

/* Decodes an RTM_GETLINK request.  A request for one link must name it by
 * index or name; a dump must not (filtered dumps are not supported). */
int esw_rtnl_link_decode_request(const struct nlmsghdr *nlh,
                                 struct esw_link_request *request,
                                 char **errorp);

/* Writes 'link' as the RTM_NEWLINK that the kernel sends in answer to a
 * request with 'seq' from port 'pid' whose IFLA_EXT_MASK was 'ext_mask',
 * with NLM_F_MULTI in a dump ('multi').  Attributes come in the kernel's
 * order: IFLA_IFNAME, IFLA_OPERSTATE, IFLA_MTU, IFLA_ADDRESS and
 * IFLA_BROADCAST (if 'link->has_mac'), IFLA_PHYS_PORT_NAME,
 * IFLA_PHYS_SWITCH_ID (if set), then, if 'ext_mask' has RTEXT_FILTER_VF,
 * IFLA_NUM_VF and IFLA_VFINFO_LIST (as 'link' has them; VF statistics,
 * which are not modelled, as zeros unless RTEXT_FILTER_SKIP_STATS), then
 * IFLA_PARENT_DEV_NAME and IFLA_PARENT_DEV_BUS_NAME (if set). */
int esw_rtnl_link_encode_link(void *buf, size_t size, uint32_t seq,
                              uint32_t pid, bool multi, uint32_t ext_mask,
                              const struct esw_link *link);

/* Decodes an RTM_NEWLINK reply (as the kernel sends it; attributes outside
 * the model are skipped) into 'link'.  A link with more than ESW_MAX_VFS
 * VFs is EOPNOTSUPP. */
int esw_rtnl_link_decode_link(const struct nlmsghdr *nlh,
                              struct esw_link *link, char **errorp);

/* A VF configuration request: which PF, and the change to one of its VFs. */
struct esw_vf_request {
    int32_t ifindex;            /* ifi_index of the PF, or 0. */
    char name[IFNAMSIZ];        /* IFLA_IFNAME of the PF, or "". */
    struct esw_vf_config config;
};

/* Writes 'request' as the RTM_NEWLINK with 'seq' (nlmsg_pid 0) that
 * "ip link set dev PF vf N ..." sends: NLM_F_REQUEST | NLM_F_ACK, the PF by
 * ifi_index (or, if 0, by IFLA_IFNAME), one IFLA_VFINFO_LIST with one
 * IFLA_VF_INFO holding, in this order, IFLA_VF_MAC, IFLA_VF_VLAN (802.1Q)
 * or IFLA_VF_VLAN_LIST (802.1ad), IFLA_VF_TX_RATE, IFLA_VF_SPOOFCHK,
 * IFLA_VF_RSS_QUERY_EN, IFLA_VF_LINK_STATE, IFLA_VF_TRUST, IFLA_VF_RATE:
 * the order of ip-link(8)'s synopsis, in which iproute2 puts the options
 * that it is given in that order. */
int esw_rtnl_link_encode_vf_request(void *buf, size_t size, uint32_t seq,
                                    const struct esw_vf_request *request);

/* Decodes an RTM_SETLINK, or RTM_NEWLINK without NLM_F_CREATE, that changes
 * the configuration of one VF and nothing else.  IFLA_VF_VLAN_LIST may hold
 * one IFLA_VF_VLAN_INFO (as in the kernel). */
int esw_rtnl_link_decode_vf_request(const struct nlmsghdr *nlh,
                                    struct esw_vf_request *request,
                                    char **errorp);

#endif /* rtnl-link-codec.h */
