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

#ifndef ESW_OFFLOAD_XLATE_H
#define ESW_OFFLOAD_XLATE_H 1

/* Translation of an OVS megaflow into a TC flower rule.
 *
 * esw_offload_xlate() turns a megaflow (its match and its datapath actions)
 * into one struct esw_flower_rule for the in_port's representor, or says
 * precisely why it cannot: a reason code for counters and a sentence that
 * names the field, the action or the port.  It does no I/O and keeps no
 * state.  struct esw_prio_map, which the caller owns, gives each distinct
 * (mask, protocol) its own TC priority.
 *
 * The invariant: a rule never matches a packet that the megaflow does not
 * match (see ../shared/ARCHITECTURE.md, decision 4).  It may match fewer:
 * packets that miss in hardware take the software path, which has the
 * megaflow.  Packets are compared as the kernel's flow dissector (for
 * flower) and OVS's flow_extract() (for the megaflow) parse them; the few
 * well-formed packets on which the two parsers disagree in a way that no
 * flower rule of esw-flower.h can exclude are listed under "Limits" below.
 *
 *
 * Attachment
 * ==========
 *
 * The rule is attached to the in_port's representor: ifindex = the
 * in_port's ifindex, parent = ingress (TC_H_MAKE(TC_H_CLSACT,
 * TC_H_MIN_INGRESS), what "tc filter add dev DEV ingress" and OVS's TC
 * offload use), chain 0, flags TCA_CLS_FLAGS_SKIP_SW, handle 0 (the kernel
 * picks one), prio 0 (the caller assigns one with esw_prio_map_get()), no
 * cookie.  protocol is the outermost EtherType the rule requires (the VLAN
 * TPID for a tagged match, otherwise the megaflow's dl_type when it is
 * matched exactly), else ETH_P_ALL.
 *
 * in_port must be matched exactly and be on an eswitch.  recirc_id must be
 * 0, because a hardware rule sees packets as they arrive.  For the same
 * reason, metadata that is zero for every packet a port receives (tunnel,
 * OpenFlow metadata and registers, skb_priority, pkt_mark, dp_hash, the
 * ct_* fields) is consumed when the megaflow matches it against zero, as
 * in "ct_state(-trk)"; a non-zero value is left unconsumed.  So are the
 * bits that OVS never sets in a packet's flow: the top 4 bits of tcp_flags,
 * the top byte of an ICMP type or code, nw_frag bits other than
 * FLOW_NW_FRAG_MASK.  packet_type, if matched, must be Ethernet.
 *
 *
 * Keys
 * ====
 *
 * Translated, with their masks: eth src/dst; dl_type (exact only);
 * the first VLAN header (TPID exact, vid and pcp each exact or wildcarded);
 * for IPv4 and IPv6: src/dst, nw_proto (exact only), nw_tos (the whole ToS
 * or traffic class byte), nw_ttl (TTL or hop limit) and nw_frag; TCP, UDP
 * and SCTP ports, tcp_flags, ICMP and ICMPv6 type and code; ARP and RARP op,
 * sip, tip, sha and tha.  Every mask bit that the translation does not
 * consume makes the flow ESW_XLATE_UNCONSUMED_MASK, with the leftover named
 * in the syntax of ovs-ofctl ("mask bits left unconsumed:
 * ipv6_label=0x12345").
 *
 * Where flower and OVS see a packet differently, the rule is made narrower
 * than the megaflow, or the flow is refused:
 *
 *   - A megaflow that requires an untagged packet is translated with
 *     protocol = its exact dl_type, which flower compares with the outer
 *     EtherType; with dl_type wildcarded it is refused.  A megaflow that
 *     does not look at VLAN headers but matches dl_type exactly gets a rule
 *     for untagged packets only.  A match on a second VLAN header, or on a
 *     VLAN TPID as dl_type, is refused.
 *
 *   - nw_frag: the set of fragment states (not a fragment, first fragment,
 *     later fragment) that the megaflow admits is expressed with flower's
 *     ip_flags frag/firstfrag.  Flower does not parse the transport header
 *     of any fragment, so a rule that matches transport fields, or whose
 *     actions recompute a TCP or UDP checksum, excludes first fragments,
 *     and one that rewrites transport ports excludes every fragment.  The
 *     one set that ip_flags cannot express, "not a later fragment", is
 *     refused unless first fragments are excluded that way.
 *     IPv6 rules always exclude fragments (flower and OVS disagree on the
 *     next header of later fragments and on atomic fragments); a megaflow
 *     that admits only IPv6 fragments is refused, like one that matches an
 *     IPv6 extension header (0, 43, 44, 51, 60) as nw_proto.
 *
 *   - ARP: flower parses only requests and replies; for other opcodes it
 *     sees zeros.  A megaflow whose ARP match would also match all-zero ARP
 *     fields is refused.
 *
 *   - dl_type below 0x0600 (802.3 frames) is refused.
 *
 *
 * Actions
 * =======
 *
 * OVS datapath actions (OVS_ACTION_ATTR_*), translated in order, so that a
 * mirror taken before a rewrite sees the packet as it was:
 *
 *   - output:N -> mirred egress mirror (TC_ACT_PIPE), or egress redirect
 *     (TC_ACT_STOLEN) for the last output.  N must be on the in_port's
 *     eswitch.  Actions after the last output change no packet that leaves
 *     and are dropped once validated (an unsupported one is still refused).
 *   - no output (no action, or "drop") -> gact drop (TC_ACT_SHOT).
 *   - push_vlan -> vlan push; pop_vlan -> vlan pop.
 *   - set and set_masked of eth (src, dst), ipv4 (src, dst, tos, ttl), ipv6
 *     (src, dst, tclass, label, hlimit), tcp and udp (src, dst) -> pedit
 *     keys, one key per field and 32-bit word, encoded as OVS's lib/tc.c
 *     encodes them (mask = bits kept, val = new bits, both in network byte
 *     order), consecutive sets merged into one pedit, followed by csum with
 *     the flags the rewrite needs: IPV4HDR for any IPv4 header change, TCP,
 *     UDP or ICMP (ICMPv6) for an address change under that protocol or a
 *     port change.  A rewrite that needs the transport protocol but finds
 *     nw_proto wildcarded narrows the rule to the megaflow key's nw_proto,
 *     as OVS's TC offload does.  A rewrite needs the megaflow to match the
 *     header's dl_type exactly (and nw_proto TCP or UDP for ports).
 *   - anything else is ESW_XLATE_UNSUPPORTED_ACTION, named as ovs-dpctl
 *     names it ("action ct is not offloadable", "action set(sctp) is not
 *     offloadable").
 *   - more than ESW_FLOWER_MAX_ACTIONS flower actions:
 *     ESW_XLATE_TOO_MANY_ACTIONS.
 *
 *
 * Limits
 * ======
 *
 * Well-formed packets on which the kernel's flow dissector and OVS's
 * flow_extract() disagree and that esw-flower.h cannot exclude, so that a
 * rule may match them although the megaflow does not:
 *
 *   - three or more VLAN headers (flower looks past all of them for the
 *     EtherType, OVS stops after two; esw-flower.h has no
 *     TCA_FLOWER_KEY_NUM_OF_VLANS);
 *   - IPv6 with a fragment header that flower does not reach: after an
 *     authentication header (flower stops at AH), or beyond the kernel's
 *     limit of 15 headers per dissection.
 *
 * Truncated or inconsistent headers (an IPv4 total length beyond the frame,
 * a TCP data offset beyond the segment) are outside the invariant too. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esw-flower.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct match;
struct nlattr;

/* Why a megaflow cannot be offloaded. */
enum esw_xlate_reason {
    ESW_XLATE_OK,                   /* Translated. */
    ESW_XLATE_INVALID,              /* Malformed actions (netlink). */
    ESW_XLATE_UNSUPPORTED_KEY,      /* A field or value flower cannot
                                     * match, or must not, as hardware. */
    ESW_XLATE_UNSUPPORTED_MASK,     /* A partial mask that flower cannot
                                     * express. */
    ESW_XLATE_UNCONSUMED_MASK,      /* Mask bits on fields not translated. */
    ESW_XLATE_UNSUPPORTED_ACTION,   /* An action with no flower equivalent. */
    ESW_XLATE_PORT_UNKNOWN,         /* A port not in the port map. */
    ESW_XLATE_PORT_NOT_ON_ESWITCH,  /* A port not on the in_port's eswitch,
                                     * or an in_port on no eswitch. */
    ESW_XLATE_PORT_OTHER_ESWITCH,   /* A port on another eswitch. */
    ESW_XLATE_TOO_MANY_ACTIONS,     /* More than ESW_FLOWER_MAX_ACTIONS. */
    ESW_XLATE_N_REASONS
};

