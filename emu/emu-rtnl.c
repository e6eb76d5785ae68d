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

#include "emu-rtnl.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "emu-flow-table.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "esw-flower.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "rtnl-link-codec.h"
#include "tc-flower-codec.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_rtnl);

COVERAGE_DEFINE(emu_rule_add);
COVERAGE_DEFINE(emu_rule_replace);
COVERAGE_DEFINE(emu_rule_del);
COVERAGE_DEFINE(emu_rule_refused);

/* Large enough for any message the codecs write: a link with its VF list,
 * a filter with 32 actions of 16 pedit keys. */
#define SCRATCH_SIZE 65536
static uint64_t scratch[SCRATCH_SIZE / sizeof(uint64_t)];

static int
fail(struct emu_nl_txn *txn, int error, char *msg)
{
    emu_nl_txn_set_error_msg(txn, msg);
    return error;
}

/* Links. */

/* Dump cursor: pos[0] is the index of the NIC, pos[1] of the vport in it
 * (0 for the uplink, 1 + N for VF N). */
static int
handle_getlink(struct emu_nl_txn *txn, const struct nlmsghdr *request,
               struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct esw_link_request req;
    struct esw_link *link = xmalloc(sizeof *link);
    char *msg = NULL;
    int error;

    error = esw_rtnl_link_decode_request(request, &req, &msg);
    if (error) {
        free(link);
        return fail(txn, error, msg);
    }
    bool vfs = (req.ext_mask & RTEXT_FILTER_VF) != 0;

    if (!cursor) {
        struct emu_vport *vport = (req.ifindex
                                   ? emu_nic_vport_by_ifindex(req.ifindex)
                                   : emu_nic_vport_by_name(req.name));
        if (!vport) {
            free(link);
            return fail(txn, ENODEV, xstrdup("no such device"));
        }
        emu_vport_to_link(vport, vfs, link);
        error = esw_rtnl_link_encode_link(scratch, sizeof scratch,
                                          emu_nl_txn_seq(txn),
                                          emu_nl_txn_portid(txn), false,
                                          req.ext_mask, link);
        if (!error && !emu_nl_txn_put(txn, (struct nlmsghdr *) scratch)) {
            error = EMSGSIZE;
        }
        free(link);
        return error;
    }

    uint64_t nic_idx = 0;
    struct emu_nic *nic;
    *more = false;
    EMU_NIC_FOR_EACH (nic) {
        if (nic_idx++ < cursor->pos[0]) {
            continue;
        }
        for (uint64_t i = cursor->pos[1]; i <= nic->total_vfs; i++) {
            struct emu_vport *vport = i ? &nic->vfs[i - 1] : &nic->uplink;

            if (!emu_vport_is_visible(vport)) {
                continue;
            }
            emu_vport_to_link(vport, vfs, link);
            error = esw_rtnl_link_encode_link(scratch, sizeof scratch,
                                              emu_nl_txn_seq(txn),
                                              emu_nl_txn_portid(txn), true,
                                              req.ext_mask, link);
            if (error) {
                free(link);
                return error;
            }
            if (!emu_nl_txn_put(txn, (struct nlmsghdr *) scratch)) {
                cursor->pos[1] = i;
                *more = true;
                free(link);
                return 0;
            }
        }
        cursor->pos[0]++;
        cursor->pos[1] = 0;
    }
    free(link);
    return 0;
}

/* Returns true if RTM_NEWLINK/SETLINK 'request' names no link, neither by
 * ifi_index nor by IFLA_IFNAME: iproute2 sends such a probe to learn
 * whether RTM_NEWLINK works, and expects ENODEV, as the kernel answers. */
static bool
names_no_link(const struct nlmsghdr *request)
{
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(request);
    const struct nlattr *attr;

    if (request->nlmsg_len < NLMSG_LENGTH(sizeof *ifi) || ifi->ifi_index) {
        return false;
    }
    mnl_attr_for_each (attr, request, sizeof *ifi) {
        if (mnl_attr_get_type(attr) == IFLA_IFNAME) {
            return false;
        }
    }
    return true;
}

/* "ip link set dev PF vf N ...". */
static int
handle_setlink(struct emu_nl_txn *txn, const struct nlmsghdr *request)
{
    struct esw_vf_request req;
    char *msg = NULL;
    int error;

    if (names_no_link(request)) {
        return ENODEV;
    }

    error = esw_rtnl_link_decode_vf_request(request, &req, &msg);
    if (error) {
        return fail(txn, error, msg);
    }

    struct emu_vport *vport = (req.ifindex
                               ? emu_nic_vport_by_ifindex(req.ifindex)
                               : emu_nic_vport_by_name(req.name));
    if (!vport) {
        return fail(txn, ENODEV, xstrdup("no such device"));
    }
    if (vport->kind != EMU_VPORT_UPLINK) {
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s is a VF representor, not a PF: VF "
                              "configuration goes to the PF",
                              vport->rep_name));
    }
    error = emu_nic_set_vf_config(vport->nic, &req.config, &msg);
    if (error) {
        return fail(txn, error, msg);
    }
    VLOG_INFO("%s: VF %"PRIu32" configured", vport->nic->name,
              req.config.vf);
    return 0;
}

