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

#include "emu-flow-table.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_csum.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/tc_act/tc_pedit.h>
#include <linux/tc_act/tc_vlan.h>

#include "esw-flower.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "packets.h"
#include "skiplist.h"
#include "util.h"

BUILD_ASSERT_DECL(sizeof(struct emu_flow_key) == 104);
BUILD_ASSERT_DECL(sizeof(struct emu_flow_key) % 8 == 0);

/* The kernel's default prio for the first filter of a chain (0xC000 in
 * tcf_auto_prio()). */
#define EMU_FLOW_FIRST_AUTO_PRIO 0xc000

/* Handles that the kernel allocates are in [1, INT_MAX]. */
#define EMU_FLOW_MAX_AUTO_HANDLE INT_MAX

/* Number of enum esw_flower_action_type values. */
#define EMU_FLOW_N_ACTION_TYPES (ESW_FLOWER_ACT_CSUM + 1)

/* The csum flags that the emulated hardware implements. */
#define EMU_FLOW_CSUM_SUPPORTED (TCA_CSUM_UPDATE_FLAG_IPV4HDR \
                                 | TCA_CSUM_UPDATE_FLAG_ICMP  \
                                 | TCA_CSUM_UPDATE_FLAG_TCP   \
                                 | TCA_CSUM_UPDATE_FLAG_UDP)
#define EMU_FLOW_CSUM_KNOWN (EMU_FLOW_CSUM_SUPPORTED          \
                             | TCA_CSUM_UPDATE_FLAG_IGMP      \
                             | TCA_CSUM_UPDATE_FLAG_UDPLITE   \
                             | TCA_CSUM_UPDATE_FLAG_SCTP)

/* A flower instance, the kernel's tcf_proto: the rules of one (port, chain,
 * prio), which share a protocol. */
struct emu_flow_instance {
    struct hmap_node node;          /* In table->instances. */
    uint32_t port;
    uint32_t chain;
    uint16_t prio;
    ovs_be16 protocol;              /* tcm_info, in network byte order. */
    size_t n_rules;
    uint32_t free_handle_hint;      /* Every handle in [1, hint) is taken. */
    struct hmap subtables;          /* struct emu_flow_subtable, by mask. */
};

/* The rules of one instance that have one mask (the kernel's
 * fl_flow_mask). */
struct emu_flow_subtable {
    struct hmap_node node;          /* In instance->subtables. */
    struct emu_flow_instance *instance;
    uint64_t seq;                   /* Creation order in the table. */
    uint16_t prio;                  /* Copies of the instance's, for */
    ovs_be16 protocol;              /* lookups. */
    size_t n_words;                 /* Number of non-zero mask words. */
    uint8_t words[EMU_FLOW_KEY_N_WORDS];        /* Their indexes. */
    uint64_t mask_words[EMU_FLOW_KEY_N_WORDS];  /* Their values. */
    struct emu_flow_key mask;
    struct hmap rules;              /* struct emu_flow_rule, by key. */
};

/* The subtables of chain 0 of one port, in lookup order. */
struct emu_flow_port {
    struct hmap_node node;          /* In table->ports. */
    uint32_t port;
    struct emu_flow_subtable **subtables;
    size_t n_subtables;
    size_t allocated_subtables;
};

struct emu_flow_rule {
    struct emu_flow_id id;          /* First, for emu_flow_id_compare(). */
    struct hmap_node node;          /* In subtable->rules. */
    struct emu_flow_subtable *subtable;
    uint32_t flags;                 /* TCA_FLOWER_FLAGS. */
    struct emu_flow_key key;        /* Masked by subtable->mask. */
    struct emu_flow_actions *actions;
    struct emu_flow_stats stats;
};

struct emu_flow_table {
    size_t capacity;
    size_t n_rules;
    const struct emu_flow_port_map *map;

    struct skiplist *rules;         /* Every rule, in dump order. */

    struct hmap instances;          /* struct emu_flow_instance. */
    struct hmap ports;              /* struct emu_flow_port. */
    uint64_t next_subtable_seq;
    uint32_t next_action_index[EMU_FLOW_N_ACTION_TYPES];
};

/* Identities. */

static int
emu_flow_id_compare(const void *a_, const void *b_,
                    const void *conf OVS_UNUSED)
{
    const struct emu_flow_id *a = a_;
    const struct emu_flow_id *b = b_;

    if (a->port != b->port) {
        return a->port < b->port ? -1 : 1;
    } else if (a->chain != b->chain) {
        return a->chain < b->chain ? -1 : 1;
    } else if (a->prio != b->prio) {
        return a->prio < b->prio ? -1 : 1;
    } else if (a->handle != b->handle) {
        return a->handle < b->handle ? -1 : 1;
    } else {
        return 0;
    }
}

static bool
emu_flow_id_same_instance(const struct emu_flow_id *a,
                          const struct emu_flow_id *b)
{
    return a->port == b->port && a->chain == b->chain && a->prio == b->prio;
}

/* Stores in '*next' the identity right after 'id' in dump order and
 * returns true, or returns false if 'id' is the largest one. */
static bool
emu_flow_id_successor(const struct emu_flow_id *id, struct emu_flow_id *next)
{
    *next = *id;
    if (++next->handle) {
        return true;
    }
    if (++next->prio) {
        return true;
    }
    if (++next->chain) {
        return true;
    }
    return ++next->port != 0;
}

static uint32_t
emu_flow_instance_hash(uint32_t port, uint32_t chain, uint16_t prio)
{
    return hash_int(prio, hash_int(chain, hash_int(port, 0)));
}

/* Keys. */

static const uint64_t *
emu_flow_key_words(const struct emu_flow_key *key)
{
    return (const uint64_t *) key;
}

static uint32_t
emu_flow_hash_masked(const struct emu_flow_subtable *st,
                     const struct emu_flow_key *key)
{
    const uint64_t *words = emu_flow_key_words(key);
    uint32_t hash = 0;

    for (size_t i = 0; i < st->n_words; i++) {
        hash = hash_add64(hash, words[st->words[i]] & st->mask_words[i]);
    }
    return hash_finish(hash, st->n_words * 8);
}

/* Returns true if 'key', masked by 'st''s mask, equals 'rule''s key. */
static bool
emu_flow_rule_matches(const struct emu_flow_subtable *st,
                      const struct emu_flow_rule *rule,
                      const struct emu_flow_key *key)
{
    const uint64_t *words = emu_flow_key_words(key);
    const uint64_t *rule_words = emu_flow_key_words(&rule->key);

    for (size_t i = 0; i < st->n_words; i++) {
        size_t w = st->words[i];

        if ((words[w] & st->mask_words[i]) != rule_words[w]) {
            return false;
        }
    }
    return true;
}

