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

#include "esw-offload-xlate.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "flow.h"
#include "hash.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "util.h"

/* Fragment states of an IP packet, as bits of a set. */
enum {
    FRAG_NONE = 1 << 0,         /* Not a fragment. */
    FRAG_FIRST = 1 << 1,        /* First fragment (offset 0). */
    FRAG_LATER = 1 << 2,        /* Later fragment. */
    FRAG_ALL = FRAG_NONE | FRAG_FIRST | FRAG_LATER
};

/* The L3 protocol that a megaflow matches exactly. */
enum xlate_l3 {
    L3_OTHER,                   /* None, or one without L3 keys. */
    L3_IPV4,
    L3_IPV6,
    L3_ARP                      /* ARP or RARP. */
};

struct xlate_ctx {
    const struct flow *key;             /* The megaflow's key. */
    const struct flow *mask;            /* The megaflow's mask. */
    struct flow_wildcards left;         /* Mask bits not consumed yet. */
    const struct esw_xlate_port_map *ports;
    const struct esw_xlate_port *in_port;
    struct esw_flower_rule *rule;
    char *text;                         /* Why not, once it failed. */

    enum xlate_l3 l3;
    unsigned int frags;                 /* FRAG_* states the rule admits. */

    /* Actions: the open group of pedit actions and its checksum flags. */
    struct esw_flower_action *pedit;
    uint32_t csum_flags;
};

const char *
esw_xlate_reason_to_string(enum esw_xlate_reason reason)
{
    switch (reason) {
    case ESW_XLATE_OK: return "ok";
    case ESW_XLATE_INVALID: return "invalid";
    case ESW_XLATE_UNSUPPORTED_KEY: return "unsupported-key";
    case ESW_XLATE_UNSUPPORTED_MASK: return "unsupported-mask";
    case ESW_XLATE_UNCONSUMED_MASK: return "unconsumed-mask";
    case ESW_XLATE_UNSUPPORTED_ACTION: return "unsupported-action";
    case ESW_XLATE_PORT_UNKNOWN: return "port-unknown";
    case ESW_XLATE_PORT_NOT_ON_ESWITCH: return "port-not-on-eswitch";
    case ESW_XLATE_PORT_OTHER_ESWITCH: return "port-other-eswitch";
    case ESW_XLATE_TOO_MANY_ACTIONS: return "too-many-actions";
    case ESW_XLATE_N_REASONS: break;
    }
    return "unknown";
}

/* Stores a message in 'format' as the reason text of 'ctx' and returns
 * 'reason'. */
static enum esw_xlate_reason OVS_PRINTF_FORMAT(3, 4)
fail(struct xlate_ctx *ctx, enum esw_xlate_reason reason,
     const char *format, ...)
{
    va_list args;

    va_start(args, format);
    free(ctx->text);
    ctx->text = xvasprintf(format, args);
    va_end(args);
    return reason;
}

/* Returns, in ovs-ofctl syntax, what the megaflow matches under the mask
 * bits of 'which' (a subset of the megaflow's mask).  The caller frees the
 * string. */
static char *
format_masked(const struct xlate_ctx *ctx, const struct flow_wildcards *which)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct flow *all = ctx->mask;
    struct match m;

    /* The key under the selected mask, with the megaflow's dl_type and
     * nw_proto, so that fields are named by their protocol (arp_spa rather
     * than nw_src, icmp_type rather than tp_src). */
    memset(&m, 0, sizeof m);
    m.flow = *ctx->key;
    flow_zero_wildcards(&m.flow, which);
    m.flow.dl_type = ctx->key->dl_type & all->dl_type;
    m.flow.nw_proto = ctx->key->nw_proto & all->nw_proto;
    m.wc = *which;
    match_format(&m, NULL, &s, OFP_DEFAULT_PRIORITY);
    if (!s.length) {
        /* Bits that ovs-ofctl has no name for. */
        const uint8_t *p = (const uint8_t *) &which->masks;
        size_t first = SIZE_MAX, last = 0;

        for (size_t i = 0; i < sizeof which->masks; i++) {
            if (p[i]) {
                first = MIN(first, i);
                last = i;
            }
        }
        ds_put_format(&s, "bytes %"PRIuSIZE" to %"PRIuSIZE" of struct flow",
                      first, last);
    }
    return ds_steal_cstr(&s);
}

/* Returns, in ovs-ofctl syntax, what the megaflow matches in the 'size'
 * bytes at 'offset' in struct flow.  The caller frees the string. */
static char *
format_field(const struct xlate_ctx *ctx, size_t offset, size_t size)
{
    struct flow_wildcards which;

    memset(&which, 0, sizeof which);
    memcpy((uint8_t *) &which.masks + offset,
           (const uint8_t *) ctx->mask + offset, size);
    return format_masked(ctx, &which);
}

#define FORMAT_FIELD(CTX, MEMBER)                                       \
    format_field(CTX, offsetof(struct flow, MEMBER),                    \
                 sizeof ((struct flow *) NULL)->MEMBER)

#define CONSUME(CTX, MEMBER)                                            \
    memset(&(CTX)->left.masks.MEMBER, 0, sizeof (CTX)->left.masks.MEMBER)

/* Like fail(), with the megaflow's match on MEMBER appended to the
 * message as ": <match>". */
#define FAIL_FIELD(CTX, REASON, MEMBER, MESSAGE)                        \
    fail_field(CTX, REASON, FORMAT_FIELD(CTX, MEMBER), MESSAGE)

static enum esw_xlate_reason
fail_field(struct xlate_ctx *ctx, enum esw_xlate_reason reason,
           char *field, const char *message)
{
    fail(ctx, reason, "%s: %s", field, message);
    free(field);
    return reason;
}

/* Returns what the megaflow matches in VLAN header 'i' (0 or 1), in the
 * syntax of ovs-ofctl's vlan_tci (which has no name for the TPID).  The
 * caller frees the string. */
static char *
format_vlan(const struct xlate_ctx *ctx, int i)
{
    const union flow_vlan_hdr *k = &ctx->key->vlans[i];
    const union flow_vlan_hdr *m = &ctx->mask->vlans[i];
    const char *suffix = i ? "1" : "";
    struct ds s = DS_EMPTY_INITIALIZER;

    if (m->tci) {
        ds_put_format(&s, "vlan_tci%s=0x%04"PRIx16, suffix,
                      ntohs(k->tci & m->tci));
        if (m->tci != OVS_BE16_MAX) {
            ds_put_format(&s, "/0x%04"PRIx16, ntohs(m->tci));
        }
    }
    if (m->tpid) {
        ds_put_format(&s, "%svlan_tpid%s=0x%04"PRIx16, s.length ? "," : "",
                      suffix, ntohs(k->tpid & m->tpid));
        if (m->tpid != OVS_BE16_MAX) {
            ds_put_format(&s, "/0x%04"PRIx16, ntohs(m->tpid));
        }
    }
    return ds_steal_cstr(&s);
}

#define FAIL_VLAN(CTX, REASON, I, MESSAGE)                              \
    fail_field(CTX, REASON, format_vlan(CTX, I), MESSAGE)

/* Attachment: in_port, recirc_id, packet_type, metadata. */

static enum esw_xlate_reason
xlate_in_port(struct xlate_ctx *ctx)
{
    odp_port_t port_no = ctx->key->in_port.odp_port;
    const struct esw_xlate_port *port;

    if (ctx->mask->in_port.odp_port != ODPP_NONE) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_MASK, in_port,
                          "in_port must be matched exactly");
    }
    port = ctx->ports->lookup(ctx->ports->aux, port_no);
    if (!port) {
        return fail(ctx, ESW_XLATE_PORT_UNKNOWN,
                    "in_port %"PRIu32": no such port", odp_to_u32(port_no));
    }
    if (!port->eswitch || port->ifindex <= 0) {
        return fail(ctx, ESW_XLATE_PORT_NOT_ON_ESWITCH,
                    "in_port %"PRIu32" (%s): not on an eswitch",
                    odp_to_u32(port_no), port->name ? port->name : "?");
    }
    ctx->in_port = port;
    ctx->rule->ifindex = port->ifindex;
    CONSUME(ctx, in_port);
    return ESW_XLATE_OK;
}