/* Qdiscs. */

static int
handle_qdisc(struct emu_nl_txn *txn, const struct nlmsghdr *request)
{
    enum tc_qdisc_kind kind;
    bool add;
    int ifindex;
    char *msg = NULL;
    int error;

    error = tc_qdisc_decode(request, request->nlmsg_len, &add, &ifindex,
                            &kind, &msg);
    if (error) {
        return fail(txn, error, msg);
    }

    struct emu_vport *vport = emu_nic_vport_by_ifindex(ifindex);
    if (!vport) {
        return fail(txn, ENODEV, xstrdup("no such device"));
    }
    if (add) {
        if (vport->has_ingress_qdisc
            && request->nlmsg_flags & NLM_F_EXCL) {
            return fail(txn, EEXIST,
                        xstrdup("Exclusivity flag on, cannot modify."));
        }
        vport->has_ingress_qdisc = true;
    } else {
        if (!vport->has_ingress_qdisc) {
            return fail(txn, EINVAL,
                        xstrdup("Cannot find specified qdisc on specified "
                                "device."));
        }
        /* The filters go with their qdisc. */
        emu_flow_table_delete_port(vport->nic->table, vport->port);
        vport->has_ingress_qdisc = false;
    }
    return 0;
}

/* Filters. */

/* The filter message being handled, decoded: 12 kB, so not on the stack nor
 * allocated per request; the daemon is single-threaded. */
static struct esw_flower_rule decoded_rule;

/* Returns the identity in 'vport''s table of the filter that 'rule'
 * names. */
static struct emu_flow_id
rule_id(const struct emu_vport *vport, const struct esw_flower_rule *rule)
{
    return (struct emu_flow_id) {
        .port = vport->port,
        .chain = rule->chain,
        .prio = rule->prio,
        .handle = rule->handle,
    };
}

static bool
is_ingress_parent(uint32_t parent)
{
    return (parent == TC_H_MAKE(TC_H_INGRESS, 0)
            || parent == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
}

/* Finds the vport that filter request 'rule' is attached to, and checks
 * that filters can go there.  Returns 0, or an error for 'txn'. */
static int
filter_vport(struct emu_nl_txn *txn, const struct esw_flower_rule *rule,
             struct emu_vport **vportp)
{
    struct emu_vport *vport = emu_nic_vport_by_ifindex(rule->ifindex);

    if (!vport) {
        return fail(txn, ENODEV, xstrdup("Cannot find ifindex"));
    }
    if (!is_ingress_parent(rule->parent)) {
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s: only ingress filters are offloaded "
                              "(parent %08"PRIx32")", vport->rep_name,
                              rule->parent));
    }
    if (!vport->has_ingress_qdisc) {
        return fail(txn, EINVAL, xstrdup("Parent Qdisc doesn't exists"));
    }
    *vportp = vport;
    return 0;
}

/* Appends 'rule' of 'vport' to 'txn' as the kernel reports a filter.
 * Returns false if it does not fit. */
static bool
put_filter(struct emu_nl_txn *txn, const struct emu_vport *vport,
           const struct emu_flow_rule *rule, uint32_t parent,
           uint16_t nlm_flags, bool terse, struct esw_flower_rule *flower)
{
    size_t len;

    emu_flow_rule_to_flower(rule, time_msec(), flower);
    flower->ifindex = vport->rep_ifindex;
    flower->parent = parent;
    flower->flags = (emu_flow_rule_flags(rule) & ~TCA_CLS_FLAGS_NOT_IN_HW)
                    | TCA_CLS_FLAGS_IN_HW;
    flower->in_hw_count = 1;
    if (tc_flower_encode_reply(scratch, sizeof scratch, flower, nlm_flags,
                               emu_nl_txn_seq(txn), emu_nl_txn_portid(txn),
                               terse, &len)) {
        return false;
    }
    return emu_nl_txn_put(txn, (struct nlmsghdr *) scratch);
}

/* Appends to 'txn' what the kernel sends at the start of each priority of a
 * filter dump: a filter message with handle 0, its kind and chain, and no
 * options, for the priority (and protocol) of 'rule' of 'vport'.  Returns
 * false if it does not fit. */
static bool
put_filter_header(struct emu_nl_txn *txn, const struct emu_vport *vport,
                  const struct emu_flow_rule *rule, uint32_t parent,
                  struct esw_flower_rule *flower)
{
    emu_flow_rule_to_flower(rule, time_msec(), flower);