/* Compiling a rule's match. */

/* A field that is the same in struct esw_flower_key and emu_flow_key. */
struct emu_flow_field {
    size_t flower_ofs;
    size_t emu_ofs;
    size_t size;
    bool exact;                 /* Flower matches it only exactly. */
};

#define EMU_FLOW_FIELD(NAME, EXACT)                                 \
    { offsetof(struct esw_flower_key, NAME),                        \
      offsetof(struct emu_flow_key, NAME),                          \
      MEMBER_SIZEOF(struct emu_flow_key, NAME), EXACT }

#define EMU_FLOW_FIELD_SIZE_CHECK(NAME)                                 \
    BUILD_ASSERT_DECL(MEMBER_SIZEOF(struct esw_flower_key, NAME)        \
                      == MEMBER_SIZEOF(struct emu_flow_key, NAME))

EMU_FLOW_FIELD_SIZE_CHECK(eth_dst);
EMU_FLOW_FIELD_SIZE_CHECK(eth_src);
EMU_FLOW_FIELD_SIZE_CHECK(vlan_id);
EMU_FLOW_FIELD_SIZE_CHECK(vlan_prio);
EMU_FLOW_FIELD_SIZE_CHECK(ip_proto);
EMU_FLOW_FIELD_SIZE_CHECK(ip_tos);
EMU_FLOW_FIELD_SIZE_CHECK(ip_ttl);
EMU_FLOW_FIELD_SIZE_CHECK(ipv4_src);
EMU_FLOW_FIELD_SIZE_CHECK(ipv4_dst);
EMU_FLOW_FIELD_SIZE_CHECK(ipv6_src);
EMU_FLOW_FIELD_SIZE_CHECK(ipv6_dst);
EMU_FLOW_FIELD_SIZE_CHECK(tp_src);
EMU_FLOW_FIELD_SIZE_CHECK(tp_dst);
EMU_FLOW_FIELD_SIZE_CHECK(tcp_flags);
EMU_FLOW_FIELD_SIZE_CHECK(icmp_type);
EMU_FLOW_FIELD_SIZE_CHECK(icmp_code);
EMU_FLOW_FIELD_SIZE_CHECK(arp_sip);
EMU_FLOW_FIELD_SIZE_CHECK(arp_tip);
EMU_FLOW_FIELD_SIZE_CHECK(arp_op);
EMU_FLOW_FIELD_SIZE_CHECK(arp_sha);
EMU_FLOW_FIELD_SIZE_CHECK(arp_tha);

/* The fields copied as they are.  eth_type, vlan_eth_type, ip_flags and
 * indev are translated by emu_flow_compile_match(). */
static const struct emu_flow_field emu_flow_fields[] = {
    EMU_FLOW_FIELD(eth_dst, false),
    EMU_FLOW_FIELD(eth_src, false),
    EMU_FLOW_FIELD(vlan_id, true),
    EMU_FLOW_FIELD(vlan_prio, true),
    EMU_FLOW_FIELD(ip_proto, true),
    EMU_FLOW_FIELD(ip_tos, false),
    EMU_FLOW_FIELD(ip_ttl, false),
    EMU_FLOW_FIELD(ipv4_src, false),
    EMU_FLOW_FIELD(ipv4_dst, false),
    EMU_FLOW_FIELD(ipv6_src, false),
    EMU_FLOW_FIELD(ipv6_dst, false),
    EMU_FLOW_FIELD(tp_src, false),
    EMU_FLOW_FIELD(tp_dst, false),
    EMU_FLOW_FIELD(tcp_flags, false),
    EMU_FLOW_FIELD(icmp_type, false),
    EMU_FLOW_FIELD(icmp_code, false),
    EMU_FLOW_FIELD(arp_sip, false),
    EMU_FLOW_FIELD(arp_tip, false),
    EMU_FLOW_FIELD(arp_op, false),
    EMU_FLOW_FIELD(arp_sha, false),
    EMU_FLOW_FIELD(arp_tha, false),
};

static bool
emu_flow_is_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

/* Sets the EtherType fields of 'key' and 'mask' from 'rule', as
 * fl_set_key() does: a VLAN eth_type is the outer TPID, and the type that
 * the L3 header follows (n_proto) is either a non-VLAN eth_type or a
 * non-VLAN vlan_eth_type. */
static void
emu_flow_compile_eth_type(const struct esw_flower_rule *rule,
                          struct emu_flow_key *key, struct emu_flow_key *mask)
{
    const ovs_be16 all_ones = OVS_BE16_MAX;

    if (!rule->mask.eth_type) {
        return;
    }
    if (!eth_type_vlan(rule->key.eth_type)) {
        key->n_proto = rule->key.eth_type;
        mask->n_proto = all_ones;
        return;
    }

    key->eth_type = rule->key.eth_type;
    mask->eth_type = all_ones;
    if (rule->mask.vlan_eth_type) {
        if (eth_type_vlan(rule->key.vlan_eth_type)) {
            key->vlan_eth_type = rule->key.vlan_eth_type;
            mask->vlan_eth_type = all_ones;
        } else {
            key->n_proto = rule->key.vlan_eth_type;
            mask->n_proto = all_ones;
        }
    }
}

static int
emu_flow_port_from_name(const struct emu_flow_table *table, const char *name,
                        uint32_t *port)
{
    const struct emu_flow_port_map *map = table->map;

    return (map && map->port_from_name
            ? map->port_from_name(map->aux, name, port)
            : ENODEV);
}

static int
emu_flow_port_from_ifindex(const struct emu_flow_table *table, int ifindex,
                           uint32_t *port)
{
    const struct emu_flow_port_map *map = table->map;

    if (map && map->port_from_ifindex) {
        return map->port_from_ifindex(map->aux, ifindex, port);
    } else if (ifindex > 0) {
        *port = ifindex;
        return 0;
    } else {
        return ENODEV;
    }
}

/* Translates the match of 'rule' into 'key' and 'mask' (with 'key' masked).
 * Returns 0 or a positive errno value. */
static int
emu_flow_compile_match(const struct emu_flow_table *table,
                       const struct esw_flower_rule *rule,
                       struct emu_flow_key *key, struct emu_flow_key *mask)
{
    memset(key, 0, sizeof *key);
    memset(mask, 0, sizeof *mask);

