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

#include "esw-flower.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* The fields of struct esw_flower_key that are plain bytes (every field but
 * 'indev'), with the name "tc filter show" gives them. */
struct key_field {
    const char *name;
    size_t ofs;
    size_t size;
};

#define KEY_FIELD(NAME, MEMBER)                                     \
    { NAME, offsetof(struct esw_flower_key, MEMBER),                \
      sizeof ((struct esw_flower_key *) NULL)->MEMBER }

static const struct key_field key_fields[] = {
    KEY_FIELD("dst_mac", eth_dst),
    KEY_FIELD("src_mac", eth_src),
    KEY_FIELD("eth_type", eth_type),
    KEY_FIELD("vlan_id", vlan_id),
    KEY_FIELD("vlan_prio", vlan_prio),
    KEY_FIELD("vlan_ethtype", vlan_eth_type),
    KEY_FIELD("ip_proto", ip_proto),
    KEY_FIELD("ip_tos", ip_tos),
    KEY_FIELD("ip_ttl", ip_ttl),
    KEY_FIELD("ip_flags", ip_flags),
    KEY_FIELD("src_ip", ipv4_src),
    KEY_FIELD("dst_ip", ipv4_dst),
    KEY_FIELD("src_ip", ipv6_src),
    KEY_FIELD("dst_ip", ipv6_dst),
    KEY_FIELD("src_port", tp_src),
    KEY_FIELD("dst_port", tp_dst),
    KEY_FIELD("tcp_flags", tcp_flags),
    KEY_FIELD("type", icmp_type),
    KEY_FIELD("code", icmp_code),
    KEY_FIELD("arp_sip", arp_sip),
    KEY_FIELD("arp_tip", arp_tip),
    KEY_FIELD("arp_op", arp_op),
    KEY_FIELD("arp_sha", arp_sha),
    KEY_FIELD("arp_tha", arp_tha),
};

static const uint8_t *
field_bytes(const struct esw_flower_key *key, const struct key_field *f)
{
    return (const uint8_t *) key + f->ofs;
}

static bool
bytes_are(const void *p_, size_t n, uint8_t value)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i] != value) {
            return false;
        }
    }
    return true;
}

void
esw_flower_rule_init(struct esw_flower_rule *rule)
{
    memset(rule, 0, sizeof *rule);
}

/* Sets '*errp', if nonnull, to a message in 'format' and returns EINVAL. */
static int OVS_PRINTF_FORMAT(2, 3)
invalid(char **errp, const char *format, ...)
{
    if (errp) {
        va_list args;

        va_start(args, format);
        *errp = xvasprintf(format, args);
        va_end(args);
    }
    return EINVAL;
}

static bool
is_vlan_type(ovs_be16 type)
{
    return type == htons(ETH_P_8021Q) || type == htons(ETH_P_8021AD);
}

/* Returns the ethertype of the L3 header that 'rule' matches: the type
 * inside the VLAN tag for a VLAN rule, otherwise eth_type; 0 if none. */
static ovs_be16
l3_type(const struct esw_flower_rule *rule)
{
    if (!rule->mask.eth_type) {
        return 0;
    }
    if (is_vlan_type(rule->key.eth_type)) {
        return rule->mask.vlan_eth_type ? rule->key.vlan_eth_type : 0;
    }
    return rule->key.eth_type;
}

static int
check_exact(const struct esw_flower_key *mask, const char **namep)
{
    static const struct {
        const char *name;
        size_t ofs;
        size_t size;
    } exact[] = {
        { "eth_type", offsetof(struct esw_flower_key, eth_type), 2 },
        { "vlan_id", offsetof(struct esw_flower_key, vlan_id), 2 },
        { "vlan_prio", offsetof(struct esw_flower_key, vlan_prio), 1 },
        { "vlan_ethtype", offsetof(struct esw_flower_key, vlan_eth_type), 2 },
        { "ip_proto", offsetof(struct esw_flower_key, ip_proto), 1 },
    };

    for (size_t i = 0; i < ARRAY_SIZE(exact); i++) {
        const uint8_t *p = (const uint8_t *) mask + exact[i].ofs;

        if (!bytes_are(p, exact[i].size, 0)
            && !bytes_are(p, exact[i].size, 0xff)) {
            *namep = exact[i].name;
            return EINVAL;
        }
    }
    return 0;
}