    struct nlmsghdr *nlh = mnl_nlmsg_put_header(scratch);
    nlh->nlmsg_type = RTM_NEWTFILTER;
    nlh->nlmsg_flags = NLM_F_MULTI;
    nlh->nlmsg_seq = emu_nl_txn_seq(txn);
    nlh->nlmsg_pid = emu_nl_txn_portid(txn);

    struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof *tcm);
    tcm->tcm_family = AF_UNSPEC;
    tcm->tcm_ifindex = vport->rep_ifindex;
    tcm->tcm_parent = parent;
    tcm->tcm_handle = 0;
    tcm->tcm_info = TC_H_MAKE((uint32_t) flower->prio << 16,
                              (OVS_FORCE uint16_t) flower->protocol);
    mnl_attr_put_strz(nlh, TCA_KIND, "flower");
    mnl_attr_put_u32(nlh, TCA_CHAIN, flower->chain);
    return emu_nl_txn_put(txn, nlh);
}

static int
handle_newfilter(struct emu_nl_txn *txn, const struct nlmsghdr *request)
{
    struct esw_flower_rule *rule = &decoded_rule;
    struct emu_vport *vport;
    char *msg = NULL;
    int error;

    error = tc_flower_decode(request, request->nlmsg_len, rule, &msg);
    if (!error) {
        error = esw_flower_rule_check(rule, &msg);
    }
    if (error) {
        COVERAGE_INC(emu_rule_refused);
        return fail(txn, error, msg);
    }
    error = filter_vport(txn, rule, &vport);
    if (error) {
        COVERAGE_INC(emu_rule_refused);
        return error;
    }

    struct emu_nic *nic = vport->nic;
    if (nic->mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        COVERAGE_INC(emu_rule_refused);
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s: eswitch is in %s mode, not switchdev",
                              nic->name, emu_nic_mode_to_string(nic->mode)));
    }
    if (rule->flags & TCA_CLS_FLAGS_SKIP_HW) {
        COVERAGE_INC(emu_rule_refused);
        return fail(txn, EOPNOTSUPP,
                    xstrdup("skip_hw: the emulated NIC has no software "
                            "classifier; every rule is in hardware"));
    }
    if (emu_nic_take_fault(nic, &error)) {
        COVERAGE_INC(emu_rule_refused);
        return fail(txn, error,
                    xasprintf("%s: injected fault", nic->name));
    }

    struct emu_flow_id id = rule_id(vport, rule);
    bool exists = rule->prio && rule->handle
                  && emu_flow_table_find(nic->table, &id);
    const struct emu_flow_rule *installed;
    uint16_t flags = request->nlmsg_flags;

    if (exists && flags & NLM_F_EXCL) {
        error = EEXIST;
        msg = xstrdup("Filter already exists");
    } else if (exists) {
        error = emu_flow_table_replace(nic->table, vport->port, rule,
                                       time_msec(), &installed);
        COVERAGE_INC(emu_rule_replace);
    } else if (!(flags & NLM_F_CREATE)) {
        error = ENOENT;
        msg = xstrdup("Filter with specified priority/protocol not found");
    } else {
        error = emu_flow_table_insert(nic->table, vport->port, rule,
                                      time_msec(), &installed);
        if (error == ENOSPC) {
            msg = xasprintf("%s: flow table full (%"PRIuSIZE" rules)",
                            nic->name, emu_flow_table_capacity(nic->table));
        }
        COVERAGE_INC(emu_rule_add);
    }
    if (error) {
        COVERAGE_INC(emu_rule_refused);
        if (!msg) {
            msg = xasprintf("%s: rule refused by the hardware",
                            vport->rep_name);
        }
        return fail(txn, error, msg);
    }

    if (flags & NLM_F_ECHO) {
        /* The kernel echoes the filter with the request's flags. */
        put_filter(txn, vport, installed, rule->parent, flags, false, rule);
    }
    return 0;
}

static int
handle_delfilter(struct emu_nl_txn *txn, const struct nlmsghdr *request)
{
    struct esw_flower_rule *rule = &decoded_rule;
    struct emu_vport *vport;
    char *msg = NULL;
    int error;

    error = tc_flower_decode(request, request->nlmsg_len, rule, &msg);
    if (error) {
        return fail(txn, error, msg);
    }
    error = filter_vport(txn, rule, &vport);
    if (error) {
        return error;
    }

    struct emu_flow_table *table = vport->nic->table;
    if (emu_nic_take_fault(vport->nic, &error)) {
        return fail(txn, error, xasprintf("%s: injected fault",
                                          vport->nic->name));
    }
    if (!rule->prio) {
        /* "tc filter del dev DEV ingress": the whole chain. */
        emu_flow_table_delete_chain(table, vport->port, rule->chain);
    } else if (!rule->handle) {
        if (!emu_flow_table_delete_prio(table, vport->port, rule->chain,
                                        rule->prio)) {
            error = ENOENT;
            msg = xstrdup("Filter with specified priority/protocol not "
                          "found");
        }
    } else {
        struct emu_flow_id id = rule_id(vport, rule);
        error = emu_flow_table_delete(table, &id);
        if (error) {
            msg = xstrdup("Specified filter handle not found");
        }
    }
    if (!error) {
        COVERAGE_INC(emu_rule_del);
    }
    return error ? fail(txn, error, msg) : 0;
}