    for (size_t i = 0; i < ARRAY_SIZE(emu_flow_fields); i++) {
        const struct emu_flow_field *f = &emu_flow_fields[i];
        const uint8_t *fk = (const uint8_t *) &rule->key + f->flower_ofs;
        const uint8_t *fm = (const uint8_t *) &rule->mask + f->flower_ofs;
        uint8_t *ek = (uint8_t *) key + f->emu_ofs;
        uint8_t *em = (uint8_t *) mask + f->emu_ofs;

        if (f->exact && !emu_flow_is_zero(fm, f->size)) {
            memset(em, 0xff, f->size);
        } else {
            memcpy(em, fm, f->size);
        }
        for (size_t j = 0; j < f->size; j++) {
            ek[j] = fk[j] & em[j];
        }
    }
    mask->vlan_id &= VLAN_VID_MASK;
    key->vlan_id &= VLAN_VID_MASK;
    mask->vlan_prio &= VLAN_PCP_MASK >> VLAN_PCP_SHIFT;
    key->vlan_prio &= VLAN_PCP_MASK >> VLAN_PCP_SHIFT;

    emu_flow_compile_eth_type(rule, key, mask);

    uint32_t ip_flags_bits = (ESW_FLOWER_IP_FLAG_FRAG
                              | ESW_FLOWER_IP_FLAG_FIRSTFRAG);
    if (rule->mask.ip_flags & ~ip_flags_bits) {
        return EINVAL;
    }
    mask->ip_flags = rule->mask.ip_flags;
    key->ip_flags = rule->key.ip_flags & rule->mask.ip_flags;

    if (rule->mask.indev[0]) {
        const char *name = rule->key.indev;
        uint32_t port;
        int error;

        if (!memchr(name, '\0', sizeof rule->key.indev) || !name[0]) {
            return EINVAL;
        }
        error = emu_flow_port_from_name(table, name, &port);
        if (error) {
            return error;
        }
        key->in_port = port;
        mask->in_port = UINT32_MAX;
    }
    return 0;
}

/* Compiling a rule's actions. */

static int
emu_flow_check_control(int control)
{
    switch (control) {
    case TC_ACT_UNSPEC:
    case TC_ACT_OK:
    case TC_ACT_SHOT:
    case TC_ACT_PIPE:
    case TC_ACT_STOLEN:
    case TC_ACT_QUEUED:
    case TC_ACT_TRAP:
        return 0;

    case TC_ACT_RECLASSIFY:
    case TC_ACT_REPEAT:
    case TC_ACT_REDIRECT:
        return EOPNOTSUPP;

    default:
        return (TC_ACT_EXT_CMP(control, TC_ACT_JUMP)
                || TC_ACT_EXT_CMP(control, TC_ACT_GOTO_CHAIN)
                ? EOPNOTSUPP : EINVAL);
    }
}

static int
emu_flow_check_pedit(const struct esw_flower_action *a)
{
    if (a->pedit.n_keys > ESW_FLOWER_MAX_PEDIT_KEYS) {
        return EINVAL;
    }
    for (size_t i = 0; i < a->pedit.n_keys; i++) {
        const struct esw_flower_pedit_key *k = &a->pedit.keys[i];

        if (k->htype > TCA_PEDIT_KEY_EX_HDR_TYPE_UDP
            || k->cmd > TCA_PEDIT_KEY_EX_CMD_ADD
            || k->offset % 4) {
            return EINVAL;
        }
    }
    return 0;
}

static int
emu_flow_check_vlan(const struct esw_flower_action *a)
{
    switch (a->vlan.action) {
    case TCA_VLAN_ACT_POP:
        return 0;

    case TCA_VLAN_ACT_PUSH:
    case TCA_VLAN_ACT_MODIFY:
        if (a->vlan.id > VLAN_VID_MASK
            || a->vlan.prio > (VLAN_PCP_MASK >> VLAN_PCP_SHIFT)
            || (a->vlan.proto && !eth_type_vlan(a->vlan.proto))) {
            return EINVAL;
        }
        return 0;

    case TCA_VLAN_ACT_POP_ETH:
    case TCA_VLAN_ACT_PUSH_ETH:
        return EOPNOTSUPP;

    default:
        return EINVAL;
    }
}

/* Checks one action of a rule for the emulated hardware; for a mirred
 * action, stores its target's port in '*port'. */
static int
emu_flow_check_action(const struct emu_flow_table *table,
                      const struct esw_flower_action *a, uint32_t *port)
{
    int error = emu_flow_check_control(a->control);
    if (error) {
        return error;
    }
    if (a->cookie_len > ESW_FLOWER_MAX_COOKIE) {
        return EINVAL;
    }

    switch (a->type) {
    case ESW_FLOWER_ACT_MIRRED:
        if (a->mirred.eaction == TCA_INGRESS_REDIR
            || a->mirred.eaction == TCA_INGRESS_MIRROR) {
            return EOPNOTSUPP;
        } else if (a->mirred.eaction != TCA_EGRESS_REDIR
                   && a->mirred.eaction != TCA_EGRESS_MIRROR) {
            return EINVAL;
        }
        return emu_flow_port_from_ifindex(table, a->mirred.ifindex, port);

    case ESW_FLOWER_ACT_GACT:
        return 0;

    case ESW_FLOWER_ACT_VLAN:
        return emu_flow_check_vlan(a);

    case ESW_FLOWER_ACT_PEDIT:
        return emu_flow_check_pedit(a);

    case ESW_FLOWER_ACT_CSUM:
        if (a->csum.update_flags & ~EMU_FLOW_CSUM_KNOWN) {
            return EINVAL;
        }
        return (a->csum.update_flags & ~EMU_FLOW_CSUM_SUPPORTED
                ? EOPNOTSUPP : 0);

    default:
        return EINVAL;
    }
}

/* Translates the actions of 'rule' (and its indev name, if it matches
 * indev) into a new struct emu_flow_actions in '*actionsp'.  Action indexes
 * are copied as they are, 0 included.  Returns 0 or a positive errno value;
 * on error, '*actionsp' is NULL. */
static int
emu_flow_compile_actions(const struct emu_flow_table *table,
                         const struct esw_flower_rule *rule,
                         struct emu_flow_actions **actionsp)
{
    uint32_t ports[ESW_FLOWER_MAX_ACTIONS];
    size_t n_keys = 0;
    size_t cookies_len = 0;

