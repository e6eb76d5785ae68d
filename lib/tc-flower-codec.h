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

#ifndef TC_FLOWER_CODEC_H
#define TC_FLOWER_CODEC_H 1

/* Netlink codec of TC flower filters and of the ingress/clsact qdiscs.
 *
 * The offload engine encodes requests (RTM_NEWTFILTER, RTM_DELTFILTER,
 * RTM_GETTFILTER, RTM_NEWQDISC, RTM_DELQDISC) and decodes the kernel's
 * replies; sriov-nic-emu decodes the requests and encodes the replies.  No
 * I/O: every encoder writes one netlink message into a buffer the caller
 * provides, every decoder reads one message the caller received.
 *
 * Requests are byte for byte what iproute2's "tc" (6.1) sends for the
 * equivalent command line, attribute order included, when the command
 * gives the flower keys in the order of f_flower.c's parser: indev,
 * vlan_id, vlan_prio, vlan_ethtype, dst_mac, src_mac, ip_proto, ip_tos,
 * ip_ttl, dst_ip, src_ip, dst_port, src_port, tcp_flags, type, code,
 * arp_tip, arp_sip, arp_op, arp_tha, arp_sha (ip_flags, skip_sw/skip_hw and
 * eth_type always come last, after the actions, as tc puts them), and gives
 * "chain" explicitly.  tests/unit/test-tc-oracle.c checks this against
 * requests captured from tc (tests/data/tc/).  Replies are what the kernel
 * (net/sched/cls_api.c, cls_flower.c, act_api.c and the act_*.c dump
 * functions) sends.
 *
 * Every encoder returns 0 and stores the message's length in '*lenp', or
 * ENOBUFS if the message does not fit in 'size' bytes (the buffer's content
 * is then unspecified), or EINVAL if the rule cannot be expressed.  'buf'
 * must be 4-byte aligned.
 *
 * Every decoder reads one netlink message from the 'len' bytes at 'msg'
 * (its nlmsg_len may be less than 'len', never more), validates the whole
 * message (lengths and types of every attribute, nesting, sizes of
 * structures) before it returns, and changes its output only on success.
 * It returns 0, or EOPNOTSUPP for a well-formed message that uses something
 * outside the model of esw-flower.h (a flower key, an action or an
 * attribute), or EINVAL for a malformed message.  On error it stores in
 * '*errp', if 'errp' is nonnull, an extack-style message that names the
 * culprit (for example "flower key TCA_FLOWER_KEY_ENC_KEY_ID not
 * supported", "action \"ct\" not supported"); the caller frees it, and
 * sets '*errp' to NULL on success.  A decoder does not judge whether the
 * rule makes sense: esw_flower_rule_check() does. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esw-flower.h"

/* Filter requests. */

/* Encodes into 'buf' an RTM_NEWTFILTER request that installs 'rule', with
 * nlmsg_flags NLM_F_REQUEST | NLM_F_ACK | 'nlm_flags', where 'nlm_flags' is
 * what the caller wants: NLM_F_CREATE | NLM_F_EXCL for "tc filter add",
 * NLM_F_CREATE for "tc filter replace", 0 for "tc filter change",
 * NLM_F_CREATE | NLM_F_REPLACE to replace explicitly, with NLM_F_ECHO or
 * not.  The actions' stats, the rule's in_hw_count and the flags that only
 * the kernel reports (TCA_CLS_FLAGS_IN_HW, TCA_CLS_FLAGS_NOT_IN_HW) are not
 * part of a request and are not encoded. */
int tc_flower_encode_new(void *buf, size_t size,
                         const struct esw_flower_rule *rule,
                         uint16_t nlm_flags, uint32_t seq, size_t *lenp);

/* Encodes into 'buf' an RTM_DELTFILTER request for the filter of 'rule'
 * (its ifindex, parent, prio, protocol, handle and chain), as "tc filter
 * del dev DEV PARENT protocol PROTO prio PRIO handle HANDLE chain CHAIN
 * flower" sends it.  With handle 0, the request deletes every filter of
 * that prio and protocol. */
int tc_flower_encode_del(void *buf, size_t size,
                         const struct esw_flower_rule *rule, uint32_t seq,
                         size_t *lenp);

/* Encodes into 'buf' an RTM_GETTFILTER request for the one filter of
 * 'rule' (its ifindex, parent, prio, protocol, handle and chain), as "tc
 * filter get ... flower" sends it (NLM_F_REQUEST | NLM_F_ECHO). */
int tc_flower_encode_get(void *buf, size_t size,
                         const struct esw_flower_rule *rule, uint32_t seq,
                         size_t *lenp);