/* Metadata that is zero in every packet a port receives at recirc_id 0:
 * a match on zero is always true there. */
static const struct {
    size_t offset;
    size_t size;
} ingress_zero_fields[] = {
#define FIELD(MEMBER) \
    { offsetof(struct flow, MEMBER), sizeof ((struct flow *) NULL)->MEMBER }
    FIELD(tunnel),
    FIELD(metadata),
    FIELD(regs),
    FIELD(skb_priority),
    FIELD(pkt_mark),
    FIELD(dp_hash),
    FIELD(ct_state),
    FIELD(ct_nw_proto),
    FIELD(ct_zone),
    FIELD(ct_mark),
    FIELD(ct_label),
    FIELD(ct_nw_src),
    FIELD(ct_nw_dst),
    FIELD(ct_ipv6_src),
    FIELD(ct_ipv6_dst),
    FIELD(ct_tp_src),
    FIELD(ct_tp_dst),
#undef FIELD
};

static enum esw_xlate_reason
xlate_metadata(struct xlate_ctx *ctx)
{
    const struct flow *key = ctx->key;
    const struct flow *mask = ctx->mask;

    if (key->recirc_id & mask->recirc_id) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, recirc_id,
                          "recirculation is not offloadable");
    }
    CONSUME(ctx, recirc_id);

    if ((key->packet_type ^ htonl(PT_ETH)) & mask->packet_type) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, packet_type,
                          "only Ethernet packets are offloadable");
    }
    CONSUME(ctx, packet_type);

    for (size_t i = 0; i < ARRAY_SIZE(ingress_zero_fields); i++) {
        size_t ofs = ingress_zero_fields[i].offset;
        const uint8_t *k = (const uint8_t *) key + ofs;
        const uint8_t *m = (const uint8_t *) mask + ofs;
        bool zero = true;

        for (size_t j = 0; j < ingress_zero_fields[i].size; j++) {
            if (k[j] & m[j]) {
                zero = false;
                break;
            }
        }
        if (zero) {
            memset((uint8_t *) &ctx->left.masks + ofs, 0,
                   ingress_zero_fields[i].size);
        }
    }
    return ESW_XLATE_OK;
}

/* L2. */

static struct eth_addr
eth_addr_masked(struct eth_addr a, struct eth_addr mask)
{
    struct eth_addr r;

    for (size_t i = 0; i < ARRAY_SIZE(r.be16); i++) {
        r.be16[i] = a.be16[i] & mask.be16[i];
    }
    return r;
}

static void
xlate_eth(struct xlate_ctx *ctx)
{
    struct esw_flower_rule *rule = ctx->rule;

    rule->key.eth_dst = eth_addr_masked(ctx->key->dl_dst, ctx->mask->dl_dst);
    rule->mask.eth_dst = ctx->mask->dl_dst;
    rule->key.eth_src = eth_addr_masked(ctx->key->dl_src, ctx->mask->dl_src);
    rule->mask.eth_src = ctx->mask->dl_src;
    CONSUME(ctx, dl_dst);
    CONSUME(ctx, dl_src);
}

static enum esw_xlate_reason
xlate_dl_type(struct xlate_ctx *ctx)
{
    ovs_be16 dl_type = ctx->key->dl_type;
    ovs_be16 mask = ctx->mask->dl_type;

    if (mask && mask != OVS_BE16_MAX) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_MASK, "dl_type=0x%04"PRIx16
                    "/0x%04"PRIx16": flower matches eth_type only exactly",
                    ntohs(dl_type & mask), ntohs(mask));
    }
    if (mask && ntohs(dl_type) < ETH_TYPE_MIN) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, dl_type,
                          "802.3 frames without an EtherType are not "
                          "offloadable");
    }
    if (mask && eth_type_vlan(dl_type)) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, dl_type,
                          "a VLAN header beyond the ones OVS parsed is not "
                          "offloadable");
    }
    CONSUME(ctx, dl_type);
    return ESW_XLATE_OK;
}

/* Translates the VLAN headers and sets the rule's eth_type and protocol.
 * Needs xlate_dl_type() first. */
static enum esw_xlate_reason
xlate_vlan(struct xlate_ctx *ctx)
{
    const union flow_vlan_hdr *k = &ctx->key->vlans[0];
    const union flow_vlan_hdr *m = &ctx->mask->vlans[0];
    struct esw_flower_rule *rule = ctx->rule;
    bool dl_type_exact = ctx->mask->dl_type == OVS_BE16_MAX;
    ovs_be16 tci = k->tci & m->tci;
    ovs_be16 tpid = k->tpid & m->tpid;
    ovs_be16 cfi = htons(VLAN_CFI);

    if (!is_all_zeros(&ctx->mask->vlans[1], sizeof ctx->mask->vlans[1])) {
        return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_KEY, 1,
                          "a second VLAN header is not offloadable");
    }
    if (m->tpid && m->tpid != OVS_BE16_MAX) {
        return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_MASK, 0,
                          "flower matches the VLAN TPID only exactly");
    }

    /* OVS sets CFI in the TCI of a tagged packet, and has TPID and TCI 0
     * for an untagged one. */
    bool tagged = tci || tpid;
    bool untagged = (m->tci & cfi && !(tci & cfi)) || (m->tpid && !tpid);
    if (tagged && untagged) {
        return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_KEY, 0,
                          "matches no packet");
    }

    if (tagged) {
        ovs_be16 vid_mask = m->tci & htons(VLAN_VID_MASK);
        ovs_be16 pcp_mask = m->tci & htons(VLAN_PCP_MASK);

        if (!m->tpid) {
            /* Megaflows of tagged packets often leave the TPID wildcarded
             * (OVS parses 802.1Q and 802.1ad alike).  Flower matches one
             * TPID: 802.1Q, which narrows the rule; 802.1ad-tagged packets
             * take the software path. */
            tpid = htons(ETH_TYPE_VLAN_8021Q);
        } else if (!eth_type_vlan(tpid)) {
            return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_KEY, 0,
                              "not a VLAN TPID");
        }
        if (vid_mask && vid_mask != htons(VLAN_VID_MASK)) {
            return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_MASK, 0,
                              "flower matches the VLAN ID only exactly");
        }
        if (pcp_mask && pcp_mask != htons(VLAN_PCP_MASK)) {
            return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_MASK, 0,
                              "flower matches the VLAN priority only "
                              "exactly");
        }
        rule->key.eth_type = tpid;
        rule->mask.eth_type = OVS_BE16_MAX;
        if (vid_mask) {
            rule->key.vlan_id = vlan_tci_to_vid(tci);
            rule->mask.vlan_id = UINT16_MAX;
        }
        if (pcp_mask) {
            rule->key.vlan_prio = vlan_tci_to_pcp(tci);
            rule->mask.vlan_prio = UINT8_MAX;
        }
        if (dl_type_exact) {
            rule->key.vlan_eth_type = ctx->key->dl_type;
            rule->mask.vlan_eth_type = OVS_BE16_MAX;
        }
        rule->protocol = tpid;
    } else if (dl_type_exact) {
        /* Flower compares the protocol with the outer EtherType, so this
         * rule matches only untagged packets: exactly what the megaflow
         * matches if it requires no tag, fewer if it ignores VLANs. */
        rule->key.eth_type = ctx->key->dl_type;
        rule->mask.eth_type = OVS_BE16_MAX;
        rule->protocol = ctx->key->dl_type;
    } else if (untagged || m->tci) {
        return FAIL_VLAN(ctx, ESW_XLATE_UNSUPPORTED_MASK, 0,
                          "flower matches untagged packets only with an "
                          "exact eth_type");
    } else {
        rule->protocol = htons(ETH_P_ALL);
    }
    CONSUME(ctx, vlans);
    return ESW_XLATE_OK;
}