static int
check_key(const struct esw_flower_rule *rule, char **errp)
{
    const struct esw_flower_key *key = &rule->key;
    const struct esw_flower_key *mask = &rule->mask;
    const char *name;

    for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++) {
        const struct key_field *f = &key_fields[i];
        const uint8_t *k = field_bytes(key, f);
        const uint8_t *m = field_bytes(mask, f);

        for (size_t j = 0; j < f->size; j++) {
            if (k[j] & ~m[j]) {
                return invalid(errp, "%s has bits outside its mask", f->name);
            }
        }
    }
    if (check_exact(mask, &name)) {
        return invalid(errp, "%s can only be matched exactly", name);
    }
    if (mask->indev[0]
        && (!key->indev[0] || !memchr(key->indev, '\0', IFNAMSIZ))) {
        return invalid(errp, "indev is not a device name");
    }

    bool vlan = mask->eth_type && is_vlan_type(key->eth_type);
    if ((mask->vlan_id || mask->vlan_prio || mask->vlan_eth_type) && !vlan) {
        return invalid(errp, "vlan_id, vlan_prio and vlan_ethtype need "
                       "eth_type 802.1Q or 802.1ad");
    }
    if (key->vlan_id > 0xfff || key->vlan_prio > 7) {
        return invalid(errp, "vlan_id or vlan_prio out of range");
    }
    if (mask->vlan_eth_type && is_vlan_type(key->vlan_eth_type)) {
        return invalid(errp, "vlan_ethtype cannot be a second VLAN tag");
    }

    ovs_be16 l3 = l3_type(rule);
    bool ip = l3 == htons(ETH_P_IP) || l3 == htons(ETH_P_IPV6);
    if ((mask->ip_proto || mask->ip_tos || mask->ip_ttl || mask->ip_flags)
        && !ip) {
        return invalid(errp, "ip_proto, ip_tos, ip_ttl and ip_flags need "
                       "eth_type ipv4 or ipv6");
    }
    if ((key->ip_flags | mask->ip_flags)
        & ~(ESW_FLOWER_IP_FLAG_FRAG | ESW_FLOWER_IP_FLAG_FIRSTFRAG)) {
        return invalid(errp, "ip_flags has unknown bits");
    }
    if ((mask->ipv4_src || mask->ipv4_dst) && l3 != htons(ETH_P_IP)) {
        return invalid(errp, "IPv4 addresses need eth_type ipv4");
    }
    if ((!ipv6_mask_is_any(&mask->ipv6_src)
         || !ipv6_mask_is_any(&mask->ipv6_dst))
        && l3 != htons(ETH_P_IPV6)) {
        return invalid(errp, "IPv6 addresses need eth_type ipv6");
    }

    uint8_t proto = mask->ip_proto ? key->ip_proto : 0;
    if ((mask->tp_src || mask->tp_dst)
        && proto != IPPROTO_TCP && proto != IPPROTO_UDP
        && proto != IPPROTO_SCTP) {
        return invalid(errp, "src_port and dst_port need ip_proto tcp, udp "
                       "or sctp");
    }
    if (mask->tcp_flags && proto != IPPROTO_TCP) {
        return invalid(errp, "tcp_flags needs ip_proto tcp");
    }
    if ((key->tcp_flags | mask->tcp_flags) & ~htons(0xfff)) {
        return invalid(errp, "tcp_flags has bits outside 0xfff");
    }
    if ((mask->icmp_type || mask->icmp_code)
        && !(l3 == htons(ETH_P_IP) && proto == IPPROTO_ICMP)
        && !(l3 == htons(ETH_P_IPV6) && proto == IPPROTO_ICMPV6)) {
        return invalid(errp, "ICMP type and code need ip_proto icmp with "
                       "ipv4 or icmpv6 with ipv6");
    }
    if ((mask->arp_sip || mask->arp_tip || mask->arp_op
         || !eth_addr_is_zero(mask->arp_sha)
         || !eth_addr_is_zero(mask->arp_tha))
        && l3 != htons(ETH_P_ARP) && l3 != htons(ETH_P_RARP)) {
        return invalid(errp, "arp keys need eth_type arp or rarp");
    }
    return 0;
}