    *actionsp = NULL;
    if (rule->n_actions > ESW_FLOWER_MAX_ACTIONS) {
        return EINVAL;
    }
    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &rule->actions[i];
        int error = emu_flow_check_action(table, a, &ports[i]);

        if (error) {
            return error;
        }
        if (a->type == ESW_FLOWER_ACT_PEDIT) {
            n_keys += a->pedit.n_keys;
        }
        cookies_len += a->cookie_len;
    }

    size_t indev_len = (rule->mask.indev[0]
                        ? strlen(rule->key.indev) + 1 : 0);
    size_t actions_size = rule->n_actions * sizeof(struct emu_flow_action);
    size_t keys_size = n_keys * sizeof(struct emu_flow_pedit_key);
    size_t size = (sizeof(struct emu_flow_actions) + actions_size + keys_size
                   + cookies_len + indev_len);
    struct emu_flow_actions *actions = xzalloc(size);
    uint8_t *p = (uint8_t *) actions->actions + actions_size;
    struct emu_flow_pedit_key *keys = ALIGNED_CAST(struct emu_flow_pedit_key *,
                                                   p);
    uint8_t *cookies = p + keys_size;
    char *indev = (char *) cookies + cookies_len;

    actions->n_actions = rule->n_actions;
    actions->n_pedit_keys = n_keys;
    actions->cookies_len = cookies_len;
    actions->pedit_keys = keys;
    actions->cookies = cookies;
    if (indev_len) {
        memcpy(indev, rule->key.indev, indev_len);
        actions->indev = indev;
    }

    n_keys = 0;
    cookies_len = 0;
    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &rule->actions[i];
        struct emu_flow_action *ea = &actions->actions[i];

        ea->type = a->type;
        ea->control = a->control;
        ea->index = a->index;
        ea->cookie_len = a->cookie_len;
        ea->cookie_ofs = cookies_len;
        memcpy(cookies + cookies_len, a->cookie, a->cookie_len);
        cookies_len += a->cookie_len;

        switch (a->type) {
        case ESW_FLOWER_ACT_MIRRED:
            ea->mirred.eaction = a->mirred.eaction;
            ea->mirred.ifindex = a->mirred.ifindex;
            ea->mirred.port = ports[i];
            break;

        case ESW_FLOWER_ACT_VLAN:
            ea->vlan.action = a->vlan.action;
            ea->vlan.id = a->vlan.id;
            ea->vlan.prio = a->vlan.prio;
            ea->vlan.proto = (a->vlan.proto
                              ? a->vlan.proto
                              : htons(ETH_TYPE_VLAN_8021Q));
            ea->vlan.keep_prio = (a->vlan.action == TCA_VLAN_ACT_MODIFY
                                  && a->vlan.keep_prio);
            break;

        case ESW_FLOWER_ACT_PEDIT:
            ea->pedit.first_key = n_keys;
            ea->pedit.n_keys = a->pedit.n_keys;
            for (size_t j = 0; j < a->pedit.n_keys; j++) {
                const struct esw_flower_pedit_key *k = &a->pedit.keys[j];
                struct emu_flow_pedit_key *ek = &keys[n_keys++];

                ek->htype = k->htype;
                ek->cmd = k->cmd;
                ek->offset = k->offset;
                ek->mask = k->mask;
                ek->val = k->val;
            }
            break;

        case ESW_FLOWER_ACT_CSUM:
            ea->csum_flags = a->csum.update_flags;
            break;

        case ESW_FLOWER_ACT_GACT:
        default:
            break;
        }
    }

    *actionsp = actions;
    return 0;
}

/* Gives every action of 'actions' that has index 0 a new index. */
static void
emu_flow_assign_action_indexes(struct emu_flow_table *table,
                               struct emu_flow_actions *actions)
{
    for (size_t i = 0; i < actions->n_actions; i++) {
        struct emu_flow_action *a = &actions->actions[i];

        if (!a->index) {
            uint32_t *next = &table->next_action_index[a->type];

            if (!*next) {
                *next = 1;
            }
            a->index = (*next)++;
        }
    }
}

/* Returns true if every action of 'rule' is bound, by its index, to the
 * action at the same place in 'old': then the kernel keeps the actions, and
 * so their counters, across a replace. */
static bool
emu_flow_actions_bound(const struct emu_flow_actions *old,
                       const struct esw_flower_rule *rule)
{
    if (old->n_actions != rule->n_actions) {
        return false;
    }
    for (size_t i = 0; i < rule->n_actions; i++) {
        const struct esw_flower_action *a = &rule->actions[i];
        const struct emu_flow_action *b = &old->actions[i];

        if (!a->index || a->index != b->index || a->type != b->type) {
            return false;
        }
    }
    return true;
}

/* Instances, subtables and ports. */

static struct emu_flow_instance *
emu_flow_instance_find(const struct emu_flow_table *table, uint32_t port,
                       uint32_t chain, uint16_t prio)
{
    struct emu_flow_instance *inst;

    HMAP_FOR_EACH_WITH_HASH (inst, node,
                             emu_flow_instance_hash(port, chain, prio),
                             &table->instances) {
        if (inst->port == port && inst->chain == chain
            && inst->prio == prio) {
            return inst;
        }
    }
    return NULL;
}

static struct emu_flow_instance *
emu_flow_instance_create(struct emu_flow_table *table,
                         const struct emu_flow_id *id, ovs_be16 protocol)
{
    struct emu_flow_instance *inst = xzalloc(sizeof *inst);

    inst->port = id->port;
    inst->chain = id->chain;
    inst->prio = id->prio;
    inst->protocol = protocol;
    inst->free_handle_hint = 1;
    hmap_init(&inst->subtables);
    hmap_insert(&table->instances, &inst->node,
                emu_flow_instance_hash(id->port, id->chain, id->prio));
    return inst;
}

static void
emu_flow_instance_destroy(struct emu_flow_table *table,
                          struct emu_flow_instance *inst)
{
    hmap_remove(&table->instances, &inst->node);
    hmap_destroy(&inst->subtables);
    free(inst);
}

static struct emu_flow_port *
emu_flow_port_find(const struct emu_flow_table *table, uint32_t port)
{
    struct emu_flow_port *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(port, 0), &table->ports) {
        if (p->port == port) {
            return p;
        }
    }
    return NULL;
}

/* Adds 'st' to the lookup order of its port: after every subtable of a
 * lower prio, and after the older ones of the same prio. */