/* Returns a short, stable token for 'reason' ("ok", "invalid",
 * "unsupported-key", "unsupported-mask", "unconsumed-mask",
 * "unsupported-action", "port-unknown", "port-not-on-eswitch",
 * "port-other-eswitch", "too-many-actions"), for counters and logs, or
 * "unknown" for a value outside the enum. */
const char *esw_xlate_reason_to_string(enum esw_xlate_reason reason);

/* A datapath port as the translation needs to know it. */
struct esw_xlate_port {
    odp_port_t odp_port;        /* Datapath port number. */
    int ifindex;                /* Its netdev's ifindex (the representor's
                                 * for an eswitch port), 0 if none. */
    const char *name;           /* Its name, for messages. */
    const char *eswitch;        /* Devlink handle of its eswitch, e.g.
                                 * "pci/0000:03:00.0", NULL if none. */
};

/* The datapath's ports, as the caller keeps them. */
struct esw_xlate_port_map {
    /* Returns the port numbered 'port', or NULL if there is none.  The
     * returned port must stay valid during esw_offload_xlate(), which asks
     * about the in_port and at most ESW_FLOWER_MAX_ACTIONS output ports. */
    const struct esw_xlate_port *(*lookup)(const void *aux,
                                           odp_port_t port);
    const void *aux;            /* Passed to lookup(). */
};