static bool
control_is_valid(int control)
{
    if (TC_ACT_EXT_CMP(control, TC_ACT_JUMP)) {
        return (control & TC_ACT_EXT_VAL_MASK) != 0;
    } else if (TC_ACT_EXT_CMP(control, TC_ACT_GOTO_CHAIN)) {
        return true;
    }
    return control >= TC_ACT_UNSPEC && control <= TC_ACT_TRAP;
}

static int
check_action(const struct esw_flower_action *a, size_t i, char **errp)
{
    if (!control_is_valid(a->control)) {
        return invalid(errp, "action %zu: control %d is not valid", i + 1,
                       a->control);
    }
    if (a->cookie_len > ESW_FLOWER_MAX_COOKIE) {
        return invalid(errp, "action %zu: cookie longer than %d bytes",
                       i + 1, ESW_FLOWER_MAX_COOKIE);
    }

    switch (a->type) {
    case ESW_FLOWER_ACT_MIRRED:
        if (a->mirred.eaction != TCA_EGRESS_REDIR
            && a->mirred.eaction != TCA_EGRESS_MIRROR) {
            return invalid(errp, "action %zu: mirred must be egress "
                           "redirect or mirror", i + 1);
        }
        if (a->mirred.ifindex <= 0) {
            return invalid(errp, "action %zu: mirred to no device", i + 1);
        }
        return 0;

    case ESW_FLOWER_ACT_GACT:
        return 0;

    case ESW_FLOWER_ACT_VLAN:
        if (a->vlan.action == TCA_VLAN_ACT_POP) {
            if (a->vlan.id || a->vlan.prio || a->vlan.proto
                || a->vlan.keep_prio) {
                return invalid(errp, "action %zu: vlan pop takes no "
                               "argument", i + 1);
            }
            return 0;
        }
        if (a->vlan.action != TCA_VLAN_ACT_PUSH
            && a->vlan.action != TCA_VLAN_ACT_MODIFY) {
            return invalid(errp, "action %zu: vlan action %d not "
                           "supported", i + 1, a->vlan.action);
        }
        if (a->vlan.id > 0xfff || a->vlan.prio > 7
            || !is_vlan_type(a->vlan.proto)) {
            return invalid(errp, "action %zu: vlan id, priority or "
                           "protocol out of range", i + 1);
        }
        if (a->vlan.keep_prio
            && (a->vlan.action != TCA_VLAN_ACT_MODIFY || a->vlan.prio)) {
            return invalid(errp, "action %zu: keep_prio is only for vlan "
                           "modify without a priority", i + 1);
        }
        return 0;

    case ESW_FLOWER_ACT_PEDIT:
        if (!a->pedit.n_keys || a->pedit.n_keys > ESW_FLOWER_MAX_PEDIT_KEYS) {
            return invalid(errp, "action %zu: pedit needs 1 to %d keys",
                           i + 1, ESW_FLOWER_MAX_PEDIT_KEYS);
        }
        for (size_t k = 0; k < a->pedit.n_keys; k++) {
            const struct esw_flower_pedit_key *key = &a->pedit.keys[k];

            if (key->htype > TCA_PEDIT_KEY_EX_HDR_TYPE_UDP
                || (key->cmd != TCA_PEDIT_KEY_EX_CMD_SET
                    && key->cmd != TCA_PEDIT_KEY_EX_CMD_ADD)
                || key->offset % 4) {
                return invalid(errp, "action %zu: pedit key %zu is not "
                               "valid", i + 1, k + 1);
            }
        }
        return 0;

    case ESW_FLOWER_ACT_CSUM:
        if (!a->csum.update_flags
            || a->csum.update_flags & ~(uint32_t) 0x7f) {
            return invalid(errp, "action %zu: csum flags 0x%"PRIx32" not "
                           "valid", i + 1, a->csum.update_flags);
        }
        return 0;
    }
    return invalid(errp, "action %zu: unknown type %d", i + 1, a->type);
}