/* Fragments. */

/* Returns the set of FRAG_* states that nw_frag 'key' under 'mask'
 * admits (OVS sets no bit outside FLOW_NW_FRAG_MASK). */
static unsigned int
megaflow_frags(uint8_t key, uint8_t mask)
{
    static const struct {
        unsigned int state;
        uint8_t nw_frag;        /* As OVS's flow_extract() sets it. */
    } states[] = {
        { FRAG_NONE, 0 },
        { FRAG_FIRST, FLOW_NW_FRAG_ANY },
        { FRAG_LATER, FLOW_NW_FRAG_ANY | FLOW_NW_FRAG_LATER },
    };
    unsigned int set = 0;

    for (size_t i = 0; i < ARRAY_SIZE(states); i++) {
        if (!((states[i].nw_frag ^ key) & mask)) {
            set |= states[i].state;
        }
    }
    return set;
}

/* Flower's ip_flags for a packet in fragment state 'state', as the
 * kernel's flow dissector sets them. */
static uint32_t
flower_frag_flags(unsigned int state)
{
    return (state == FRAG_FIRST
            ? ESW_FLOWER_IP_FLAG_FRAG | ESW_FLOWER_IP_FLAG_FIRSTFRAG
            : state == FRAG_LATER ? ESW_FLOWER_IP_FLAG_FRAG
            : 0);
}

/* Finds the ip_flags key and mask that match exactly the fragment states
 * in 'states', preferring the masks OVS's TC offload uses.  Returns false
 * if there is none. */
static bool
encode_frags(unsigned int states, uint32_t *keyp, uint32_t *maskp)
{
    static const uint32_t masks[] = {
        0,
        ESW_FLOWER_IP_FLAG_FRAG,
        ESW_FLOWER_IP_FLAG_FRAG | ESW_FLOWER_IP_FLAG_FIRSTFRAG,
        ESW_FLOWER_IP_FLAG_FIRSTFRAG,
    };

    for (size_t i = 0; i < ARRAY_SIZE(masks); i++) {
        for (uint32_t key = 0; key <= masks[i]; key++) {
            unsigned int matched = 0;

            if (key & ~masks[i]) {
                continue;
            }
            for (unsigned int s = FRAG_NONE; s <= FRAG_LATER; s <<= 1) {
                if ((flower_frag_flags(s) & masks[i]) == key) {
                    matched |= s;
                }
            }
            if (matched == states) {
                *keyp = key;
                *maskp = masks[i];
                return true;
            }
        }
    }
    return false;
}

/* L3 and L4. */

static bool
is_ipv6_ext_hdr(uint8_t proto)
{
    /* The headers that OVS's flow_extract() walks past. */
    return (proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING
            || proto == IPPROTO_FRAGMENT || proto == IPPROTO_AH
            || proto == IPPROTO_DSTOPTS);
}

/* Sets the rule's ip_proto to 'proto' exactly. */
static void
set_ip_proto(struct xlate_ctx *ctx, uint8_t proto)
{
    ctx->rule->key.ip_proto = proto;
    ctx->rule->mask.ip_proto = UINT8_MAX;
}

/* Consumes the mask bits of '*left' (a 16-bit field whose key is 'key'),
 * whose bits outside 'high' are translated.  OVS leaves the 'high' bits zero
 * in every packet (the top of tcp_flags, of an ICMP type or code), so a
 * match on them being zero is consumed and any other is left. */
static void
consume_zero_high_bits(ovs_be16 *left, ovs_be16 key, ovs_be16 high)
{
    *left = key & *left & high ? *left & high : 0;
}

/* Translates the transport fields of protocol 'proto' (matched exactly) and
 * returns true if any is matched. */
static bool
xlate_l4(struct xlate_ctx *ctx, uint8_t proto)
{
    const struct flow *key = ctx->key;
    const struct flow *mask = ctx->mask;
    struct esw_flower_key *fk = &ctx->rule->key;
    struct esw_flower_key *fm = &ctx->rule->mask;

    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP
        || proto == IPPROTO_SCTP) {
        fk->tp_src = key->tp_src & mask->tp_src;
        fm->tp_src = mask->tp_src;
        fk->tp_dst = key->tp_dst & mask->tp_dst;
        fm->tp_dst = mask->tp_dst;
        CONSUME(ctx, tp_src);
        CONSUME(ctx, tp_dst);
        if (proto == IPPROTO_TCP) {
            ovs_be16 flags_mask = mask->tcp_flags & htons(0x0fff);

            fk->tcp_flags = key->tcp_flags & flags_mask;
            fm->tcp_flags = flags_mask;
            consume_zero_high_bits(&ctx->left.masks.tcp_flags,
                                   key->tcp_flags, htons(0xf000));
        }
        return fm->tp_src || fm->tp_dst || fm->tcp_flags;
    }

    if ((proto == IPPROTO_ICMP && ctx->l3 == L3_IPV4)
        || (proto == IPPROTO_ICMPV6 && ctx->l3 == L3_IPV6)) {
        /* OVS keeps the type in tp_src and the code in tp_dst. */
        uint8_t type_mask = ntohs(mask->tp_src) & 0xff;
        uint8_t code_mask = ntohs(mask->tp_dst) & 0xff;

        fk->icmp_type = ntohs(key->tp_src) & type_mask;
        fm->icmp_type = type_mask;
        fk->icmp_code = ntohs(key->tp_dst) & code_mask;
        fm->icmp_code = code_mask;
        consume_zero_high_bits(&ctx->left.masks.tp_src, key->tp_src,
                               htons(0xff00));
        consume_zero_high_bits(&ctx->left.masks.tp_dst, key->tp_dst,
                               htons(0xff00));
        return type_mask || code_mask;
    }
    return false;
}

static enum esw_xlate_reason
xlate_ip(struct xlate_ctx *ctx)
{
    const struct flow *key = ctx->key;
    const struct flow *mask = ctx->mask;
    struct esw_flower_key *fk = &ctx->rule->key;
    struct esw_flower_key *fm = &ctx->rule->mask;
    bool l4 = false;

    if (mask->nw_proto && mask->nw_proto != UINT8_MAX) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_MASK, "nw_proto=%"PRIu8
                    "/0x%02"PRIx8": flower matches ip_proto only exactly",
                    key->nw_proto & mask->nw_proto, mask->nw_proto);
    }
    if (mask->nw_proto) {
        if (ctx->l3 == L3_IPV6 && is_ipv6_ext_hdr(key->nw_proto)) {
            return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, nw_proto,
                              "an IPv6 extension header as next header is "
                              "not offloadable");
        }
        set_ip_proto(ctx, key->nw_proto);
        CONSUME(ctx, nw_proto);
        l4 = xlate_l4(ctx, key->nw_proto);
    }

    fk->ip_tos = key->nw_tos & mask->nw_tos;
    fm->ip_tos = mask->nw_tos;
    fk->ip_ttl = key->nw_ttl & mask->nw_ttl;
    fm->ip_ttl = mask->nw_ttl;
    CONSUME(ctx, nw_tos);
    CONSUME(ctx, nw_ttl);

    if (ctx->l3 == L3_IPV4) {
        fk->ipv4_src = key->nw_src & mask->nw_src;
        fm->ipv4_src = mask->nw_src;
        fk->ipv4_dst = key->nw_dst & mask->nw_dst;
        fm->ipv4_dst = mask->nw_dst;
        CONSUME(ctx, nw_src);
        CONSUME(ctx, nw_dst);
    } else {
        fk->ipv6_src = ipv6_addr_bitand(&key->ipv6_src, &mask->ipv6_src);
        fm->ipv6_src = mask->ipv6_src;
        fk->ipv6_dst = ipv6_addr_bitand(&key->ipv6_dst, &mask->ipv6_dst);
        fm->ipv6_dst = mask->ipv6_dst;
        CONSUME(ctx, ipv6_src);
        CONSUME(ctx, ipv6_dst);
    }

    unsigned int frags = megaflow_frags(key->nw_frag, mask->nw_frag);
    if (!frags) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, nw_frag,
                          "matches no packet");
    }
    if (ctx->l3 == L3_IPV6) {
        if (!(frags & FRAG_NONE)) {
            return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, nw_frag,
                              "IPv6 fragments are not offloadable");
        }
        frags = FRAG_NONE;
    } else if (l4 && frags & FRAG_FIRST) {
        frags &= ~FRAG_FIRST;
        if (!frags) {
            return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_KEY, nw_frag,
                              "flower does not parse the transport header "
                              "of fragments");
        }
    }

    uint32_t flags, flags_mask;
    if (!encode_frags(frags, &flags, &flags_mask)) {
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_MASK, nw_frag,
                          "flower's ip_flags cannot express it");
    }
    ctx->frags = frags;
    CONSUME(ctx, nw_frag);
    return ESW_XLATE_OK;
}