/* Encodes into 'buf' an RTM_GETTFILTER dump request for the filters of
 * block 'parent' of device 'ifindex', as "tc filter show dev DEV PARENT"
 * sends it, or "tc -brief filter show dev DEV PARENT" (with the attribute
 * TCA_DUMP_FLAGS = TCA_DUMP_FLAGS_TERSE) if 'terse' is true. */
int tc_flower_encode_dump_request(void *buf, size_t size, int ifindex,
                                  uint32_t parent, bool terse, uint32_t seq,
                                  size_t *lenp);

/* Decodes RTM_GETTFILTER dump request 'msg' into '*ifindex', '*parent' and
 * '*terse'. */
int tc_flower_decode_dump_request(const void *msg, size_t len, int *ifindex,
                                  uint32_t *parent, bool *terse,
                                  char **errp);

/* Filter replies. */

/* Encodes into 'buf' the RTM_NEWTFILTER message in which the kernel reports
 * 'rule': one message of a dump (pass NLM_F_MULTI in 'nlm_flags') or the
 * reply to NLM_F_ECHO or RTM_GETTFILTER (the kernel passes the request's
 * flags), with 'seq' and 'portid' of the request.  The rule's flags are
 * reported as they are (the emulator sets TCA_CLS_FLAGS_IN_HW or
 * TCA_CLS_FLAGS_NOT_IN_HW), with its in_hw_count, and every action with its
 * stats (TCA_ACT_STATS: TCA_STATS_BASIC, TCA_STATS_BASIC_HW,
 * TCA_STATS_QUEUE), cookie and times (the action's *_TM attribute, a struct
 * tcf_t in USER_HZ ticks, converted from milliseconds).
 *
 * If 'terse' is true, encodes the form of a dump with TCA_DUMP_FLAGS_TERSE
 * (fl_terse_dump()): TCA_FLOWER_FLAGS and, for every action, only its kind,
 * stats and cookie (tcf_action_dump_terse()); no key, no in_hw_count, no
 * action options. */
int tc_flower_encode_reply(void *buf, size_t size,
                           const struct esw_flower_rule *rule,
                           uint16_t nlm_flags, uint32_t seq, uint32_t portid,
                           bool terse, size_t *lenp);

/* Decoding. */

/* Decodes filter message 'msg' (RTM_NEWTFILTER, RTM_DELTFILTER or
 * RTM_GETTFILTER; a request or a reply, full or terse) into '*rule'.
 * Actions, keys and identity are filled from what the message has; what it
 * does not have is zero (a deletion has no key and no action, a terse
 * reply no key and no action options).
 *
 * The keys of a request and of a reply mean the same rule: flower puts the
 * outer VLAN ethertype in TCA_FLOWER_KEY_ETH_TYPE of a request, the inner
 * one in a reply; either way '*rule' has eth_type 802.1Q or 802.1ad and
 * vlan_eth_type the inner type.  A key given without its mask is matched
 * exactly, as the kernel does; key bits outside the mask are cleared. */
int tc_flower_decode(const void *msg, size_t len,
                     struct esw_flower_rule *rule, char **errp);

/* Decodes, from filter reply 'msg' (full or terse), only what a counter
 * refresh needs: the filter's prio and handle, and the counters of its
 * first action (through which every packet that matched the filter
 * passed), without decoding its key and actions.  Counters absent from the
 * message are zero.  Returns 0; ENOENT for a message of handle 0, which is
 * no filter but the header a kernel dump starts each priority with; or
 * EINVAL for a malformed message (one without TCA_OPTIONS included). */
int tc_flower_decode_stats(const void *msg, size_t len, uint16_t *prio,
                           uint32_t *handle,
                           struct esw_flower_action_stats *stats,
                           char **errp);

/* Qdiscs. */

enum tc_qdisc_kind {
    TC_QDISC_INGRESS,           /* "ingress". */
    TC_QDISC_CLSACT,            /* "clsact". */
};

/* Encodes into 'buf' the RTM_NEWQDISC (if 'add' is true, with
 * NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL) or RTM_DELQDISC
 * (NLM_F_REQUEST | NLM_F_ACK) request that "tc qdisc add|del dev DEV
 * ingress|clsact" sends: handle ffff:, parent TC_H_INGRESS (which is also
 * TC_H_CLSACT), TCA_KIND. */
int tc_qdisc_encode(void *buf, size_t size, bool add, int ifindex,
                    enum tc_qdisc_kind kind, uint32_t seq, size_t *lenp);

/* Decodes RTM_NEWQDISC or RTM_DELQDISC request 'msg' for an ingress or
 * clsact qdisc into '*add' (true for RTM_NEWQDISC), '*ifindex' and '*kind'.
 * Any other qdisc, or another handle or parent, gives EOPNOTSUPP. */
int tc_qdisc_decode(const void *msg, size_t len, bool *add, int *ifindex,
                    enum tc_qdisc_kind *kind, char **errp);

#endif /* tc-flower-codec.h */