int
esw_flower_rule_check(const struct esw_flower_rule *rule, char **errp)
{
    uint32_t known_flags = (TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_SKIP_SW
                            | TCA_CLS_FLAGS_IN_HW | TCA_CLS_FLAGS_NOT_IN_HW
                            | TCA_CLS_FLAGS_VERBOSE);
    int error;

    if (errp) {
        *errp = NULL;
    }
    if (rule->flags & ~known_flags) {
        return invalid(errp, "flags 0x%"PRIx32" not valid", rule->flags);
    }
    if ((rule->flags & TCA_CLS_FLAGS_SKIP_HW)
        && (rule->flags & TCA_CLS_FLAGS_SKIP_SW)) {
        return invalid(errp, "skip_hw and skip_sw together");
    }
    if (rule->chain > TC_ACT_EXT_VAL_MASK) {
        return invalid(errp, "chain %"PRIu32" exceeds %d", rule->chain,
                       TC_ACT_EXT_VAL_MASK);
    }
    error = check_key(rule, errp);
    if (error) {
        return error;
    }
    if (!rule->n_actions || rule->n_actions > ESW_FLOWER_MAX_ACTIONS) {
        return invalid(errp, "a filter needs 1 to %d actions",
                       ESW_FLOWER_MAX_ACTIONS);
    }
    for (size_t i = 0; i < rule->n_actions; i++) {
        error = check_action(&rule->actions[i], i, errp);
        if (error) {
            return error;
        }
    }
    return 0;
}

bool
esw_flower_rule_same_match(const struct esw_flower_rule *a,
                           const struct esw_flower_rule *b)
{
    if (a->ifindex != b->ifindex || a->chain != b->chain
        || a->prio != b->prio || a->protocol != b->protocol) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(key_fields); i++) {
        const struct key_field *f = &key_fields[i];
        const uint8_t *ak = field_bytes(&a->key, f);
        const uint8_t *am = field_bytes(&a->mask, f);
        const uint8_t *bk = field_bytes(&b->key, f);
        const uint8_t *bm = field_bytes(&b->mask, f);

        for (size_t j = 0; j < f->size; j++) {
            if (am[j] != bm[j] || (ak[j] & am[j]) != (bk[j] & bm[j])) {
                return false;
            }
        }
    }
    if (!a->mask.indev[0] != !b->mask.indev[0]) {
        return false;
    }
    return (!a->mask.indev[0]
            || !strncmp(a->key.indev, b->key.indev, IFNAMSIZ));
}

/* Formatting. */

static void
format_handle(struct ds *ds, uint32_t handle)
{
    if (TC_H_MIN(handle)) {
        ds_put_format(ds, "%x:%x", TC_H_MAJ(handle) >> 16, TC_H_MIN(handle));
    } else {
        ds_put_format(ds, "%x:", TC_H_MAJ(handle) >> 16);
    }
}

static void
format_parent(struct ds *ds, uint32_t parent)
{
    if (parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)) {
        ds_put_cstr(ds, " ingress");
    } else if (parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)) {
        ds_put_cstr(ds, " egress");
    } else if (parent == TC_H_ROOT) {
        ds_put_cstr(ds, " root");
    } else {
        ds_put_cstr(ds, " parent ");
        format_handle(ds, parent);
    }
}

