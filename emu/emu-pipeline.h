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

#ifndef EMU_PIPELINE_H
#define EMU_PIPELINE_H 1

/* The packet pipeline of sriov-nic-emu's embedded switch: a frame that
 * comes in on a port is parsed into a lookup key, looked up in the flow
 * table (emu-flow-table.h), counted, and the actions of the rule it hits
 * are executed on it.
 *
 * Parsing follows the kernel's flow dissector as flower runs it
 * (net/core/flow_dissector.c, with no FLOW_DISSECTOR_F_* flag):
 *
 *   - eth_type is the outermost EtherType; every VLAN tag is skipped, the
 *     first one gives vlan_id, vlan_prio and vlan_eth_type (the type right
 *     after it), and n_proto is the type after the last tag.
 *
 *   - IPv4 (IHL >= 5) and IPv6 give addresses, ip_proto, ip_tos (the whole
 *     TOS or traffic class byte) and ip_ttl (TTL or hop limit).  IPv6
 *     hop-by-hop, routing and destination options headers are skipped.
 *
 *   - ip_flags: ESW_FLOWER_IP_FLAG_FRAG if the packet is a fragment (IPv4
 *     MF or a non-zero offset; an IPv6 fragment header), and
 *     ESW_FLOWER_IP_FLAG_FIRSTFRAG if it is the fragment at offset 0.  The
 *     L4 header of a fragment, even of the first one, is not looked at:
 *     tp_src, tp_dst, tcp_flags, icmp_type and icmp_code stay 0.
 *
 *   - tp_src/tp_dst: the first 4 bytes of the L4 header for TCP, UDP,
 *     UDP-Lite, SCTP, DCCP and ESP, bytes 4-7 for AH, 0 otherwise.
 *     tcp_flags: the 12 low bits of TCP header bytes 12-13, if the header
 *     is complete (data offset >= 5).  icmp_type/icmp_code: for ICMP and
 *     ICMPv6, if the 8-byte header is there.
 *
 *   - ARP and RARP: only Ethernet/IPv4 requests and replies are parsed.
 *
 *   - A truncated header ends parsing: what came before it stays.
 *
 * Unlike the kernel, the pipeline does not look inside tunnels (IPIP, SIT,
 * GRE, MPLS): the outer headers are the key, as on a NIC without tunnel
 * offload.
 *
 * Actions are executed in order, as tcf_action_exec() does: after each
 * action, its control value says what happens next.  TC_ACT_PIPE goes on to
 * the next action; TC_ACT_OK, TC_ACT_UNSPEC and TC_ACT_TRAP stop and
 * deliver the packet to the default destination, the representor of the
 * port it came in on ("accept"); TC_ACT_SHOT stops and drops it;
 * TC_ACT_STOLEN and TC_ACT_QUEUED stop, the packet being consumed (by a
 * redirect, typically).  Running out of actions accepts the packet, as the
 * kernel's ingress hook does with TC_ACT_PIPE.
 *
 *   - mirred: egress redirect or mirror to a port.  The port gets a copy of
 *     the packet as it is at that point, then the control applies.  (A
 *     redirect normally has TC_ACT_STOLEN, a mirror TC_ACT_PIPE.)
 *
 *   - gact: nothing but its control (drop = TC_ACT_SHOT, pass = TC_ACT_OK).
 *
 *   - vlan (act_vlan.c): pop removes the outer tag, if any; push adds a new
 *     outer tag (CFI 0); modify rewrites the outer tag's VID and TPID, and
 *     its PCP unless keep_prio, if there is a tag.  A frame too short for
 *     the operation is dropped.
 *
 *   - pedit (act_pedit.c): each key rewrites the 32 bits at 'offset' bytes
 *     (a signed value) from the start of its header: the Ethernet header
 *     for ETH; the L3 header, after every VLAN tag, for NETWORK, IP4 and
 *     IP6; for TCP and UDP, the L4 header after the IPv4 header (whatever
 *     its protocol, as the kernel does) or the IPv6 header of that type
 *     after the extension headers.  SET makes the word (old & mask) ^ val,
 *     ADD makes it (old & mask) ^ ((old + val) & ~mask), the word being
 *     read and written in memory order.  A key whose header is missing or
 *     whose word is out of the frame ends the action, earlier keys staying
 *     applied, and the action's control applies anyway.
 *
 *   - csum (act_csum.c): after every VLAN tag, recomputes the IPv4 header
 *     checksum (IPV4HDR) and the ICMP, TCP and UDP checksums (over the
 *     length that the IP header gives), for IPv4 and for IPv6 after its
 *     hop-by-hop, routing and destination headers; not for non-first IPv4
 *     fragments, not past an IPv6 fragment header; an IPv4 UDP checksum of
 *     0 stays 0; a UDP header whose length disagrees with the IP length
 *     gets checksum 0.  A truncated packet is dropped (TC_ACT_SHOT).
 *
 * Counters: a hit counts one packet of the frame's whole length.
 *
 * Thread safety: none, as for the table. */