static enum esw_xlate_reason
xlate_arp(struct xlate_ctx *ctx)
{
    const struct flow *key = ctx->key;
    const struct flow *mask = ctx->mask;
    struct esw_flower_key *fk = &ctx->rule->key;
    struct esw_flower_key *fm = &ctx->rule->mask;

    fk->arp_sip = key->nw_src & mask->nw_src;
    fm->arp_sip = mask->nw_src;
    fk->arp_tip = key->nw_dst & mask->nw_dst;
    fm->arp_tip = mask->nw_dst;
    fk->arp_op = key->nw_proto & mask->nw_proto;
    fm->arp_op = mask->nw_proto;
    fk->arp_sha = eth_addr_masked(key->arp_sha, mask->arp_sha);
    fm->arp_sha = mask->arp_sha;
    fk->arp_tha = eth_addr_masked(key->arp_tha, mask->arp_tha);
    fm->arp_tha = mask->arp_tha;

    /* Flower sees zeros in the ARP fields of opcodes other than request and
     * reply, where OVS sees the packet's values. */
    bool matched = (fm->arp_sip || fm->arp_tip || fm->arp_op
                    || !eth_addr_is_zero(fm->arp_sha)
                    || !eth_addr_is_zero(fm->arp_tha));
    bool zeros_match = (!fk->arp_sip && !fk->arp_tip && !fk->arp_op
                        && eth_addr_is_zero(fk->arp_sha)
                        && eth_addr_is_zero(fk->arp_tha));
    if (matched && zeros_match) {
        struct flow_wildcards which;

        memset(&which, 0, sizeof which);
        which.masks.nw_src = mask->nw_src;
        which.masks.nw_dst = mask->nw_dst;
        which.masks.nw_proto = mask->nw_proto;
        which.masks.arp_sha = mask->arp_sha;
        which.masks.arp_tha = mask->arp_tha;
        return fail_field(ctx, ESW_XLATE_UNSUPPORTED_KEY,
                          format_masked(ctx, &which),
                          "an ARP match that all-zero fields satisfy is not "
                          "offloadable: flower sees zeros for opcodes other "
                          "than request and reply");
    }
    CONSUME(ctx, nw_src);
    CONSUME(ctx, nw_dst);
    CONSUME(ctx, nw_proto);
    CONSUME(ctx, arp_sha);
    CONSUME(ctx, arp_tha);
    return ESW_XLATE_OK;
}

static enum esw_xlate_reason
xlate_match(struct xlate_ctx *ctx)
{
    enum esw_xlate_reason reason;

    reason = xlate_in_port(ctx);
    if (!reason) {
        reason = xlate_metadata(ctx);
    }
    if (!reason) {
        xlate_eth(ctx);
        reason = xlate_dl_type(ctx);
    }
    if (!reason) {
        reason = xlate_vlan(ctx);
    }
    if (reason) {
        return reason;
    }

    ctx->l3 = L3_OTHER;
    ctx->frags = FRAG_ALL;
    if (ctx->mask->dl_type) {
        ovs_be16 dl_type = ctx->key->dl_type;

        if (dl_type == htons(ETH_TYPE_IP)) {
            ctx->l3 = L3_IPV4;
        } else if (dl_type == htons(ETH_TYPE_IPV6)) {
            ctx->l3 = L3_IPV6;
        } else if (dl_type == htons(ETH_TYPE_ARP)
                   || dl_type == htons(ETH_TYPE_RARP)) {
            ctx->l3 = L3_ARP;
        }
    }
    if (ctx->l3 == L3_IPV4 || ctx->l3 == L3_IPV6) {
        reason = xlate_ip(ctx);
    } else if (ctx->l3 == L3_ARP) {
        reason = xlate_arp(ctx);
    }
    if (reason) {
        return reason;
    }

    if (!flow_wildcards_is_catchall(&ctx->left)) {
        char *s = format_masked(ctx, &ctx->left);

        fail(ctx, ESW_XLATE_UNCONSUMED_MASK, "mask bits left unconsumed: %s",
             s);
        free(s);
        return ESW_XLATE_UNCONSUMED_MASK;
    }
    return ESW_XLATE_OK;
}

/* Actions. */

#define ACTION_LEN_VARIABLE -1

/* OVS datapath actions: how ovs-dpctl names them and their payload length,
 * and whether they can be translated. */