static void
format_ethertype__(struct ds *ds, ovs_be16 type, bool command)
{
    switch (ntohs(type)) {
    case ETH_P_IP: ds_put_cstr(ds, command ? "ip" : "ipv4"); break;
    case ETH_P_IPV6: ds_put_cstr(ds, "ipv6"); break;
    case ETH_P_ARP: ds_put_cstr(ds, "arp"); break;
    case ETH_P_ALL: ds_put_cstr(ds, "all"); break;
    case ETH_P_8021Q: ds_put_cstr(ds, "802.1Q"); break;
    case ETH_P_8021AD: ds_put_cstr(ds, "802.1ad"); break;
    default: ds_put_format(ds, "0x%04"PRIx16, ntohs(type)); break;
    }
}

static void
format_ethertype(struct ds *ds, ovs_be16 type)
{
    format_ethertype__(ds, type, false);
}

static void
format_mac(struct ds *ds, const char *name, struct eth_addr key,
           struct eth_addr mask)
{
    if (!eth_addr_is_zero(mask)) {
        ds_put_format(ds, " %s "ETH_ADDR_FMT, name, ETH_ADDR_ARGS(key));
        if (!eth_mask_is_exact(mask)) {
            ds_put_format(ds, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(mask));
        }
    }
}

static void
format_ip4(struct ds *ds, const char *name, ovs_be32 key, ovs_be32 mask)
{
    if (mask) {
        ds_put_format(ds, " %s ", name);
        ip_format_masked(key, mask, ds);
    }
}

static void
format_ip6(struct ds *ds, const char *name, const struct in6_addr *key,
           const struct in6_addr *mask)
{
    if (!ipv6_mask_is_any(mask)) {
        ds_put_format(ds, " %s ", name);
        ipv6_format_masked(key, mask, ds);
    }
}

static void
format_u8(struct ds *ds, const char *name, unsigned int key,
          unsigned int mask, unsigned int exact)
{
    if (mask) {
        ds_put_format(ds, " %s %u", name, key);
        if (mask != exact) {
            ds_put_format(ds, "/0x%x", mask);
        }
    }
}

/* Appends the keys of 'rule' as "tc filter show" prints them or, with
 * 'command', as "tc filter add" takes them (protocol names as tc spells
 * them, no eth_type: tc derives it from the filter's protocol). */
static void
format_key(struct ds *ds, const struct esw_flower_rule *rule, bool command)
{
    const struct esw_flower_key *k = &rule->key;
    const struct esw_flower_key *m = &rule->mask;

    if (m->indev[0]) {
        ds_put_format(ds, " indev %.*s", IFNAMSIZ, k->indev);
    }
    format_u8(ds, "vlan_id", k->vlan_id, m->vlan_id, UINT16_MAX);
    format_u8(ds, "vlan_prio", k->vlan_prio, m->vlan_prio, UINT8_MAX);
    if (m->vlan_eth_type) {
        ds_put_cstr(ds, " vlan_ethtype ");
        format_ethertype__(ds, k->vlan_eth_type, command);
    }
    format_mac(ds, "dst_mac", k->eth_dst, m->eth_dst);
    format_mac(ds, "src_mac", k->eth_src, m->eth_src);
    if (m->eth_type && !command) {
        ds_put_cstr(ds, " eth_type ");
        format_ethertype(ds, k->eth_type);
    }
    format_u8(ds, "ip_proto", k->ip_proto, m->ip_proto, UINT8_MAX);
    format_u8(ds, "ip_tos", k->ip_tos, m->ip_tos, UINT8_MAX);
    format_u8(ds, "ip_ttl", k->ip_ttl, m->ip_ttl, UINT8_MAX);
    format_ip4(ds, "dst_ip", k->ipv4_dst, m->ipv4_dst);
    format_ip4(ds, "src_ip", k->ipv4_src, m->ipv4_src);
    format_ip6(ds, "dst_ip", &k->ipv6_dst, &m->ipv6_dst);
    format_ip6(ds, "src_ip", &k->ipv6_src, &m->ipv6_src);
    format_u8(ds, "dst_port", ntohs(k->tp_dst), ntohs(m->tp_dst), UINT16_MAX);
    format_u8(ds, "src_port", ntohs(k->tp_src), ntohs(m->tp_src), UINT16_MAX);
    if (m->tcp_flags) {
        ds_put_format(ds, " tcp_flags 0x%"PRIx16"/0x%"PRIx16,
                      ntohs(k->tcp_flags), ntohs(m->tcp_flags));
    }
    format_u8(ds, "type", k->icmp_type, m->icmp_type, UINT8_MAX);
    format_u8(ds, "code", k->icmp_code, m->icmp_code, UINT8_MAX);
    format_ip4(ds, "arp_tip", k->arp_tip, m->arp_tip);
    format_ip4(ds, "arp_sip", k->arp_sip, m->arp_sip);
    format_u8(ds, "arp_op", k->arp_op, m->arp_op, UINT8_MAX);
    format_mac(ds, "arp_tha", k->arp_tha, m->arp_tha);
    format_mac(ds, "arp_sha", k->arp_sha, m->arp_sha);
    if (m->ip_flags) {
        static const char *const names[] = { "frag", "firstfrag" };
        const char *sep = " ip_flags ";

        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
            if (m->ip_flags & (1u << i)) {
                ds_put_format(ds, "%s%s%s", sep,
                              k->ip_flags & (1u << i) ? "" : "no", names[i]);
                sep = "/";
            }
        }
    }
}