#include <stddef.h>
#include <stdint.h>

#include "emu-flow-table.h"
#include "esw-flower.h"

struct dp_packet;

enum emu_pipeline_verdict {
    EMU_PIPELINE_MISS,          /* No rule: to the ingress representor. */
    EMU_PIPELINE_ACCEPT,        /* TC_ACT_OK & co: to the ingress
                                 * representor. */
    EMU_PIPELINE_DROP,          /* TC_ACT_SHOT. */
    EMU_PIPELINE_STOLEN,        /* TC_ACT_STOLEN or TC_ACT_QUEUED. */
};

/* Returns a name for 'verdict', e.g. "accept". */
const char *emu_pipeline_verdict_to_string(enum emu_pipeline_verdict);

/* A packet sent by a mirred action. */
struct emu_pipeline_output {
    uint32_t port;
    struct dp_packet *packet;
};

/* What became of a packet.  Every packet in it is owned by it. */
struct emu_pipeline_result {
    enum emu_pipeline_verdict verdict;

    /* The rule that was hit, or NULL on a miss. */
    const struct emu_flow_rule *rule;

    /* On MISS and ACCEPT, the packet (as the actions left it) for the
     * representor of the port it came in on; otherwise NULL. */
    struct dp_packet *local;

    /* The packets that mirred actions sent, in order. */
    size_t n_outputs;
    struct emu_pipeline_output outputs[ESW_FLOWER_MAX_ACTIONS];

    /* How many actions were executed, and the control value that ended
     * them (TC_ACT_PIPE if they ran out, TC_ACT_OK if there were none;
     * TC_ACT_SHOT if an action failed on the packet). */
    size_t n_executed;
    int control;
};

/* Parses the Ethernet frame 'packet', which came in on 'in_port', into
 * '*key', as described above.  Any frame, however short or malformed, is
 * accepted. */
void emu_pipeline_parse(const struct dp_packet *packet, uint32_t in_port,
                        struct emu_flow_key *key);

/* Executes 'actions' on 'packet', which it takes over, and stores what
 * became of it in '*result' (rule NULL). */
void emu_pipeline_execute(const struct emu_flow_actions *actions,
                          struct dp_packet *packet,
                          struct emu_pipeline_result *result);

/* Runs 'packet', which came in on 'in_port' at 'now_ms', through 'table':
 * parses it, looks it up, counts it on the rule it hits and executes the
 * rule's actions.  Takes over 'packet' and stores what became of it in
 * '*result'. */
void emu_pipeline_process(struct emu_flow_table *table, uint32_t in_port,
                          struct dp_packet *packet, long long int now_ms,
                          struct emu_pipeline_result *result);

/* Frees the packets that 'result' still holds.  The caller may first take
 * any of them, setting its pointer to NULL. */
void emu_pipeline_result_uninit(struct emu_pipeline_result *result);

#endif /* emu-pipeline.h */