static const struct {
    const char *name;
    int len;                    /* Payload bytes or ACTION_LEN_VARIABLE. */
    bool supported;
} action_types[] = {
#define ACTION(TYPE, NAME, LEN, SUPPORTED) \
    [OVS_ACTION_ATTR_##TYPE] = { NAME, LEN, SUPPORTED }
    ACTION(OUTPUT, "output", sizeof(uint32_t), true),
    ACTION(USERSPACE, "userspace", ACTION_LEN_VARIABLE, false),
    ACTION(SET, "set", ACTION_LEN_VARIABLE, true),
    ACTION(PUSH_VLAN, "push_vlan", sizeof(struct ovs_action_push_vlan), true),
    ACTION(POP_VLAN, "pop_vlan", 0, true),
    ACTION(SAMPLE, "sample", ACTION_LEN_VARIABLE, false),
    ACTION(RECIRC, "recirc", sizeof(uint32_t), false),
    ACTION(HASH, "hash", sizeof(struct ovs_action_hash), false),
    ACTION(PUSH_MPLS, "push_mpls", sizeof(struct ovs_action_push_mpls),
           false),
    ACTION(POP_MPLS, "pop_mpls", sizeof(ovs_be16), false),
    ACTION(SET_MASKED, "set", ACTION_LEN_VARIABLE, true),
    ACTION(CT, "ct", ACTION_LEN_VARIABLE, false),
    ACTION(TRUNC, "trunc", sizeof(struct ovs_action_trunc), false),
    ACTION(PUSH_ETH, "push_eth", sizeof(struct ovs_action_push_eth), false),
    ACTION(POP_ETH, "pop_eth", 0, false),
    ACTION(CT_CLEAR, "ct_clear", 0, false),
    ACTION(PUSH_NSH, "push_nsh", ACTION_LEN_VARIABLE, false),
    ACTION(POP_NSH, "pop_nsh", 0, false),
    ACTION(METER, "meter", sizeof(uint32_t), false),
    ACTION(CLONE, "clone", ACTION_LEN_VARIABLE, false),
    ACTION(CHECK_PKT_LEN, "check_pkt_len", ACTION_LEN_VARIABLE, false),
    ACTION(ADD_MPLS, "add_mpls", sizeof(struct ovs_action_add_mpls), false),
    ACTION(TUNNEL_PUSH, "tnl_push", ACTION_LEN_VARIABLE, false),
    ACTION(TUNNEL_POP, "tnl_pop", sizeof(uint32_t), false),
    ACTION(DROP, "drop", sizeof(uint32_t), true),
    ACTION(LB_OUTPUT, "lb_output", sizeof(uint32_t), false),
#undef ACTION
};

/* Keys of set actions: how ovs-dpctl names them and, for those that can be
 * translated, the size of their key structure. */
static const struct {
    const char *name;
    size_t size;                /* 0: not translated. */
} set_types[] = {
#define KEY(TYPE, NAME, SIZE) [OVS_KEY_ATTR_##TYPE] = { NAME, SIZE }
    KEY(ENCAP, "encap", 0),
    KEY(PRIORITY, "skb_priority", 0),
    KEY(IN_PORT, "in_port", 0),
    KEY(ETHERNET, "eth", sizeof(struct ovs_key_ethernet)),
    KEY(VLAN, "vlan", 0),
    KEY(ETHERTYPE, "eth_type", 0),
    KEY(IPV4, "ipv4", sizeof(struct ovs_key_ipv4)),
    KEY(IPV6, "ipv6", sizeof(struct ovs_key_ipv6)),
    KEY(TCP, "tcp", sizeof(struct ovs_key_tcp)),
    KEY(UDP, "udp", sizeof(struct ovs_key_udp)),
    KEY(ICMP, "icmp", 0),
    KEY(ICMPV6, "icmpv6", 0),
    KEY(ARP, "arp", 0),
    KEY(ND, "nd", 0),
    KEY(SKB_MARK, "skb_mark", 0),
    KEY(TUNNEL, "tunnel", 0),
    KEY(SCTP, "sctp", 0),
    KEY(TCP_FLAGS, "tcp_flags", 0),
    KEY(DP_HASH, "dp_hash", 0),
    KEY(RECIRC_ID, "recirc_id", 0),
    KEY(MPLS, "mpls", 0),
    KEY(CT_STATE, "ct_state", 0),
    KEY(CT_ZONE, "ct_zone", 0),
    KEY(CT_MARK, "ct_mark", 0),
    KEY(CT_LABELS, "ct_label", 0),
    KEY(CT_ORIG_TUPLE_IPV4, "ct_tuple4", 0),
    KEY(CT_ORIG_TUPLE_IPV6, "ct_tuple6", 0),
    KEY(NSH, "nsh", 0),
    KEY(PACKET_TYPE, "packet_type", 0),
    KEY(ND_EXTENSIONS, "nd_ext", 0),
#undef KEY
};

/* A validated netlink attribute: its type and payload. */
struct xlate_attr {
    uint16_t type;
    const void *data;
    size_t len;
};

/* Reads the attribute at '*ofs' of the 'size' bytes at 'buf' into '*attr'
 * and advances '*ofs' past it.  Returns false if it is truncated. */
static bool
next_attr(const void *buf, size_t size, size_t *ofs, struct xlate_attr *attr)
{
    const uint8_t *p = (const uint8_t *) buf + *ofs;
    size_t left = size - *ofs;
    struct nlattr nla;

    if (left < NLA_HDRLEN) {
        return false;
    }
    memcpy(&nla, p, sizeof nla);
    if (nla.nla_len < NLA_HDRLEN || nla.nla_len > left) {
        return false;
    }
    attr->type = nla.nla_type & NLA_TYPE_MASK;
    attr->data = p + NLA_HDRLEN;
    attr->len = nla.nla_len - NLA_HDRLEN;
    *ofs += MIN(NLA_ALIGN(nla.nla_len), left);
    return true;
}

/* Checks the key attribute nested in a set or set_masked action 'attr' and
 * stores it in '*key'; for set_masked, the key structure is followed by a
 * mask of the same size. */
static enum esw_xlate_reason
check_set(struct xlate_ctx *ctx, const struct xlate_attr *attr,
          struct xlate_attr *key)
{
    bool masked = attr->type == OVS_ACTION_ATTR_SET_MASKED;
    size_t ofs = 0;

    if (!next_attr(attr->data, attr->len, &ofs, key) || ofs != attr->len) {
        return fail(ctx, ESW_XLATE_INVALID, "action set: malformed key "
                    "attribute");
    }
    if (key->type >= ARRAY_SIZE(set_types) || !set_types[key->type].size) {
        if (key->type < ARRAY_SIZE(set_types) && set_types[key->type].name) {
            return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION,
                        "action set(%s) is not offloadable",
                        set_types[key->type].name);
        }
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION,
                    "action set(key%"PRIu16") is not offloadable", key->type);
    }
    if (key->len != set_types[key->type].size * (masked ? 2 : 1)) {
        return fail(ctx, ESW_XLATE_INVALID, "action set(%s): %"PRIuSIZE
                    " bytes, expected %"PRIuSIZE, set_types[key->type].name,
                    key->len, set_types[key->type].size * (masked ? 2 : 1));
    }
    return ESW_XLATE_OK;
}

/* Checks every action in 'actions' (well-formed and of a type that can be
 * translated) and stores in '*n_usedp' the number of actions up to the
 * last output (0 if none).  Actions after "drop" are not looked at: the
 * datapath stops there. */
static enum esw_xlate_reason
check_actions(struct xlate_ctx *ctx, const struct nlattr *actions,
              size_t actions_len, size_t *n_usedp)
{
    size_t ofs = 0;
    size_t n = 0;

    *n_usedp = 0;
    while (ofs < actions_len) {
        struct xlate_attr attr;

        if (!next_attr(actions, actions_len, &ofs, &attr)) {
            return fail(ctx, ESW_XLATE_INVALID, "action %"PRIuSIZE" is "
                        "truncated", n + 1);
        }
        n++;
        if (attr.type >= ARRAY_SIZE(action_types)
            || !action_types[attr.type].name) {
            return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action type "
                        "%"PRIu16" is not offloadable", attr.type);
        }

        const char *name = action_types[attr.type].name;
        int len = action_types[attr.type].len;
        if (!action_types[attr.type].supported) {
            return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION,
                        "action %s is not offloadable", name);
        }
        if (len != ACTION_LEN_VARIABLE && attr.len != len) {
            return fail(ctx, ESW_XLATE_INVALID, "action %s: %"PRIuSIZE
                        " bytes, expected %d", name, attr.len, len);
        }
        if (attr.type == OVS_ACTION_ATTR_SET
            || attr.type == OVS_ACTION_ATTR_SET_MASKED) {
            struct xlate_attr key;
            enum esw_xlate_reason reason = check_set(ctx, &attr, &key);

            if (reason) {
                return reason;
            }
        } else if (attr.type == OVS_ACTION_ATTR_OUTPUT) {
            *n_usedp = n;
        } else if (attr.type == OVS_ACTION_ATTR_DROP) {
            break;
        }
    }
    return ESW_XLATE_OK;
}

/* Appends a new action of 'type' with control 'control' to the rule and
 * returns it, or returns NULL if the rule is full. */
static struct esw_flower_action *
add_action(struct xlate_ctx *ctx, enum esw_flower_action_type type,
           int control)
{
    struct esw_flower_rule *rule = ctx->rule;
    struct esw_flower_action *a;

    if (rule->n_actions >= ESW_FLOWER_MAX_ACTIONS) {
        fail(ctx, ESW_XLATE_TOO_MANY_ACTIONS, "the actions need more than "
             "%d flower actions", ESW_FLOWER_MAX_ACTIONS);
        return NULL;
    }
    a = &rule->actions[rule->n_actions++];
    a->type = type;
    a->control = control;
    return a;
}

/* Ends the current group of pedit actions with the csum action it needs. */
static enum esw_xlate_reason
close_pedits(struct xlate_ctx *ctx)
{
    uint32_t flags = ctx->csum_flags;
    bool open = ctx->pedit != NULL;

    ctx->pedit = NULL;
    ctx->csum_flags = 0;
    if (open && flags) {
        struct esw_flower_action *a;

        a = add_action(ctx, ESW_FLOWER_ACT_CSUM, TC_ACT_PIPE);
        if (!a) {
            return ESW_XLATE_TOO_MANY_ACTIONS;
        }
        a->csum.update_flags = flags;
    }
    return ESW_XLATE_OK;
}