static void
emu_flow_port_add_subtable(struct emu_flow_table *table,
                           struct emu_flow_subtable *st)
{
    uint32_t port = st->instance->port;
    struct emu_flow_port *p = emu_flow_port_find(table, port);

    if (!p) {
        p = xzalloc(sizeof *p);
        p->port = port;
        hmap_insert(&table->ports, &p->node, hash_int(port, 0));
    }
    if (p->n_subtables >= p->allocated_subtables) {
        p->subtables = x2nrealloc(p->subtables, &p->allocated_subtables,
                                  sizeof *p->subtables);
    }

    size_t i = p->n_subtables;
    while (i > 0 && p->subtables[i - 1]->prio > st->prio) {
        i--;
    }
    memmove(&p->subtables[i + 1], &p->subtables[i],
            (p->n_subtables - i) * sizeof *p->subtables);
    p->subtables[i] = st;
    p->n_subtables++;
}

static void
emu_flow_port_remove_subtable(struct emu_flow_table *table,
                              struct emu_flow_subtable *st)
{
    struct emu_flow_port *p = emu_flow_port_find(table, st->instance->port);

    for (size_t i = 0; i < p->n_subtables; i++) {
        if (p->subtables[i] == st) {
            memmove(&p->subtables[i], &p->subtables[i + 1],
                    (p->n_subtables - i - 1) * sizeof *p->subtables);
            p->n_subtables--;
            break;
        }
    }
    if (!p->n_subtables) {
        hmap_remove(&table->ports, &p->node);
        free(p->subtables);
        free(p);
    }
}

static uint32_t
emu_flow_mask_hash(const struct emu_flow_key *mask)
{
    return hash_bytes(mask, sizeof *mask, 0);
}

static struct emu_flow_subtable *
emu_flow_subtable_find(const struct emu_flow_instance *inst,
                       const struct emu_flow_key *mask)
{
    struct emu_flow_subtable *st;

    HMAP_FOR_EACH_WITH_HASH (st, node, emu_flow_mask_hash(mask),
                             &inst->subtables) {
        if (!memcmp(&st->mask, mask, sizeof *mask)) {
            return st;
        }
    }
    return NULL;
}

static struct emu_flow_subtable *
emu_flow_subtable_create(struct emu_flow_table *table,
                         struct emu_flow_instance *inst,
                         const struct emu_flow_key *mask)
{
    struct emu_flow_subtable *st = xzalloc(sizeof *st);
    const uint64_t *words = emu_flow_key_words(mask);

    st->instance = inst;
    st->seq = table->next_subtable_seq++;
    st->prio = inst->prio;
    st->protocol = inst->protocol;
    st->mask = *mask;
    for (size_t w = 0; w < EMU_FLOW_KEY_N_WORDS; w++) {
        if (words[w]) {
            st->words[st->n_words] = w;
            st->mask_words[st->n_words] = words[w];
            st->n_words++;
        }
    }
    hmap_init(&st->rules);
    hmap_insert(&inst->subtables, &st->node, emu_flow_mask_hash(mask));
    if (inst->chain == 0) {
        emu_flow_port_add_subtable(table, st);
    }
    return st;
}

static void
emu_flow_subtable_destroy(struct emu_flow_table *table,
                          struct emu_flow_subtable *st)
{
    if (st->instance->chain == 0) {
        emu_flow_port_remove_subtable(table, st);
    }
    hmap_remove(&st->instance->subtables, &st->node);
    hmap_destroy(&st->rules);
    free(st);
}

/* Returns the rule of 'st' whose key is 'key' (already masked), or NULL. */
static struct emu_flow_rule *
emu_flow_subtable_find_rule(const struct emu_flow_subtable *st,
                            const struct emu_flow_key *key, uint32_t hash)
{
    struct emu_flow_rule *rule;

    HMAP_FOR_EACH_WITH_HASH (rule, node, hash, &st->rules) {
        if (!memcmp(&rule->key, key, sizeof *key)) {
            return rule;
        }
    }
    return NULL;
}

/* Allocation of prios and handles. */

/* Stores in 'id->prio' the prio that the kernel's tcf_auto_prio() gives a
 * new filter in (id->port, id->chain): one less than the lowest prio in
 * use, or 0xc000 in an empty chain. */
static int
emu_flow_alloc_prio(const struct emu_flow_table *table,
                    struct emu_flow_id *id)
{
    struct emu_flow_id first = { id->port, id->chain, 0, 0 };
    const struct emu_flow_rule *rule
        = skiplist_get_data(skiplist_forward_to(table->rules, &first));

    if (!rule || rule->id.port != id->port || rule->id.chain != id->chain) {
        id->prio = EMU_FLOW_FIRST_AUTO_PRIO;
    } else if (rule->id.prio > 1) {
        id->prio = rule->id.prio - 1;
    } else {
        return ENOSPC;
    }
    return 0;
}

/* Stores in 'id->handle' the lowest free handle, from 1, of the instance
 * 'inst' (NULL if it does not exist yet) that 'id' belongs to. */
static int
emu_flow_alloc_handle(const struct emu_flow_table *table,
                      const struct emu_flow_instance *inst,
                      struct emu_flow_id *id)
{
    uint32_t handle = inst ? inst->free_handle_hint : 1;

    if (inst) {
        struct emu_flow_id probe = *id;
        struct skiplist_node *node;

        probe.handle = handle;
        node = skiplist_forward_to(table->rules, &probe);
        for (; node; node = skiplist_next(node)) {
            const struct emu_flow_rule *rule = skiplist_get_data(node);

            if (!emu_flow_id_same_instance(&rule->id, id)
                || rule->id.handle != handle) {
                break;
            }
            handle++;
        }
    }
    if (handle > EMU_FLOW_MAX_AUTO_HANDLE) {
        return ENOSPC;
    }
    id->handle = handle;
    return 0;
}

/* Table. */

struct emu_flow_table *
emu_flow_table_create(size_t capacity, const struct emu_flow_port_map *map)
{
    struct emu_flow_table *table = xzalloc(sizeof *table);

    table->capacity = capacity;
    table->map = map;
    table->rules = skiplist_create(emu_flow_id_compare, NULL);
    hmap_init(&table->instances);
    hmap_init(&table->ports);
    return table;
}

static void
emu_flow_rule_free(void *rule_)
{
    struct emu_flow_rule *rule = rule_;

    if (rule) {
        free(rule->actions);
        free(rule);
    }
}