static void
format_control(struct ds *ds, int control)
{
    static const char *const names[] = {
        [TC_ACT_OK] = "pass", [TC_ACT_RECLASSIFY] = "reclassify",
        [TC_ACT_SHOT] = "drop", [TC_ACT_PIPE] = "pipe",
        [TC_ACT_STOLEN] = "stolen", [TC_ACT_QUEUED] = "queued",
        [TC_ACT_REPEAT] = "repeat", [TC_ACT_REDIRECT] = "redirect",
        [TC_ACT_TRAP] = "trap",
    };

    if (control >= 0 && control < (int) ARRAY_SIZE(names) && names[control]) {
        ds_put_format(ds, " %s", names[control]);
    } else if (TC_ACT_EXT_CMP(control, TC_ACT_GOTO_CHAIN)) {
        ds_put_format(ds, " goto chain %d", control & TC_ACT_EXT_VAL_MASK);
    } else if (TC_ACT_EXT_CMP(control, TC_ACT_JUMP)) {
        ds_put_format(ds, " jump %d", control & TC_ACT_EXT_VAL_MASK);
    } else if (control == TC_ACT_UNSPEC) {
        ds_put_cstr(ds, " continue");
    } else {
        ds_put_format(ds, " control %d", control);
    }
}

static void
format_action(struct ds *ds, const struct esw_flower_action *a)
{
    switch (a->type) {
    case ESW_FLOWER_ACT_MIRRED:
        ds_put_format(ds, "mirred (%s %s to ifindex %d)",
                      (a->mirred.eaction == TCA_EGRESS_REDIR
                       || a->mirred.eaction == TCA_EGRESS_MIRROR
                       ? "Egress" : "Ingress"),
                      (a->mirred.eaction == TCA_EGRESS_REDIR
                       || a->mirred.eaction == TCA_INGRESS_REDIR
                       ? "Redirect" : "Mirror"),
                      a->mirred.ifindex);
        break;

    case ESW_FLOWER_ACT_GACT:
        ds_put_cstr(ds, "gact");
        break;

    case ESW_FLOWER_ACT_VLAN:
        ds_put_format(ds, "vlan %s",
                      (a->vlan.action == TCA_VLAN_ACT_POP ? "pop"
                       : a->vlan.action == TCA_VLAN_ACT_PUSH ? "push"
                       : "modify"));
        if (a->vlan.action != TCA_VLAN_ACT_POP) {
            ds_put_format(ds, " id %"PRIu16" protocol ", a->vlan.id);
            format_ethertype(ds, a->vlan.proto);
            if (!a->vlan.keep_prio) {
                ds_put_format(ds, " priority %"PRIu8, a->vlan.prio);
            }
        }
        break;

    case ESW_FLOWER_ACT_PEDIT:
        ds_put_cstr(ds, "pedit");
        for (size_t i = 0; i < a->pedit.n_keys; i++) {
            const struct esw_flower_pedit_key *k = &a->pedit.keys[i];

            ds_put_format(ds, " key #%zu htype %"PRIu8" %s off %"PRIu32
                          " val %08"PRIx32" mask %08"PRIx32, i, k->htype,
                          k->cmd == TCA_PEDIT_KEY_EX_CMD_ADD ? "add" : "set",
                          k->offset, ntohl(k->val), ntohl(k->mask));
        }
        break;

    case ESW_FLOWER_ACT_CSUM:
        ds_put_format(ds, "csum (flags 0x%"PRIx32")", a->csum.update_flags);
        break;

    default:
        ds_put_format(ds, "unknown %d", a->type);
        break;
    }
    format_control(ds, a->control);
    if (a->index) {
        ds_put_format(ds, " index %"PRIu32, a->index);
    }
    if (a->cookie_len) {
        ds_put_cstr(ds, " cookie ");
        for (size_t i = 0; i < MIN(a->cookie_len, ESW_FLOWER_MAX_COOKIE);
             i++) {
            ds_put_format(ds, "%02"PRIx8, a->cookie[i]);
        }
    }
}