/* Appends to the current pedit action a key that sets the bits of 'mask'
 * in the 32-bit word at byte 'offset' of header 'htype' to those of
 * 'value' (both in network byte order).  A word with no bit to set gets
 * no key. */
static enum esw_xlate_reason
put_pedit_word(struct xlate_ctx *ctx, uint8_t htype, uint32_t offset,
               ovs_be32 value, ovs_be32 mask)
{
    struct esw_flower_action *a = ctx->pedit;

    if (!mask) {
        return ESW_XLATE_OK;
    }
    if (!a || a->pedit.n_keys >= ESW_FLOWER_MAX_PEDIT_KEYS) {
        a = add_action(ctx, ESW_FLOWER_ACT_PEDIT, TC_ACT_PIPE);
        if (!a) {
            return ESW_XLATE_TOO_MANY_ACTIONS;
        }
        ctx->pedit = a;
    }

    struct esw_flower_pedit_key *k = &a->pedit.keys[a->pedit.n_keys++];
    k->htype = htype;
    k->cmd = TCA_PEDIT_KEY_EX_CMD_SET;
    k->offset = offset;
    k->mask = (OVS_FORCE uint32_t) ~mask;
    k->val = (OVS_FORCE uint32_t) (value & mask);
    return ESW_XLATE_OK;
}

/* Appends the pedit keys that set the 'size' bytes at byte 'offset' of
 * header 'htype' to 'value' where 'mask' has 1-bits, one key per 32-bit
 * word, as OVS's lib/tc.c does. */
static enum esw_xlate_reason
put_pedit_field(struct xlate_ctx *ctx, uint8_t htype, uint32_t offset,
                const void *value, const void *mask, size_t size)
{
    uint32_t start = offset & ~3u;
    size_t shift = offset - start;
    uint8_t v[24], m[24];

    ovs_assert(shift + size <= sizeof v);
    memset(v, 0, sizeof v);
    memset(m, 0, sizeof m);
    memcpy(v + shift, value, size);
    memcpy(m + shift, mask, size);
    for (size_t i = 0; i < shift + size; i += 4) {
        ovs_be32 vw, mw;
        enum esw_xlate_reason reason;

        memcpy(&vw, v + i, sizeof vw);
        memcpy(&mw, m + i, sizeof mw);
        reason = put_pedit_word(ctx, htype, start + i, vw, mw);
        if (reason) {
            return reason;
        }
    }
    return ESW_XLATE_OK;
}

#define PUT_PEDIT(CTX, HTYPE, OFFSET, KEY, MASK, MEMBER)                \
    put_pedit_field(CTX, HTYPE, OFFSET, &(KEY)->MEMBER, &(MASK)->MEMBER, \
                    sizeof (KEY)->MEMBER)

/* Returns the csum flag that a change of the IP addresses needs for
 * transport protocol 'proto'. */
static uint32_t
l4_csum_flag(uint8_t proto, bool ipv6)
{
    return (proto == IPPROTO_TCP ? TCA_CSUM_UPDATE_FLAG_TCP
            : proto == IPPROTO_UDP ? TCA_CSUM_UPDATE_FLAG_UDP
            : proto == IPPROTO_ICMPV6 && ipv6 ? TCA_CSUM_UPDATE_FLAG_ICMP
            : 0);
}

/* Adds the checksum flags 'flags' to the current pedit group.  A TCP or UDP
 * checksum is recomputed over the whole segment, which is wrong for a
 * first fragment: the rule then excludes first fragments. */
static enum esw_xlate_reason
add_csum(struct xlate_ctx *ctx, uint32_t flags, const char *set_name)
{
    ctx->csum_flags |= flags;
    if (flags & (TCA_CSUM_UPDATE_FLAG_TCP | TCA_CSUM_UPDATE_FLAG_UDP)) {
        ctx->frags &= ~FRAG_FIRST;
        if (!ctx->frags) {
            return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(%s) "
                        "on first fragments is not offloadable: their "
                        "transport checksum cannot be recomputed", set_name);
        }
    }
    return ESW_XLATE_OK;
}

/* Returns the transport protocol of the packets the rule matches, making
 * the rule match the megaflow key's nw_proto exactly if it matched any. */
static uint8_t
need_ip_proto(struct xlate_ctx *ctx)
{
    if (!ctx->rule->mask.ip_proto) {
        set_ip_proto(ctx, ctx->key->nw_proto);
    }
    return ctx->rule->key.ip_proto;
}

static enum esw_xlate_reason
set_eth(struct xlate_ctx *ctx, const struct ovs_key_ethernet *key,
        const struct ovs_key_ethernet *mask)
{
    enum esw_xlate_reason reason;
    uint8_t h = TCA_PEDIT_KEY_EX_HDR_TYPE_ETH;

    reason = PUT_PEDIT(ctx, h, 6, key, mask, eth_src);
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 0, key, mask, eth_dst);
    }
    return reason;
}

static enum esw_xlate_reason
set_ipv4(struct xlate_ctx *ctx, const struct ovs_key_ipv4 *key,
         const struct ovs_key_ipv4 *mask)
{
    enum esw_xlate_reason reason;
    uint8_t h = TCA_PEDIT_KEY_EX_HDR_TYPE_IP4;

    if (ctx->l3 != L3_IPV4) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(ipv4) "
                    "needs a megaflow that matches dl_type=0x0800");
    }
    if (mask->ipv4_proto || mask->ipv4_frag) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(ipv4) of "
                    "proto or frag is not offloadable");
    }

    uint32_t flags = 0;
    if (mask->ipv4_src || mask->ipv4_dst) {
        uint8_t proto = need_ip_proto(ctx);

        flags |= TCA_CSUM_UPDATE_FLAG_IPV4HDR | l4_csum_flag(proto, false);
    }
    if (mask->ipv4_tos || mask->ipv4_ttl) {
        flags |= TCA_CSUM_UPDATE_FLAG_IPV4HDR;
    }

    reason = PUT_PEDIT(ctx, h, 12, key, mask, ipv4_src);
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 16, key, mask, ipv4_dst);
    }
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 8, key, mask, ipv4_ttl);
    }
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 1, key, mask, ipv4_tos);
    }
    return reason ? reason : add_csum(ctx, flags, "ipv4");
}

static enum esw_xlate_reason
set_ipv6(struct xlate_ctx *ctx, const struct ovs_key_ipv6 *key,
         const struct ovs_key_ipv6 *mask)
{
    enum esw_xlate_reason reason;
    uint8_t h = TCA_PEDIT_KEY_EX_HDR_TYPE_IP6;

    if (ctx->l3 != L3_IPV6) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(ipv6) "
                    "needs a megaflow that matches dl_type=0x86dd");
    }
    if (mask->ipv6_proto || mask->ipv6_frag
        || mask->ipv6_label & ~htonl(IPV6_LABEL_MASK)) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(ipv6) of "
                    "proto, frag or bits outside the flow label is not "
                    "offloadable");
    }

    uint32_t flags = 0;
    if (!ipv6_mask_is_any(&mask->ipv6_src)
        || !ipv6_mask_is_any(&mask->ipv6_dst)) {
        uint8_t proto = need_ip_proto(ctx);

        if (is_ipv6_ext_hdr(proto)) {
            return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action "
                        "set(ipv6) of an address needs the transport "
                        "protocol, but nw_proto=%"PRIu8" is an extension "
                        "header", proto);
        }
        flags |= l4_csum_flag(proto, true);
    }

    /* The first word: version (4 bits), traffic class (8), label (20). */
    ovs_be32 tclass = htonl((uint32_t) key->ipv6_tclass << 20);
    ovs_be32 tclass_mask = htonl((uint32_t) mask->ipv6_tclass << 20);

    reason = PUT_PEDIT(ctx, h, 7, key, mask, ipv6_hlimit);
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 8, key, mask, ipv6_src);
    }
    if (!reason) {
        reason = PUT_PEDIT(ctx, h, 24, key, mask, ipv6_dst);
    }
    if (!reason) {
        reason = put_pedit_word(ctx, h, 0, tclass, tclass_mask);
    }
    if (!reason) {
        reason = put_pedit_word(ctx, h, 0, key->ipv6_label,
                                mask->ipv6_label);
    }
    return reason ? reason : add_csum(ctx, flags, "ipv6");
}