/* Frees every rule, subtable, instance and port of 'table', leaving it
 * empty except for its skiplist, which is destroyed too. */
static void
emu_flow_table_clear(struct emu_flow_table *table)
{
    struct emu_flow_instance *inst;
    struct emu_flow_port *p;

    skiplist_destroy(table->rules, emu_flow_rule_free);
    table->rules = NULL;

    HMAP_FOR_EACH_POP (inst, node, &table->instances) {
        struct emu_flow_subtable *st;

        HMAP_FOR_EACH_POP (st, node, &inst->subtables) {
            hmap_destroy(&st->rules);
            free(st);
        }
        hmap_destroy(&inst->subtables);
        free(inst);
    }
    HMAP_FOR_EACH_POP (p, node, &table->ports) {
        free(p->subtables);
        free(p);
    }
    table->n_rules = 0;
}

void
emu_flow_table_destroy(struct emu_flow_table *table)
{
    if (table) {
        emu_flow_table_clear(table);
        hmap_destroy(&table->instances);
        hmap_destroy(&table->ports);
        free(table);
    }
}

size_t
emu_flow_table_count(const struct emu_flow_table *table)
{
    return table->n_rules;
}

size_t
emu_flow_table_capacity(const struct emu_flow_table *table)
{
    return table->capacity;
}

void
emu_flow_table_set_capacity(struct emu_flow_table *table, size_t capacity)
{
    table->capacity = capacity;
}

static struct emu_flow_rule *
emu_flow_table_find__(const struct emu_flow_table *table,
                      const struct emu_flow_id *id)
{
    return skiplist_get_data(skiplist_find(table->rules, id));
}

/* Completes the identity '*id' of a new rule (allocating its prio or handle
 * if 0) and its protocol '*protocol' (the instance's if 0), and finds its
 * instance '*instp' (NULL if there is none yet).  Returns 0 or a positive
 * errno value. */
static int
emu_flow_place(const struct emu_flow_table *table, struct emu_flow_id *id,
               struct emu_flow_instance **instp, ovs_be16 *protocol)
{
    struct emu_flow_instance *inst = NULL;
    int error;

    *instp = NULL;
    if (!id->prio) {
        error = emu_flow_alloc_prio(table, id);
        if (error) {
            return error;
        }
    } else {
        inst = emu_flow_instance_find(table, id->port, id->chain, id->prio);
    }

    if (inst) {
        if (*protocol && *protocol != inst->protocol) {
            return EINVAL;
        }
        *protocol = inst->protocol;
    } else if (!*protocol) {
        return EINVAL;
    }

    if (!id->handle) {
        error = emu_flow_alloc_handle(table, inst, id);
        if (error) {
            return error;
        }
    } else if (emu_flow_table_find__(table, id)) {
        return EEXIST;
    }
    *instp = inst;
    return 0;
}

int
emu_flow_table_insert(struct emu_flow_table *table, uint32_t port,
                      const struct esw_flower_rule *rule,
                      long long int now_ms,
                      const struct emu_flow_rule **rulep)
{
    struct emu_flow_id id = {
        .port = port,
        .chain = rule->chain,
        .prio = rule->prio,
        .handle = rule->handle,
    };
    struct emu_flow_instance *inst;
    struct emu_flow_subtable *st = NULL;
    struct emu_flow_actions *actions;
    struct emu_flow_key key, mask;
    ovs_be16 protocol = rule->protocol;
    uint32_t hash = 0;
    int error;

    if (rulep) {
        *rulep = NULL;
    }

    /* Check everything before changing anything, in the kernel's order:
     * the match and the actions, then the identity and the match against
     * the other rules, and last whether the hardware has room. */
    error = emu_flow_compile_match(table, rule, &key, &mask);
    if (error) {
        return error;
    }
    error = emu_flow_compile_actions(table, rule, &actions);
    if (error) {
        return error;
    }
    error = emu_flow_place(table, &id, &inst, &protocol);
    if (!error && inst) {
        st = emu_flow_subtable_find(inst, &mask);
        if (st) {
            hash = emu_flow_hash_masked(st, &key);
            if (emu_flow_subtable_find_rule(st, &key, hash)) {
                error = EEXIST;
            }
        }
    }
    if (!error && table->n_rules >= table->capacity) {
        error = ENOSPC;
    }
    if (error) {
        free(actions);
        return error;
    }

    /* Commit. */
    if (!inst) {
        inst = emu_flow_instance_create(table, &id, protocol);
    }
    if (!st) {
        st = emu_flow_subtable_create(table, inst, &mask);
        hash = emu_flow_hash_masked(st, &key);
    }
    emu_flow_assign_action_indexes(table, actions);

    struct emu_flow_rule *new = xmalloc(sizeof *new);
    new->id = id;
    new->subtable = st;
    new->flags = rule->flags;
    new->key = key;
    new->actions = actions;
    memset(&new->stats, 0, sizeof new->stats);
    new->stats.installed_ms = now_ms;
    hmap_insert(&st->rules, &new->node, hash);
    skiplist_insert(table->rules, new);

    if (!rule->handle) {
        inst->free_handle_hint = id.handle + 1;
    }
    inst->n_rules++;
    table->n_rules++;

    if (rulep) {
        *rulep = new;
    }
    return 0;
}

int
emu_flow_table_replace(struct emu_flow_table *table, uint32_t port,
                       const struct esw_flower_rule *rule,
                       long long int now_ms,
                       const struct emu_flow_rule **rulep)
{
    struct emu_flow_id id = {
        .port = port,
        .chain = rule->chain,
        .prio = rule->prio,
        .handle = rule->handle,
    };
    struct emu_flow_actions *actions;
    struct emu_flow_key key, mask;
    struct emu_flow_rule *old;
    int error;

    if (rulep) {
        *rulep = NULL;
    }

    old = emu_flow_table_find__(table, &id);
    if (!old) {
        return ENOENT;
    }

    struct emu_flow_subtable *st = old->subtable;
    error = emu_flow_compile_match(table, rule, &key, &mask);
    if (error) {
        return error;
    }
    if ((rule->protocol && rule->protocol != st->protocol)
        || memcmp(&mask, &st->mask, sizeof mask)) {
        return EINVAL;
    }

    uint32_t hash = emu_flow_hash_masked(st, &key);
    struct emu_flow_rule *same = emu_flow_subtable_find_rule(st, &key, hash);
    if (same && same != old) {
        return EEXIST;
    }
    error = emu_flow_compile_actions(table, rule, &actions);
    if (error) {
        return error;
    }

    /* Commit. */
    bool keep_counters = emu_flow_actions_bound(old->actions, rule);
    emu_flow_assign_action_indexes(table, actions);
    hmap_remove(&st->rules, &old->node);
    old->key = key;
    hmap_insert(&st->rules, &old->node, hash);
    free(old->actions);
    old->actions = actions;
    old->flags = rule->flags;
    if (!keep_counters) {
        memset(&old->stats, 0, sizeof old->stats);
        old->stats.installed_ms = now_ms;
    }

    if (rulep) {
        *rulep = old;
    }
    return 0;
}