/* Dump cursor: the struct emu_flow_dump of the table, in pos[0] to pos[5];
 * in pos[6], 1 + the chain and priority whose header went last; pos[7] is
 * nonzero once the dump started. */
BUILD_ASSERT_DECL(sizeof(struct emu_flow_dump) <= 6 * sizeof(uint64_t));

static int
handle_getfilter(struct emu_nl_txn *txn, const struct nlmsghdr *request,
                 struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct esw_flower_rule *rule = &decoded_rule;
    struct emu_vport *vport;
    char *msg = NULL;
    int error;

    if (!cursor) {
        error = tc_flower_decode(request, request->nlmsg_len, rule, &msg);
        if (error) {
            return fail(txn, error, msg);
        }
        error = filter_vport(txn, rule, &vport);
        if (error) {
            return error;
        }

        struct emu_flow_id id = rule_id(vport, rule);
        const struct emu_flow_rule *found = emu_flow_table_find(
            vport->nic->table, &id);
        uint32_t parent = rule->parent;
        if (!found) {
            return fail(txn, ENOENT, xstrdup("Specified filter handle not "
                                             "found"));
        }
        put_filter(txn, vport, found, parent, 0, false, rule);
        return 0;
    }

    int ifindex;
    uint32_t parent;
    bool terse;
    error = tc_flower_decode_dump_request(request, request->nlmsg_len,
                                          &ifindex, &parent, &terse, &msg);
    if (error) {
        return fail(txn, error, msg);
    }
    vport = emu_nic_vport_by_ifindex(ifindex);
    if (!vport) {
        return fail(txn, ENODEV, xstrdup("Cannot find ifindex"));
    }

    struct emu_flow_dump dump;
    if (!cursor->pos[7]) {
        /* First call: pos[7] marks the cursor as started. */
        emu_flow_dump_init_port(&dump, vport->port);
        cursor->pos[7] = 1;
    } else {
        memcpy(&dump, cursor->pos, sizeof dump);
    }

    *more = false;
    if (is_ingress_parent(parent) && vport->has_ingress_qdisc) {
        for (;;) {
            struct emu_flow_dump saved = dump;
            const struct emu_flow_rule *r = emu_flow_dump_next(
                vport->nic->table, &dump);
            if (!r) {
                break;
            }

            /* Like the kernel, a header message starts each priority. */
            const struct emu_flow_id *id = emu_flow_rule_id(r);
            uint64_t group = ((uint64_t) id->chain << 16 | id->prio) + 1;
            if (cursor->pos[6] != group) {
                if (!put_filter_header(txn, vport, r, parent, rule)) {
                    dump = saved;
                    *more = true;
                    break;
                }
                cursor->pos[6] = group;
            }
            if (!put_filter(txn, vport, r, parent, NLM_F_MULTI, terse,
                            rule)) {
                dump = saved;
                *more = true;
                break;
            }
        }
    }
    memcpy(cursor->pos, &dump, sizeof dump);
    return 0;
}

int
emu_rtnl_handle(struct emu_nl_txn *txn, const struct nlmsghdr *request,
                struct emu_nl_dump_cursor *cursor, bool *more,
                void *aux OVS_UNUSED)
{
    switch (request->nlmsg_type) {
    case RTM_GETLINK:
        return handle_getlink(txn, request, cursor, more);
    case RTM_SETLINK:
    case RTM_NEWLINK:
        return cursor ? EOPNOTSUPP : handle_setlink(txn, request);
    case RTM_NEWQDISC:
    case RTM_DELQDISC:
        return cursor ? EOPNOTSUPP : handle_qdisc(txn, request);
    case RTM_NEWTFILTER:
        return cursor ? EOPNOTSUPP : handle_newfilter(txn, request);
    case RTM_DELTFILTER:
        return cursor ? EOPNOTSUPP : handle_delfilter(txn, request);
    case RTM_GETTFILTER:
        return handle_getfilter(txn, request, cursor, more);
    default:
        return fail(txn, EOPNOTSUPP,
                    xasprintf("rtnetlink message type %"PRIu16" is not "
                              "emulated", request->nlmsg_type));
    }
}