/* set(tcp) or set(udp), according to 'proto', of the source port to 'src'
 * under 'src_mask' and the destination port to 'dst' under 'dst_mask'. */
static enum esw_xlate_reason
set_ports(struct xlate_ctx *ctx, uint8_t proto, ovs_be16 src,
          ovs_be16 src_mask, ovs_be16 dst, ovs_be16 dst_mask)
{
    const char *name = proto == IPPROTO_TCP ? "tcp" : "udp";
    uint8_t h = (proto == IPPROTO_TCP ? TCA_PEDIT_KEY_EX_HDR_TYPE_TCP
                 : TCA_PEDIT_KEY_EX_HDR_TYPE_UDP);
    enum esw_xlate_reason reason;

    if (!src_mask && !dst_mask) {
        return ESW_XLATE_OK;
    }
    if (ctx->l3 != L3_IPV4 && ctx->l3 != L3_IPV6) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(%s) needs "
                    "a megaflow that matches IPv4 or IPv6", name);
    }
    if (ctx->rule->mask.ip_proto && ctx->rule->key.ip_proto != proto) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(%s) on a "
                    "megaflow that matches nw_proto=%"PRIu8" is not "
                    "offloadable", name, ctx->rule->key.ip_proto);
    }
    set_ip_proto(ctx, proto);

    /* Only a packet that is not a fragment has its ports where pedit
     * writes them. */
    ctx->frags &= FRAG_NONE;
    if (!ctx->frags) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action set(%s) on "
                    "fragments is not offloadable", name);
    }

    reason = put_pedit_field(ctx, h, 0, &src, &src_mask, sizeof src);
    if (!reason) {
        reason = put_pedit_field(ctx, h, 2, &dst, &dst_mask, sizeof dst);
    }
    return reason ? reason : add_csum(ctx, (proto == IPPROTO_TCP
                                            ? TCA_CSUM_UPDATE_FLAG_TCP
                                            : TCA_CSUM_UPDATE_FLAG_UDP),
                                      name);
}

/* Translates set or set_masked 'attr' (checked by check_set()). */
static enum esw_xlate_reason
xlate_set(struct xlate_ctx *ctx, const struct xlate_attr *attr)
{
    bool masked = attr->type == OVS_ACTION_ATTR_SET_MASKED;
    struct xlate_attr key;
    size_t ofs = 0;
    bool ok = next_attr(attr->data, attr->len, &ofs, &key);

    ovs_assert(ok);             /* check_set() checked it. */

    /* A plain set writes what the datapath writes for it: every field but
     * the ones that cannot change (proto, frag). */
    union {
        struct ovs_key_ethernet eth;
        struct ovs_key_ipv4 ipv4;
        struct ovs_key_ipv6 ipv6;
        struct ovs_key_tcp tcp;
        struct ovs_key_udp udp;
    } k, m;
    size_t size = set_types[key.type].size;

    memcpy(&k, key.data, size);
    if (masked) {
        memcpy(&m, (const uint8_t *) key.data + size, size);
    } else {
        memset(&m, 0xff, size);
        if (key.type == OVS_KEY_ATTR_IPV4) {
            m.ipv4.ipv4_proto = m.ipv4.ipv4_frag = 0;
        } else if (key.type == OVS_KEY_ATTR_IPV6) {
            m.ipv6.ipv6_proto = m.ipv6.ipv6_frag = 0;
            m.ipv6.ipv6_label = htonl(IPV6_LABEL_MASK);
        }
    }

    switch (key.type) {
    case OVS_KEY_ATTR_ETHERNET:
        return set_eth(ctx, &k.eth, &m.eth);
    case OVS_KEY_ATTR_IPV4:
        return set_ipv4(ctx, &k.ipv4, &m.ipv4);
    case OVS_KEY_ATTR_IPV6:
        return set_ipv6(ctx, &k.ipv6, &m.ipv6);
    case OVS_KEY_ATTR_TCP:
        return set_ports(ctx, IPPROTO_TCP, k.tcp.tcp_src, m.tcp.tcp_src,
                         k.tcp.tcp_dst, m.tcp.tcp_dst);
    case OVS_KEY_ATTR_UDP:
        return set_ports(ctx, IPPROTO_UDP, k.udp.udp_src, m.udp.udp_src,
                         k.udp.udp_dst, m.udp.udp_dst);
    default:
        OVS_NOT_REACHED();
    }
}

static enum esw_xlate_reason
xlate_output(struct xlate_ctx *ctx, odp_port_t port_no)
{
    const struct esw_xlate_port *in = ctx->in_port;
    const struct esw_xlate_port *port;
    struct esw_flower_action *a;
    enum esw_xlate_reason reason;

    /* Room first, so that the port map is asked about at most
     * ESW_FLOWER_MAX_ACTIONS output ports. */
    reason = close_pedits(ctx);
    if (reason) {
        return reason;
    }
    a = add_action(ctx, ESW_FLOWER_ACT_MIRRED, TC_ACT_PIPE);
    if (!a) {
        return ESW_XLATE_TOO_MANY_ACTIONS;
    }

    port = ctx->ports->lookup(ctx->ports->aux, port_no);
    if (!port) {
        return fail(ctx, ESW_XLATE_PORT_UNKNOWN, "output to port %"PRIu32
                    ": no such port", odp_to_u32(port_no));
    }

    const char *name = port->name ? port->name : "?";
    if (!port->eswitch || port->ifindex <= 0) {
        return fail(ctx, ESW_XLATE_PORT_NOT_ON_ESWITCH, "output to port "
                    "%"PRIu32" (%s): not on eswitch %s", odp_to_u32(port_no),
                    name, in->eswitch);
    }
    if (strcmp(port->eswitch, in->eswitch)) {
        return fail(ctx, ESW_XLATE_PORT_OTHER_ESWITCH, "output to port "
                    "%"PRIu32" (%s): on eswitch %s, not on %s",
                    odp_to_u32(port_no), name, port->eswitch, in->eswitch);
    }
    a->mirred.eaction = TCA_EGRESS_MIRROR;
    a->mirred.ifindex = port->ifindex;
    return ESW_XLATE_OK;
}

static enum esw_xlate_reason
xlate_push_vlan(struct xlate_ctx *ctx, const struct ovs_action_push_vlan *v)
{
    struct esw_flower_action *a;
    enum esw_xlate_reason reason;

    if (!eth_type_vlan(v->vlan_tpid)) {
        return fail(ctx, ESW_XLATE_UNSUPPORTED_ACTION, "action "
                    "push_vlan(tpid=0x%04"PRIx16") is not offloadable",
                    ntohs(v->vlan_tpid));
    }
    reason = close_pedits(ctx);
    if (reason) {
        return reason;
    }
    a = add_action(ctx, ESW_FLOWER_ACT_VLAN, TC_ACT_PIPE);
    if (!a) {
        return ESW_XLATE_TOO_MANY_ACTIONS;
    }
    a->vlan.action = TCA_VLAN_ACT_PUSH;
    a->vlan.id = vlan_tci_to_vid(v->vlan_tci);
    a->vlan.prio = vlan_tci_to_pcp(v->vlan_tci);
    a->vlan.proto = v->vlan_tpid;
    return ESW_XLATE_OK;
}