static void
emu_flow_table_remove(struct emu_flow_table *table, struct emu_flow_rule *rule)
{
    struct emu_flow_subtable *st = rule->subtable;
    struct emu_flow_instance *inst = st->instance;

    skiplist_delete(table->rules, &rule->id);
    hmap_remove(&st->rules, &rule->node);
    if (hmap_is_empty(&st->rules)) {
        emu_flow_subtable_destroy(table, st);
    }
    if (rule->id.handle < inst->free_handle_hint) {
        inst->free_handle_hint = rule->id.handle;
    }
    if (!--inst->n_rules) {
        emu_flow_instance_destroy(table, inst);
    }
    table->n_rules--;
    emu_flow_rule_free(rule);
}

int
emu_flow_table_delete(struct emu_flow_table *table,
                      const struct emu_flow_id *id)
{
    struct emu_flow_rule *rule = emu_flow_table_find__(table, id);

    if (!rule) {
        return ENOENT;
    }
    emu_flow_table_remove(table, rule);
    return 0;
}

/* Deletes every rule whose identity is in [first, last] and returns how
 * many. */
static size_t
emu_flow_table_delete_range(struct emu_flow_table *table,
                            const struct emu_flow_id *first,
                            const struct emu_flow_id *last)
{
    struct skiplist_node *node = skiplist_forward_to(table->rules, first);
    size_t n = 0;

    while (node) {
        struct skiplist_node *next = skiplist_next(node);
        struct emu_flow_rule *rule = skiplist_get_data(node);

        if (emu_flow_id_compare(&rule->id, last, NULL) > 0) {
            break;
        }
        emu_flow_table_remove(table, rule);
        n++;
        node = next;
    }
    return n;
}

size_t
emu_flow_table_delete_prio(struct emu_flow_table *table, uint32_t port,
                           uint32_t chain, uint16_t prio)
{
    struct emu_flow_dump range;

    emu_flow_dump_init_prio(&range, port, chain, prio);
    return emu_flow_table_delete_range(table, &range.next, &range.last);
}

size_t
emu_flow_table_delete_chain(struct emu_flow_table *table, uint32_t port,
                            uint32_t chain)
{
    struct emu_flow_dump range;

    emu_flow_dump_init_chain(&range, port, chain);
    return emu_flow_table_delete_range(table, &range.next, &range.last);
}

size_t
emu_flow_table_delete_port(struct emu_flow_table *table, uint32_t port)
{
    struct emu_flow_dump range;

    emu_flow_dump_init_port(&range, port);
    return emu_flow_table_delete_range(table, &range.next, &range.last);
}

void
emu_flow_table_flush(struct emu_flow_table *table)
{
    emu_flow_table_clear(table);
    table->rules = skiplist_create(emu_flow_id_compare, NULL);
}

const struct emu_flow_rule *
emu_flow_table_find(const struct emu_flow_table *table,
                    const struct emu_flow_id *id)
{
    return emu_flow_table_find__(table, id);
}

struct emu_flow_rule *
emu_flow_table_lookup(struct emu_flow_table *table, uint32_t port,
                      const struct emu_flow_key *key)
{
    const ovs_be16 all = htons(ETH_P_ALL);
    const struct emu_flow_port *p = emu_flow_port_find(table, port);

    if (!p) {
        return NULL;
    }
    for (size_t i = 0; i < p->n_subtables; i++) {
        const struct emu_flow_subtable *st = p->subtables[i];
        struct emu_flow_rule *rule;

        if (st->protocol != all && st->protocol != key->eth_type) {
            continue;
        }
        HMAP_FOR_EACH_WITH_HASH (rule, node, emu_flow_hash_masked(st, key),
                                 &st->rules) {
            if (emu_flow_rule_matches(st, rule, key)) {
                return rule;
            }
        }
    }
    return NULL;
}

/* Dumps. */

static void
emu_flow_dump_init__(struct emu_flow_dump *dump,
                     uint32_t first_port, uint32_t last_port,
                     uint32_t first_chain, uint32_t last_chain,
                     uint16_t first_prio, uint16_t last_prio)
{
    dump->next = (struct emu_flow_id) {
        .port = first_port,
        .chain = first_chain,
        .prio = first_prio,
        .handle = 0,
    };
    dump->last = (struct emu_flow_id) {
        .port = last_port,
        .chain = last_chain,
        .prio = last_prio,
        .handle = UINT32_MAX,
    };
    dump->done = false;
}

void
emu_flow_dump_init_all(struct emu_flow_dump *dump)
{
    emu_flow_dump_init__(dump, 0, UINT32_MAX, 0, UINT32_MAX, 0, UINT16_MAX);
}

void
emu_flow_dump_init_port(struct emu_flow_dump *dump, uint32_t port)
{
    emu_flow_dump_init__(dump, port, port, 0, UINT32_MAX, 0, UINT16_MAX);
}

void
emu_flow_dump_init_chain(struct emu_flow_dump *dump, uint32_t port,
                         uint32_t chain)
{
    emu_flow_dump_init__(dump, port, port, chain, chain, 0, UINT16_MAX);
}

void
emu_flow_dump_init_prio(struct emu_flow_dump *dump, uint32_t port,
                        uint32_t chain, uint16_t prio)
{
    emu_flow_dump_init__(dump, port, port, chain, chain, prio, prio);
}

const struct emu_flow_rule *
emu_flow_dump_next(const struct emu_flow_table *table,
                   struct emu_flow_dump *dump)
{
    if (dump->done) {
        return NULL;
    }

    const struct emu_flow_rule *rule
        = skiplist_get_data(skiplist_forward_to(table->rules, &dump->next));
    if (!rule || emu_flow_id_compare(&rule->id, &dump->last, NULL) > 0) {
        dump->done = true;
        return NULL;
    }
    if (!emu_flow_id_successor(&rule->id, &dump->next)) {
        dump->done = true;
    }
    return rule;
}