void
esw_flower_rule_format(const struct esw_flower_rule *rule, struct ds *ds)
{
    ds_put_format(ds, "filter dev %d", rule->ifindex);
    format_parent(ds, rule->parent);
    ds_put_cstr(ds, " protocol ");
    format_ethertype(ds, rule->protocol);
    ds_put_format(ds, " pref %"PRIu16" flower chain %"PRIu32" handle 0x%"
                  PRIx32, rule->prio, rule->chain, rule->handle);
    format_key(ds, rule, false);
    if (rule->flags & TCA_CLS_FLAGS_SKIP_HW) {
        ds_put_cstr(ds, " skip_hw");
    }
    if (rule->flags & TCA_CLS_FLAGS_SKIP_SW) {
        ds_put_cstr(ds, " skip_sw");
    }
    if (rule->flags & TCA_CLS_FLAGS_IN_HW) {
        ds_put_format(ds, " in_hw in_hw_count %"PRIu32, rule->in_hw_count);
    }
    if (rule->flags & TCA_CLS_FLAGS_NOT_IN_HW) {
        ds_put_cstr(ds, " not_in_hw");
    }
    for (size_t i = 0; i < rule->n_actions && i < ESW_FLOWER_MAX_ACTIONS;
         i++) {
        ds_put_format(ds, " action order %zu: ", i + 1);
        format_action(ds, &rule->actions[i]);
    }
}

/* The "tc filter add" command line. */

/* Appends " dev NAME" for 'ifindex', or " dev ifindex:N" if 'ifname' does
 * not know it (tc would refuse that: the reader sees which device is
 * unknown). */
static void
format_dev(struct ds *ds, int ifindex, esw_flower_ifname_func *ifname,
           void *aux)
{
    const char *name = ifname ? ifname(ifindex, aux) : NULL;

    if (name) {
        ds_put_format(ds, " dev %s", name);
    } else {
        ds_put_format(ds, " dev ifindex:%d", ifindex);
    }
}

/* Appends the control word of 'a' if it is not what tc assumes for its
 * kind when none is given. */
static void
format_command_control(struct ds *ds, const struct esw_flower_action *a,
                       int dflt)
{
    if (a->control != dflt) {
        format_control(ds, a->control);
    }
}