/* Translates the megaflow 'megaflow' (a match in the form the userspace
 * datapath gives to a flow API's flow_put(): in_port exact) with the
 * 'actions_len' bytes of OVS datapath actions at 'actions' (OVS_ACTION_ATTR_*
 * netlink attributes) into '*rule', with the ports of 'ports', following the
 * contract at the top of this file.
 *
 * Returns ESW_XLATE_OK and a rule that esw_flower_rule_check() accepts, with
 * prio 0.  Otherwise returns the reason and reinitializes '*rule'
 * (esw_flower_rule_init()).  If 'reason_text' is nonnull, stores in it NULL
 * on success or, on failure, a malloc'd sentence that names what cannot be
 * offloaded, e.g. "action ct is not offloadable", "output to port 5 (tap0):
 * not on eswitch pci/0000:03:00.0", "mask bits left unconsumed:
 * ipv6_label=0x12345"; the caller frees it.  Malformed actions (an attribute
 * whose length is wrong for its type, a truncated attribute) are
 * ESW_XLATE_INVALID; nothing is read outside the given bytes. */
enum esw_xlate_reason esw_offload_xlate(const struct match *megaflow,
                                        const struct nlattr *actions,
                                        size_t actions_len,
                                        const struct esw_xlate_port_map *ports,
                                        struct esw_flower_rule *rule,
                                        char **reason_text);

/* TC priorities by mask.
 *
 * TC wants one priority per flower mask (hardware tables are per mask) and
 * per protocol (a priority has one protocol).  An esw_prio_map gives each
 * distinct (rule->mask, rule->protocol) its own priority, the same one every
 * time it is asked, from a range the caller chooses.  Keys are compared
 * field by field: two masks are the same if they mask the same bits,
 * whatever the rules' key values and the structures' padding.  Priorities
 * are not reused while the map exists.  Not thread-safe. */
struct esw_prio_map {
    struct hmap entries;        /* Contains "struct esw_prio_entry"s. */
    uint16_t next_prio;         /* Next priority to assign. */
    uint16_t max_prio;          /* Last priority to assign. */
    bool exhausted;             /* All of min...max are assigned. */
};

/* Initializes 'map' to assign priorities 'min_prio' to 'max_prio' (1 <=
 * min_prio <= max_prio), in that order. */
void esw_prio_map_init(struct esw_prio_map *map, uint16_t min_prio,
                       uint16_t max_prio);

/* Frees everything 'map' holds. */
void esw_prio_map_destroy(struct esw_prio_map *map);

/* Stores in '*prio' the priority of the mask and protocol of 'rule',
 * assigning the next free one if they have none yet, and returns 0; or
 * returns ENOSPC, with '*prio' 0, if they have none and the range is used
 * up. */
int esw_prio_map_get(struct esw_prio_map *map,
                     const struct esw_flower_rule *rule, uint16_t *prio);

/* Returns the number of priorities 'map' has assigned. */
size_t esw_prio_map_count(const struct esw_prio_map *map);

#endif /* esw-offload-xlate.h */