/* Rules. */

const struct emu_flow_id *
emu_flow_rule_id(const struct emu_flow_rule *rule)
{
    return &rule->id;
}

ovs_be16
emu_flow_rule_protocol(const struct emu_flow_rule *rule)
{
    return rule->subtable->protocol;
}

uint32_t
emu_flow_rule_flags(const struct emu_flow_rule *rule)
{
    return rule->flags;
}

const struct emu_flow_actions *
emu_flow_rule_actions(const struct emu_flow_rule *rule)
{
    return rule->actions;
}

void
emu_flow_rule_get_stats(const struct emu_flow_rule *rule,
                        struct emu_flow_stats *stats)
{
    *stats = rule->stats;
}

void
emu_flow_rule_account(struct emu_flow_rule *rule, uint64_t n_packets,
                      uint64_t n_bytes, long long int now_ms)
{
    if (!n_packets) {
        return;
    }
    rule->stats.packets += n_packets;
    rule->stats.bytes += n_bytes;
    rule->stats.used_ms = now_ms;
    if (!rule->stats.first_used_ms) {
        rule->stats.first_used_ms = now_ms;
    }
}

/* The inverse of emu_flow_compile_eth_type(). */
static void
emu_flow_decompile_eth_type(const struct emu_flow_key *key,
                            const struct emu_flow_key *mask,
                            struct esw_flower_rule *out)
{
    const ovs_be16 all_ones = OVS_BE16_MAX;

    if (mask->eth_type) {
        out->key.eth_type = key->eth_type;
        out->mask.eth_type = all_ones;
        if (mask->n_proto) {
            out->key.vlan_eth_type = key->n_proto;
            out->mask.vlan_eth_type = all_ones;
        } else if (mask->vlan_eth_type) {
            out->key.vlan_eth_type = key->vlan_eth_type;
            out->mask.vlan_eth_type = all_ones;
        }
    } else if (mask->n_proto) {
        out->key.eth_type = key->n_proto;
        out->mask.eth_type = all_ones;
    }
}

static long long int
emu_flow_ms_ago(long long int now_ms, long long int then_ms)
{
    return now_ms > then_ms ? now_ms - then_ms : 0;
}

static void
emu_flow_decompile_action(const struct emu_flow_rule *rule,
                          const struct emu_flow_action *ea,
                          long long int now_ms,
                          struct esw_flower_action *a)
{
    const struct emu_flow_actions *actions = rule->actions;
    const struct emu_flow_stats *s = &rule->stats;

    a->type = ea->type;
    a->control = ea->control;
    a->index = ea->index;
    a->cookie_len = ea->cookie_len;
    memcpy(a->cookie, actions->cookies + ea->cookie_ofs, ea->cookie_len);

    switch (ea->type) {
    case ESW_FLOWER_ACT_MIRRED:
        a->mirred.eaction = ea->mirred.eaction;
        a->mirred.ifindex = ea->mirred.ifindex;
        break;

    case ESW_FLOWER_ACT_VLAN:
        a->vlan.action = ea->vlan.action;
        a->vlan.id = ea->vlan.id;
        a->vlan.prio = ea->vlan.prio;
        a->vlan.proto = ea->vlan.proto;
        a->vlan.keep_prio = ea->vlan.keep_prio;
        break;

    case ESW_FLOWER_ACT_PEDIT:
        a->pedit.n_keys = ea->pedit.n_keys;
        for (size_t i = 0; i < ea->pedit.n_keys; i++) {
            const struct emu_flow_pedit_key *ek
                = &actions->pedit_keys[ea->pedit.first_key + i];
            struct esw_flower_pedit_key *k = &a->pedit.keys[i];

            k->htype = ek->htype;
            k->cmd = ek->cmd;
            k->offset = ek->offset;
            k->mask = ek->mask;
            k->val = ek->val;
        }
        break;

    case ESW_FLOWER_ACT_CSUM:
        a->csum.update_flags = ea->csum_flags;
        break;

    case ESW_FLOWER_ACT_GACT:
    default:
        break;
    }

    /* Everything this table holds is in hardware. */
    a->stats.packets = a->stats.packets_hw = s->packets;
    a->stats.bytes = a->stats.bytes_hw = s->bytes;
    a->stats.install_ms = emu_flow_ms_ago(now_ms, s->installed_ms);
    a->stats.lastuse_ms = emu_flow_ms_ago(now_ms, (s->used_ms
                                                   ? s->used_ms
                                                   : s->installed_ms));
    a->stats.firstuse_ms = (s->first_used_ms
                            ? emu_flow_ms_ago(now_ms, s->first_used_ms)
                            : 0);
}

void
emu_flow_rule_to_flower(const struct emu_flow_rule *rule,
                        long long int now_ms, struct esw_flower_rule *out)
{
    const struct emu_flow_key *key = &rule->key;
    const struct emu_flow_key *mask = &rule->subtable->mask;

    memset(out, 0, sizeof *out);
    out->prio = rule->id.prio;
    out->handle = rule->id.handle;
    out->chain = rule->id.chain;
    out->protocol = rule->subtable->protocol;
    out->flags = rule->flags;

    for (size_t i = 0; i < ARRAY_SIZE(emu_flow_fields); i++) {
        const struct emu_flow_field *f = &emu_flow_fields[i];

        const uint8_t *em = (const uint8_t *) mask + f->emu_ofs;
        uint8_t *fm = (uint8_t *) &out->mask + f->flower_ofs;

        memcpy((uint8_t *) &out->key + f->flower_ofs,
               (const uint8_t *) key + f->emu_ofs, f->size);
        if (f->exact && !emu_flow_is_zero(em, f->size)) {
            memset(fm, 0xff, f->size);
        } else {
            memcpy(fm, em, f->size);
        }
    }
    emu_flow_decompile_eth_type(key, mask, out);
    out->key.ip_flags = key->ip_flags;
    out->mask.ip_flags = mask->ip_flags;
    if (rule->actions->indev) {
        ovs_strlcpy(out->key.indev, rule->actions->indev,
                    sizeof out->key.indev);
        memset(out->mask.indev, 0xff, sizeof out->mask.indev);
    }

    out->n_actions = rule->actions->n_actions;
    for (size_t i = 0; i < out->n_actions; i++) {
        emu_flow_decompile_action(rule, &rule->actions->actions[i], now_ms,
                                  &out->actions[i]);
    }
}