static void
format_command_action(struct ds *ds, const struct esw_flower_action *a,
                      esw_flower_ifname_func *ifname, void *aux)
{
    static const char *const csum_names[] = {
        "ip4h", "icmp", "igmp", "tcp", "udp", "udplite", "sctp",
    };

    ds_put_cstr(ds, " action ");
    switch (a->type) {
    case ESW_FLOWER_ACT_MIRRED: {
        bool redirect = a->mirred.eaction == TCA_EGRESS_REDIR;

        ds_put_format(ds, "mirred egress %s",
                      redirect ? "redirect" : "mirror");
        format_dev(ds, a->mirred.ifindex, ifname, aux);
        format_command_control(ds, a, redirect ? TC_ACT_STOLEN : TC_ACT_PIPE);
        break;
    }

    case ESW_FLOWER_ACT_GACT:
        /* gact is its control word: "action drop", "action pass". */
        ds_chomp(ds, ' ');
        format_control(ds, a->control);
        break;

    case ESW_FLOWER_ACT_VLAN:
        if (a->vlan.action == TCA_VLAN_ACT_POP) {
            ds_put_cstr(ds, "vlan pop");
        } else {
            ds_put_format(ds, "vlan %s id %"PRIu16" protocol ",
                          a->vlan.action == TCA_VLAN_ACT_PUSH
                          ? "push" : "modify", a->vlan.id);
            format_ethertype__(ds, a->vlan.proto, true);
            if (!a->vlan.keep_prio) {
                ds_put_format(ds, " priority %"PRIu8, a->vlan.prio);
            }
        }
        format_command_control(ds, a, TC_ACT_PIPE);
        break;

    case ESW_FLOWER_ACT_PEDIT:
        /* tc names header fields; the keys are raw words of a header, so
         * they are given as raw offsets within it. */
        ds_put_cstr(ds, "pedit ex");
        for (size_t i = 0; i < a->pedit.n_keys; i++) {
            static const char *const htypes[] = {
                "network", "eth", "ip4", "ip6", "tcp", "udp",
            };
            const struct esw_flower_pedit_key *k = &a->pedit.keys[i];

            ds_put_format(ds, " munge %s offset %"PRIu32" u32 %s 0x%08"
                          PRIx32" retain 0x%08"PRIx32,
                          k->htype < ARRAY_SIZE(htypes)
                          ? htypes[k->htype] : "?", k->offset,
                          k->cmd == TCA_PEDIT_KEY_EX_CMD_ADD ? "add" : "set",
                          ntohl(k->val), ntohl(~k->mask));
        }
        format_command_control(ds, a, TC_ACT_OK);
        break;

    case ESW_FLOWER_ACT_CSUM:
        ds_put_cstr(ds, "csum");
        for (size_t i = 0; i < ARRAY_SIZE(csum_names); i++) {
            if (a->csum.update_flags & (1u << i)) {
                ds_put_format(ds, " %s", csum_names[i]);
            }
        }
        format_command_control(ds, a, TC_ACT_OK);
        break;

    default:
        ds_put_format(ds, "unknown-%d", a->type);
        break;
    }
    if (a->cookie_len) {
        ds_put_cstr(ds, " cookie ");
        for (size_t i = 0; i < MIN(a->cookie_len, ESW_FLOWER_MAX_COOKIE);
             i++) {
            ds_put_format(ds, "%02"PRIx8, a->cookie[i]);
        }
    }
}

void
esw_flower_rule_format_command(const struct esw_flower_rule *rule,
                               esw_flower_ifname_func *ifname, void *aux,
                               struct ds *ds)
{
    ds_put_cstr(ds, "tc filter add");
    format_dev(ds, rule->ifindex, ifname, aux);
    format_parent(ds, rule->parent);
    ds_put_cstr(ds, " protocol ");
    format_ethertype__(ds, rule->protocol, true);
    ds_put_format(ds, " prio %"PRIu16" handle 0x%"PRIx32" chain %"PRIu32
                  " flower", rule->prio, rule->handle, rule->chain);
    if (rule->flags & TCA_CLS_FLAGS_SKIP_HW) {
        ds_put_cstr(ds, " skip_hw");
    }
    if (rule->flags & TCA_CLS_FLAGS_SKIP_SW) {
        ds_put_cstr(ds, " skip_sw");
    }
    format_key(ds, rule, true);
    for (size_t i = 0; i < rule->n_actions && i < ESW_FLOWER_MAX_ACTIONS;
         i++) {
        format_command_action(ds, &rule->actions[i], ifname, aux);
    }
}