static enum esw_xlate_reason
xlate_pop_vlan(struct xlate_ctx *ctx)
{
    struct esw_flower_action *a;
    enum esw_xlate_reason reason;

    reason = close_pedits(ctx);
    if (reason) {
        return reason;
    }
    a = add_action(ctx, ESW_FLOWER_ACT_VLAN, TC_ACT_PIPE);
    if (!a) {
        return ESW_XLATE_TOO_MANY_ACTIONS;
    }
    a->vlan.action = TCA_VLAN_ACT_POP;
    return ESW_XLATE_OK;
}

static enum esw_xlate_reason
xlate_actions(struct xlate_ctx *ctx, const struct nlattr *actions,
              size_t actions_len)
{
    struct esw_flower_rule *rule = ctx->rule;
    enum esw_xlate_reason reason;
    size_t n_used;

    reason = check_actions(ctx, actions, actions_len, &n_used);
    if (reason) {
        return reason;
    }

    size_t ofs = 0;
    for (size_t i = 0; i < n_used && !reason; i++) {
        struct xlate_attr attr;
        bool ok = next_attr(actions, actions_len, &ofs, &attr);

        ovs_assert(ok);         /* check_actions() checked it. */
        switch (attr.type) {
        case OVS_ACTION_ATTR_OUTPUT: {
            uint32_t port;

            memcpy(&port, attr.data, sizeof port);
            reason = xlate_output(ctx, u32_to_odp(port));
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            struct ovs_action_push_vlan v;

            memcpy(&v, attr.data, sizeof v);
            reason = xlate_push_vlan(ctx, &v);
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN:
            reason = xlate_pop_vlan(ctx);
            break;
        case OVS_ACTION_ATTR_SET:
        case OVS_ACTION_ATTR_SET_MASKED:
            reason = xlate_set(ctx, &attr);
            break;
        default:
            OVS_NOT_REACHED();
        }
    }
    if (reason) {
        return reason;
    }

    if (!rule->n_actions) {
        /* Nothing leaves: drop. */
        add_action(ctx, ESW_FLOWER_ACT_GACT, TC_ACT_SHOT);
    } else {
        /* The last action is the last output's mirred. */
        struct esw_flower_action *last = &rule->actions[rule->n_actions - 1];

        last->mirred.eaction = TCA_EGRESS_REDIR;
        last->control = TC_ACT_STOLEN;
    }
    return ESW_XLATE_OK;
}

/* Sets the rule's ip_flags from the fragment states it admits. */
static enum esw_xlate_reason
finish_frags(struct xlate_ctx *ctx)
{
    uint32_t flags, flags_mask;

    if (ctx->l3 != L3_IPV4 && ctx->l3 != L3_IPV6) {
        return ESW_XLATE_OK;
    }
    if (!encode_frags(ctx->frags, &flags, &flags_mask)) {
        /* The sets that xlate_ip() accepts stay expressible when actions
         * narrow them. */
        return FAIL_FIELD(ctx, ESW_XLATE_UNSUPPORTED_MASK, nw_frag,
                          "flower's ip_flags cannot express it");
    }
    ctx->rule->key.ip_flags = flags;
    ctx->rule->mask.ip_flags = flags_mask;
    return ESW_XLATE_OK;
}

enum esw_xlate_reason
esw_offload_xlate(const struct match *megaflow, const struct nlattr *actions,
                  size_t actions_len, const struct esw_xlate_port_map *ports,
                  struct esw_flower_rule *rule, char **reason_text)
{
    struct xlate_ctx ctx = {
        .key = &megaflow->flow,
        .mask = &megaflow->wc.masks,
        .left = megaflow->wc,
        .ports = ports,
        .rule = rule,
    };
    enum esw_xlate_reason reason;

    esw_flower_rule_init(rule);
    rule->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;

    reason = xlate_match(&ctx);
    if (!reason) {
        reason = xlate_actions(&ctx, actions, actions_len);
    }
    if (!reason) {
        reason = finish_frags(&ctx);
    }

    if (reason) {
        esw_flower_rule_init(rule);
    }
    if (reason_text) {
        *reason_text = ctx.text;
    } else {
        free(ctx.text);
    }
    return reason;
}

/* TC priorities. */

/* The fields of struct esw_flower_key whose masks select a priority
 * (every field but 'indev', which is compared on its own). */
static const struct {
    size_t offset;
    size_t size;
} prio_fields[] = {
#define FIELD(MEMBER)                                           \
    { offsetof(struct esw_flower_key, MEMBER),                  \
      sizeof ((struct esw_flower_key *) NULL)->MEMBER }
    FIELD(eth_dst), FIELD(eth_src), FIELD(eth_type), FIELD(vlan_id),
    FIELD(vlan_prio), FIELD(vlan_eth_type), FIELD(ip_proto), FIELD(ip_tos),
    FIELD(ip_ttl), FIELD(ip_flags), FIELD(ipv4_src), FIELD(ipv4_dst),
    FIELD(ipv6_src), FIELD(ipv6_dst), FIELD(tp_src), FIELD(tp_dst),
    FIELD(tcp_flags), FIELD(icmp_type), FIELD(icmp_code), FIELD(arp_sip),
    FIELD(arp_tip), FIELD(arp_op), FIELD(arp_sha), FIELD(arp_tha),
#undef FIELD
};

/* A (mask, protocol) as bytes without padding. */
struct prio_key {
    size_t len;
    uint8_t bytes[sizeof(struct esw_flower_key) + sizeof(ovs_be16) + 1];
};

struct esw_prio_entry {
    struct hmap_node node;      /* In esw_prio_map's 'entries'. */
    uint16_t prio;
    struct prio_key key;
};

static void
prio_key_init(struct prio_key *key, const struct esw_flower_rule *rule)
{
    uint8_t *p = key->bytes;

    memcpy(p, &rule->protocol, sizeof rule->protocol);
    p += sizeof rule->protocol;
    *p++ = rule->mask.indev[0] != 0;
    for (size_t i = 0; i < ARRAY_SIZE(prio_fields); i++) {
        memcpy(p, (const uint8_t *) &rule->mask + prio_fields[i].offset,
               prio_fields[i].size);
        p += prio_fields[i].size;
    }
    key->len = p - key->bytes;
}

void
esw_prio_map_init(struct esw_prio_map *map, uint16_t min_prio,
                  uint16_t max_prio)
{
    ovs_assert(min_prio >= 1 && min_prio <= max_prio);
    hmap_init(&map->entries);
    map->next_prio = min_prio;
    map->max_prio = max_prio;
    map->exhausted = false;
}

void
esw_prio_map_destroy(struct esw_prio_map *map)
{
    struct esw_prio_entry *e;

    HMAP_FOR_EACH_POP (e, node, &map->entries) {
        free(e);
    }
    hmap_destroy(&map->entries);
}

int
esw_prio_map_get(struct esw_prio_map *map,
                 const struct esw_flower_rule *rule, uint16_t *prio)
{
    struct esw_prio_entry *e;
    struct prio_key key;

    prio_key_init(&key, rule);
    uint32_t hash = hash_bytes(key.bytes, key.len, 0);
    HMAP_FOR_EACH_WITH_HASH (e, node, hash, &map->entries) {
        if (e->key.len == key.len && !memcmp(e->key.bytes, key.bytes,
                                             key.len)) {
            *prio = e->prio;
            return 0;
        }
    }

    if (map->exhausted) {
        *prio = 0;
        return ENOSPC;
    }
    e = xmalloc(sizeof *e);
    e->prio = map->next_prio;
    e->key = key;
    hmap_insert(&map->entries, &e->node, hash);
    if (map->next_prio == map->max_prio) {
        map->exhausted = true;
    } else {
        map->next_prio++;
    }
    *prio = e->prio;
    return 0;
}

size_t
esw_prio_map_count(const struct esw_prio_map *map)
{
    return hmap_count(&map->entries);
}
