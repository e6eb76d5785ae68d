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

#include "esw-offload.h"

#include <errno.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "dpif.h"
#include "dpif-eswitch.h"
#include "esw-flower.h"
#include "esw-nl-transport.h"
#include "esw-offload-trace.h"
#include "esw-offload-xlate.h"
#include "esw-vport.h"
#include "hash.h"
#include "netlink.h"
#include "netdev.h"
#include "netdev-offload.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "ovs-rcu.h"
#include "packets.h"
#include "ovs-thread.h"
#include "rtnl-link-codec.h"
#include "simap.h"
#include "smap.h"
#include "tc-flower-codec.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(esw_offload);

COVERAGE_DEFINE(esw_offload_put);
COVERAGE_DEFINE(esw_offload_put_ok);
COVERAGE_DEFINE(esw_offload_put_fail);
COVERAGE_DEFINE(esw_offload_del);
COVERAGE_DEFINE(esw_offload_stats_dump);
COVERAGE_DEFINE(esw_offload_reinstall);
COVERAGE_DEFINE(esw_offload_stale_delete);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Where rules go: the ingress of a representor, as "tc filter add dev DEV
 * ingress" and esw_offload_xlate() say it. */
#define RULE_PARENT TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)

/* TC priorities the engine gives masks.  The engine owns these priorities
 * on the ingress of the vports it claimed; rules at other priorities (a
 * test bed's default path at 0xffff, say) are not its business. */
#define MIN_PRIO 1
#define MAX_PRIO 0xfff0

/* A datapath port, and what backs it in the NIC.
 *
 * A port is known by its netdev name, which is what OVS keeps for an
 * OpenFlow port; its eswitch vport is a separate, changeable binding.  By
 * default the port's own netdev is its vport, if it is a representor (or
 * the uplink) of an eswitch in switchdev mode.  Interface
 * other_config:eswitch-vport names another netdev as the vport.  When the
 * binding changes (set, removed, the vport appears or goes), the flows of
 * the port, as in_port or as an output, are placed again: into the NIC if
 * they now can be, into software only if not.  The datapath port number,
 * hence the OpenFlow port, and the datapath flows stay as they are. */
struct esw_port {
    struct hmap_node node;      /* In 'all_ports', by name. */
    char *name;                 /* Netdev name. */
    odp_port_t odp_port;        /* Datapath port number, ODPP_NONE until
                                 * esw_offload_port_set_vport() says. */
    bool tracked;               /* Its netdev uses our flow API: its flows
                                 * come to the engine. */
    bool internal;              /* A datapath or bridge internal port. */
    bool suspect;               /* Its vport may be gone: resolve again. */
    char *vport_name;           /* other_config:eswitch-vport, or NULL. */
    bool vm_port;               /* An eswitch-vm port (see
                                 * esw_offload_port_set_vf()). */
    char *vf_name;              /* Its VF's representor, or NULL. */

    /* The binding, as last resolved. */
    bool claimed;               /* Has a vport: its flows may be offloaded. */
    char *reason;               /* If not claimed, why. */
    bool vport_gone;            /* Not claimed because the backend says the
                                 * vport does not exist, or is no vport. */
    struct esw_vport vport;     /* If claimed. */
};

/* A megaflow the offload thread gave us. */
struct esw_flow {
    struct hmap_node ufid_node; /* In 'flows', by ufid. */
    struct hmap_node rule_node; /* In 'rules', by identity, if in_hw. */
    ovs_u128 ufid;
    char *port_name;            /* The in_port's netdev. */

    /* The megaflow, kept to place it again when a port's binding
     * changes. */
    struct minimatch match;
    struct nlattr *actions;
    size_t actions_len;

    bool in_hw;
    int ifindex;                /* Identity of the rule, if in_hw. */
    uint16_t prio;
    ovs_be16 protocol;
    uint32_t handle;
    bool pending;               /* In the batch of rules to install. */
    bool reinstall;             /* Pending, to replace a rule the NIC lost. */
    bool retry;                 /* The NIC refused the rule for a reason that
                                 * may pass (full, busy, unreachable): try
                                 * again at the next counter refresh. */
    uint64_t dump_gen;          /* Last dump that saw the rule. */

    /* Why not in hardware, if not. */
    char *reason;

    /* Hardware counters, as last read. */
    uint64_t packets;
    uint64_t bytes;
    long long int used;
};

static struct ovs_mutex mutex = OVS_MUTEX_INITIALIZER;
static struct hmap all_ports OVS_GUARDED_BY(mutex) =
    HMAP_INITIALIZER(&all_ports);
static struct hmap flows OVS_GUARDED_BY(mutex) = HMAP_INITIALIZER(&flows);
static struct hmap rules OVS_GUARDED_BY(mutex) = HMAP_INITIALIZER(&rules);
static struct esw_prio_map prio_map OVS_GUARDED_BY(mutex);
static bool prio_map_initialized OVS_GUARDED_BY(mutex);

/* Backend. */
static char *target OVS_GUARDED_BY(mutex);   /* NULL: the kernel. */
static struct esw_nl *rtnl OVS_GUARDED_BY(mutex);
static int stats_interval OVS_GUARDED_BY(mutex) = 1000;
/* tc-policy=skip_hw: rules run in the kernel's software classifier (a
 * software eswitch of veths, or a test bed); otherwise skip_sw. */
static bool skip_hw OVS_GUARDED_BY(mutex);
static long long int last_dump OVS_GUARDED_BY(mutex);  /* 0: never. */
static uint64_t dump_gen OVS_GUARDED_BY(mutex);
static uint32_t next_handle OVS_GUARDED_BY(mutex) = 1;

/* Counters of failures, by reason token. */
static struct simap fail_counts OVS_GUARDED_BY(mutex) =
    SIMAP_INITIALIZER(&fail_counts);
static uint64_t n_put_ok OVS_GUARDED_BY(mutex);
static uint64_t n_reinstalled OVS_GUARDED_BY(mutex);

/* Buffers for encoding and decoding, under 'mutex': a rule is 12 kB, too
 * much to allocate per flow. */
static uint64_t scratch[65536 / sizeof(uint64_t)] OVS_GUARDED_BY(mutex);
static struct esw_flower_rule put_rule OVS_GUARDED_BY(mutex);
static struct esw_flower_rule del_rule OVS_GUARDED_BY(mutex);

/* Rules waiting to be installed, in one batch: they go to the NIC in as few
 * datagrams as possible when the batch is full, when anything needs the
 * NIC's state to be current (a counter refresh, a deletion, a change of
 * the same flow), or after at most BATCH_DELAY_MS, whichever comes first.
 * Meanwhile their flows are in software, as every flow always is. */
#define BATCH_MAX 64
#define BATCH_DELAY_MS 1
static size_t batch_size OVS_GUARDED_BY(mutex) = BATCH_MAX;
static struct esw_nl_batch pending OVS_GUARDED_BY(mutex);
static struct esw_flow *pending_flows[BATCH_MAX] OVS_GUARDED_BY(mutex);
static size_t n_pending OVS_GUARDED_BY(mutex);
static pthread_cond_t pending_cond = PTHREAD_COND_INITIALIZER;

static void flush_pending(void) OVS_REQUIRES(mutex);

static uint32_t
hash_rule_id(int ifindex, uint16_t prio, uint32_t handle)
{
    return hash_3words(ifindex, prio, handle);
}

static struct esw_port *
port_find(const char *name) OVS_REQUIRES(mutex)
{
    struct esw_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_string(name, 0), &all_ports) {
        if (!strcmp(port->name, name)) {
            return port;
        }
    }
    return NULL;
}

static struct esw_flow *
flow_find(const ovs_u128 *ufid) OVS_REQUIRES(mutex)
{
    struct esw_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, ufid_node, ufid->u32[0], &flows) {
        if (ovs_u128_equals(flow->ufid, *ufid)) {
            return flow;
        }
    }
    return NULL;
}

static void ports_resolve_all(void);

/* Returns the backend handle, opening it if needed, or NULL with an error
 * in '*errorp'. */
static struct esw_nl *
backend(int *errorp) OVS_REQUIRES(mutex)
{
    *errorp = 0;
    if (rtnl && esw_nl_get_status(rtnl)) {
        *errorp = esw_nl_reconnect(rtnl);
        if (*errorp) {
            return NULL;
        }
        /* The NIC's side (an emulator) may have restarted: give the
         * claimed ports their ingress qdiscs again, and make the next
         * flow_get dump at once, which installs again what is missing. */
        last_dump = 0;
        struct esw_port *port;
        HMAP_FOR_EACH (port, node, &all_ports) {
            if (port->claimed) {
                esw_vport_add_ingress_qdisc(rtnl, port->vport.ifindex);
            }
        }
    }
    if (!rtnl) {
        *errorp = esw_nl_open(target, NETLINK_ROUTE, &rtnl);
        if (*errorp) {
            VLOG_WARN_RL(&rl, "cannot reach the eswitch backend %s (%s)",
                         target ? target : "kernel",
                         ovs_strerror(*errorp));
            rtnl = NULL;
            return NULL;
        }
    }
    return rtnl;
}

void
esw_offload_set_config(const struct smap *cfg)
{
    const char *new_target = smap_get(cfg, "eswitch-netlink");
    int interval = smap_get_int(cfg, "eswitch-stats-interval", 1000);
    int batch = smap_get_int(cfg, "eswitch-batch-size", BATCH_MAX);
    const char *policy = smap_get_def(cfg, "tc-policy", "skip_sw");
    bool new_skip_hw = !strcmp(policy, "skip_hw");

    if (new_target && !strcmp(new_target, "kernel")) {
        new_target = NULL;
    }
    ovs_mutex_lock(&mutex);
    if (!nullable_string_is_equal(target, new_target)) {
        VLOG_INFO("eswitch backend: %s", new_target ? new_target : "kernel");
        free(target);
        target = nullable_xstrdup(new_target);
        esw_nl_close(rtnl);
        rtnl = NULL;
    }
    stats_interval = MAX(interval, 10);
    flush_pending();
    batch_size = MIN(MAX(batch, 1), BATCH_MAX);
    if (strcmp(policy, "skip_hw") && strcmp(policy, "skip_sw")) {
        VLOG_WARN_RL(&rl, "tc-policy=%s: the eswitch datapath supports "
                     "skip_sw and skip_hw; using skip_sw", policy);
    }
    if (new_skip_hw != skip_hw) {
        VLOG_INFO("eswitch rules: tc-policy=%s",
                  new_skip_hw ? "skip_hw" : "skip_sw");
        skip_hw = new_skip_hw;
        ports_resolve_all();
    }
    ovs_mutex_unlock(&mutex);
}

/* Ports. */

static void port_replace_flows(const struct esw_port *) OVS_REQUIRES(mutex);
static void port_flush_flows(const char *port_name) OVS_REQUIRES(mutex);

static struct esw_port *
port_find_or_create(const char *name) OVS_REQUIRES(mutex)
{
    struct esw_port *port = port_find(name);

    if (!port) {
        port = xzalloc(sizeof *port);
        port->name = xstrdup(name);
        port->odp_port = ODPP_NONE;
        port->reason = xstrdup("not handled by the eswitch flow API "
                               "(other_config:hw-offload is off)");
        hmap_insert(&all_ports, &port->node, hash_string(name, 0));
    }
    return port;
}

/* Works out again what backs 'port' in the NIC: its vport, from its
 * binding (other_config:eswitch-vport or its own netdev), the backend and
 * tc-policy.  Returns true if the port gained or lost its vport or its
 * vport changed, so that its flows must be placed again. */
/* The device that is 'port''s vport, if any: other_config:eswitch-vport,
 * else the VF of a VM port, else the port's own netdev. */
static const char *
port_vport_dev(const struct esw_port *port)
{
    return (port->vport_name ? port->vport_name
            : port->vf_name ? port->vf_name
            : port->name);
}

static bool
port_resolve(struct esw_port *port) OVS_REQUIRES(mutex)
{
    const char *dev = port_vport_dev(port);
    bool explicit = port->vport_name || port->vf_name;
    struct esw_vport vport = { .ifindex = 0 };
    char *reason = NULL;
    int error = 0;

    if (!port->tracked) {
        reason = xstrdup("not handled by the eswitch flow API "
                         "(other_config:hw-offload is off)");
    } else if (port->vm_port && !explicit) {
        reason = xstrdup("no VF: the VM port is on its synthetic path");
    } else if (skip_hw && !explicit) {
        /* OVS reads a port's packets before TC ingress classifies them, so
         * software rules on the port's own netdev would switch packets
         * that OVS switches as well. */
        reason = xstrdup("tc-policy=skip_hw needs other_config:eswitch-vport,"
                         " the device where the port's traffic enters the "
                         "switch");
    } else {
        struct esw_nl *nl = backend(&error);
        if (!nl) {
            reason = xasprintf("eswitch backend unreachable (%s)",
                               ovs_strerror(error));
        } else {
            error = esw_vport_lookup(nl, dev, skip_hw,
                                     (port->vport_name ? "eswitch-vport "
                                      : port->vf_name ? "options:vf "
                                      : ""),
                                     &vport, &reason);
        }
        if (error && error != ENODEV && error != EOPNOTSUPP
            && port->claimed) {
            /* The backend is unreachable, not the vport gone: keep the
             * binding; the rules are installed again when it is back. */
            free(reason);
            return false;
        }
    }

    bool claimed = !reason;
    port->vport_gone = error == ENODEV || error == EOPNOTSUPP;
    bool changed = (claimed != port->claimed
                    || (claimed && vport.ifindex != port->vport.ifindex));
    if (claimed && changed) {
        VLOG_INFO("%s: eswitch vport %s%s%s, offloading its flows",
                  port->name, vport.phys_port_name,
                  skip_hw ? " (tc-policy=skip_hw)" : "",
                  port->vport_name ? " (other_config:eswitch-vport)" : "");
    } else if (!claimed
               && (changed || !nullable_string_is_equal(port->reason,
                                                         reason))) {
        VLOG_INFO("%s: software only: %s", port->name, reason);
    }
    port->claimed = claimed;
    if (claimed) {
        port->vport = vport;
    } else {
        memset(&port->vport, 0, sizeof port->vport);
    }
    free(port->reason);
    port->reason = reason;
    return changed;
}

/* Resolves every port again (tc-policy changed, or the backend), and
 * places again the flows of those whose vport changed. */
static void
ports_resolve_all(void) OVS_REQUIRES(mutex)
{
    struct esw_port *port;

    HMAP_FOR_EACH (port, node, &all_ports) {
        if (port->tracked && port_resolve(port)) {
            port_replace_flows(port);
        }
    }
}

int
esw_offload_port_init(struct netdev *netdev)
{
    const char *dpif_type = netdev_get_dpif_type(netdev);
    const char *name = netdev_get_name(netdev);

    if (!dpif_type || strcmp(dpif_type, DPIF_ESWITCH_TYPE)) {
        return EOPNOTSUPP;
    }

    ovs_mutex_lock(&mutex);
    struct esw_port *port = port_find_or_create(name);

    /* The datapath's and the bridges' own ports are never NIC vports, and
     * the backend need not be asked (it may not even be configured yet for
     * the datapath's own port).  Every other port's flows come to the
     * engine, whether or not the port has a vport now, so that a change of
     * binding can place them. */
    const char *type = netdev_get_type(netdev);
    int error = 0;
    if (!strcmp(type, "tap") || !strcmp(type, "internal")
        || !strcmp(type, "dummy-internal")) {
        port->tracked = false;
        port->internal = true;
        free(port->reason);
        port->reason = xasprintf("internal port (%s), not a NIC vport",
                                 type);
        VLOG_INFO("%s: software only: %s", name, port->reason);
        error = EOPNOTSUPP;
    } else {
        port->tracked = true;
        port->internal = false;
        if (port_resolve(port)) {
            port_replace_flows(port);
        }
    }
    ovs_mutex_unlock(&mutex);
    return error;
}

void
esw_offload_port_uninit(struct netdev *netdev)
{
    const char *name = netdev_get_name(netdev);

    ovs_mutex_lock(&mutex);
    port_flush_flows(name);
    struct esw_port *port = port_find(name);
    if (port) {
        bool was_claimed = port->claimed;
        port->tracked = false;
        port->claimed = false;
        memset(&port->vport, 0, sizeof port->vport);
        free(port->vport_name);
        port->vport_name = NULL;
        free(port->reason);
        port->reason = xstrdup("removed");
        if (was_claimed) {
            /* Flows of other ports that output to it leave the NIC now,
             * not when revalidation changes their actions. */
            port_replace_flows(port);
        }
    }
    ovs_mutex_unlock(&mutex);
}

int
esw_offload_port_check_vport(const char *name, const char *vport,
                             char **errorp)
{
    *errorp = NULL;
    if (!vport) {
        return 0;
    }
    if (!esw_vport_name_is_valid(vport)) {
        *errorp = xasprintf("other_config:eswitch-vport=\"%s\" is not a "
                            "network device name", vport);
        return EINVAL;
    }

    ovs_mutex_lock(&mutex);
    const struct esw_port *port = port_find(name);
    bool internal = port && port->internal;
    ovs_mutex_unlock(&mutex);
    if (internal) {
        *errorp = xasprintf("port %s is an internal port: it cannot have an "
                            "eswitch vport", name);
        return EINVAL;
    }
    return 0;
}

void
esw_offload_port_set_vport(const char *name, odp_port_t odp_port,
                           const char *vport)
{
    ovs_mutex_lock(&mutex);
    struct esw_port *port = port_find_or_create(name);
    port->odp_port = odp_port;
    if (!nullable_string_is_equal(port->vport_name, vport)) {
        free(port->vport_name);
        port->vport_name = nullable_xstrdup(vport);
        if (port_resolve(port)) {
            port_replace_flows(port);
        }
    }
    ovs_mutex_unlock(&mutex);
}

void
esw_offload_port_set_vf(const char *name, bool vm_port, const char *vf)
{
    ovs_mutex_lock(&mutex);
    struct esw_port *port = port_find_or_create(name);
    bool changed = port->vm_port != vm_port;
    port->vm_port = vm_port;
    if (!nullable_string_is_equal(port->vf_name, vf)) {
        free(port->vf_name);
        port->vf_name = nullable_xstrdup(vf);
        changed = true;
    }
    if (changed && port->tracked && port_resolve(port)) {
        port_replace_flows(port);
    }
    ovs_mutex_unlock(&mutex);
}

enum esw_vf_state
esw_offload_port_vf_state(const char *name, bool recheck)
{
    enum esw_vf_state state = ESW_VF_UNKNOWN;

    /* The caller polls: never wait for a counter refresh to finish. */
    if (ovs_mutex_trylock(&mutex)) {
        return ESW_VF_UNKNOWN;
    }
    struct esw_port *port = port_find(name);
    if (port && port->tracked && port->vf_name && !port->vport_name) {
        if (recheck && !port->claimed && port_resolve(port)) {
            port_replace_flows(port);
        }
        state = (port->claimed ? ESW_VF_PRESENT
                 : port->vport_gone ? ESW_VF_GONE
                 : ESW_VF_UNKNOWN);
    }
    ovs_mutex_unlock(&mutex);
    return state;
}

bool
esw_offload_port_query(const char *name, int *ifindex, char **eswitch,
                       char **reason)
{
    bool claimed;

    ovs_mutex_lock(&mutex);
    const struct esw_port *port = port_find(name);
    claimed = port && port->claimed;
    *ifindex = claimed ? port->vport.ifindex : 0;
    *eswitch = claimed ? xstrdup(port->vport.switch_id) : NULL;
    *reason = port && !claimed ? nullable_xstrdup(port->reason) : NULL;
    ovs_mutex_unlock(&mutex);
    return claimed;
}

/* Flows. */

/* The xlate port map: datapath port -> what the NIC calls it.  The ports
 * looked up during one translation are kept in 'struct xlate_ports'. */
struct xlate_ports {
    size_t n;
    struct esw_xlate_port ports[ESW_FLOWER_MAX_ACTIONS + 1];
};

static const struct esw_xlate_port *
lookup_port(const void *ports_, odp_port_t odp_port)
{
    struct xlate_ports *ports = CONST_CAST(struct xlate_ports *, ports_);

    for (size_t i = 0; i < ports->n; i++) {
        if (ports->ports[i].odp_port == odp_port) {
            return &ports->ports[i];
        }
    }
    if (ports->n >= ARRAY_SIZE(ports->ports)) {
        return NULL;
    }

    struct netdev *netdev = netdev_ports_get(odp_port, DPIF_ESWITCH_TYPE);
    if (!netdev) {
        return NULL;
    }
    /* 'mutex' is held by our caller. */
    const struct esw_port *port = port_find(netdev_get_name(netdev));
    struct esw_xlate_port *out = &ports->ports[ports->n++];
    memset(out, 0, sizeof *out);
    out->odp_port = odp_port;
    out->name = port ? port->name : netdev_get_name(netdev);
    if (port && port->claimed) {
        out->ifindex = port->vport.ifindex;
        out->eswitch = port->vport.switch_id;
    } else {
        out->ifindex = netdev_get_ifindex(netdev);
        if (out->ifindex < 0) {
            out->ifindex = 0;
        }
    }
    netdev_close(netdev);
    return out;
}

static void
flow_set_reason(struct esw_flow *flow, const char *token, char *reason)
    OVS_REQUIRES(mutex)
{
    free(flow->reason);
    flow->reason = reason;
    simap_increase(&fail_counts, token, 1);
    COVERAGE_INC(esw_offload_put_fail);
}

/* Sends 'msg' (a filter request) and returns 0 or the error, with the
 * extack message in '*extackp'. */
static int
transact(const struct nlmsghdr *msg, char **extackp) OVS_REQUIRES(mutex)
{
    int error;
    struct esw_nl *nl = backend(&error);

    *extackp = NULL;
    return nl ? esw_nl_transact(nl, msg, NULL, extackp) : error;
}

/* Encodes into 'scratch' the deletion of the rule with 'prio', 'protocol'
 * and 'handle' on the ingress of 'ifindex'.  Returns 0, or a positive
 * errno if it does not fit (it always does). */
static int
encode_delete(int ifindex, uint16_t prio, ovs_be16 protocol, uint32_t handle)
    OVS_REQUIRES(mutex)
{
    size_t len;

    esw_flower_rule_init(&del_rule);
    del_rule.ifindex = ifindex;
    del_rule.parent = RULE_PARENT;
    del_rule.prio = prio;
    del_rule.protocol = protocol;
    del_rule.handle = handle;
    return tc_flower_encode_del(scratch, sizeof scratch, &del_rule, 0, &len);
}

/* Forgets that 'flow''s rule is in the NIC (the caller deletes it, or
 * knows it is gone). */
static void
flow_forget_hw(struct esw_flow *flow) OVS_REQUIRES(mutex)
{
    if (flow->in_hw) {
        hmap_remove(&rules, &flow->rule_node);
        flow->in_hw = false;
    }
}

/* Deletes 'flow''s rule from the NIC, if it is there. */
static void
flow_remove_hw(struct esw_flow *flow) OVS_REQUIRES(mutex)
{
    if (!flow->in_hw) {
        return;
    }

    char *extack = NULL;
    int error = encode_delete(flow->ifindex, flow->prio, flow->protocol,
                              flow->handle);
    if (!error) {
        error = transact((struct nlmsghdr *) scratch, &extack);
    }
    if (error && error != ENOENT && error != ENODEV) {
        /* The rule may be left in the NIC: the next counter dump finds
         * no flow for it and deletes it then.  (ENODEV: the vport, and
         * its rules with it, are gone.) */
        VLOG_WARN_RL(&rl, "%s: could not delete hardware rule prio %"PRIu16
                     " handle %"PRIu32": %s%s%s", flow->port_name,
                     flow->prio, flow->handle, ovs_strerror(error),
                     extack ? ": " : "", extack ? extack : "");
    }
    free(extack);
    flow_forget_hw(flow);
    COVERAGE_INC(esw_offload_del);
}

static void
flow_destroy(struct esw_flow *flow) OVS_REQUIRES(mutex)
{
    ovs_assert(!flow->in_hw && !flow->pending);
    hmap_remove(&flows, &flow->ufid_node);
    minimatch_destroy(&flow->match);
    free(flow->actions);
    free(flow->port_name);
    free(flow->reason);
    free(flow);
}

/* Forgets the flows whose in_port is 'port_name', and deletes their rules
 * from the NIC in one batch.  Pending rules are sent first.  A deletion
 * that fails leaves a rule that the next counter dump finds without a
 * flow, and deletes. */
static void
port_flush_flows(const char *port_name) OVS_REQUIRES(mutex)
{
    struct esw_nl_batch batch;
    struct esw_flow *flow;
    int error;

    flush_pending();
    esw_nl_batch_init(&batch);
    HMAP_FOR_EACH_SAFE (flow, ufid_node, &flows) {
        if (strcmp(flow->port_name, port_name)) {
            continue;
        }
        if (flow->in_hw
            && !encode_delete(flow->ifindex, flow->prio, flow->protocol,
                              flow->handle)) {
            esw_nl_batch_add(&batch, (struct nlmsghdr *) scratch);
            COVERAGE_INC(esw_offload_del);
        }
        flow_forget_hw(flow);
        flow_destroy(flow);
    }
    struct esw_nl *nl = esw_nl_batch_count(&batch) ? backend(&error) : NULL;
    if (nl) {
        esw_nl_batch_send(nl, &batch);
    }
    esw_nl_batch_uninit(&batch);
}

/* Records that 'flow''s queued rule is installed in the NIC. */
static void
flow_mark_installed(struct esw_flow *flow) OVS_REQUIRES(mutex)
{
    flow->in_hw = true;
    flow->retry = false;
    flow->dump_gen = dump_gen;
    free(flow->reason);
    flow->reason = NULL;
    hmap_insert(&rules, &flow->rule_node,
                hash_rule_id(flow->ifindex, flow->prio, flow->handle));
}

/* Whether the NIC may accept later what it refused now with 'error'. */
static bool
is_transient(int error)
{
    return (error == ENOSPC || error == EBUSY || error == EAGAIN
            || error == ETIMEDOUT || error == ECONNRESET || error == EPIPE
            || error == ECONNREFUSED || error == ENOENT || error == ENOBUFS
            || error == ENOMEM || error == EIO);
}

/* Encodes 'rule' for 'flow' and queues it for installation, as a
 * replacement of 'flow''s rule in the NIC if 'in_place'.  Returns 0, or a
 * positive errno and a message in '*whyp' if it cannot be encoded. */
static int
flow_queue(struct esw_flow *flow, struct esw_flower_rule *rule,
           bool in_place, char **whyp) OVS_REQUIRES(mutex)
{
    size_t len;

    if (in_place) {
        rule->handle = flow->handle;
    } else {
        rule->handle = next_handle++;
        if (!next_handle) {
            next_handle = 1;
        }
    }
    /* Without NLM_F_EXCL, a filter with that handle is replaced. */
    int error = tc_flower_encode_new(scratch, sizeof scratch, rule,
                                     (in_place ? NLM_F_CREATE
                                      : NLM_F_CREATE | NLM_F_EXCL),
                                     0, &len);
    if (error) {
        *whyp = xasprintf("cannot encode the rule (%s)",
                          ovs_strerror(error));
        return error;
    }

    flow->ifindex = rule->ifindex;
    flow->prio = rule->prio;
    flow->protocol = rule->protocol;
    flow->handle = rule->handle;

    if (!pending.entries && !pending.n) {
        esw_nl_batch_init(&pending);
    }
    esw_nl_batch_add(&pending, (struct nlmsghdr *) scratch);
    pending_flows[n_pending++] = flow;
    flow->pending = true;
    if (n_pending >= batch_size) {
        flush_pending();
    } else if (n_pending == 1) {
        xpthread_cond_signal(&pending_cond);
    }
    return 0;
}

/* Sends the batch of pending rules and records what became of each. */
static void
flush_pending(void) OVS_REQUIRES(mutex)
{
    if (!n_pending) {
        return;
    }

    int error;
    struct esw_nl *nl = backend(&error);
    if (nl) {
        esw_nl_batch_send(nl, &pending);
    }
    for (size_t i = 0; i < n_pending; i++) {
        struct esw_flow *flow = pending_flows[i];
        const struct esw_nl_result *result
            = nl ? esw_nl_batch_result(&pending, i) : NULL;
        int flow_error = result ? result->error : error;
        bool reinstall = flow->reinstall;

        flow->pending = false;
        flow->reinstall = false;
        if (!flow_error) {
            if (flow->in_hw) {
                /* Replaced in place. */
                flow->dump_gen = dump_gen;
            } else {
                flow_mark_installed(flow);
            }
            n_put_ok++;
            n_reinstalled += reinstall;
            COVERAGE_INC(esw_offload_put_ok);
            continue;
        }
        if (flow->in_hw) {
            /* The replacement failed: the old actions must not stay. */
            flow_remove_hw(flow);
        }
        flow->retry = is_transient(flow_error);
        flow_set_reason(flow, reinstall ? "lost-by-hardware"
                                        : "refused-by-hardware",
                        xasprintf("%s: %s%s%s%s",
                                  reinstall
                                  ? "the NIC lost the rule and refused it "
                                    "again"
                                  : "hardware refused the rule",
                                  ovs_strerror(flow_error),
                                  result && result->extack ? ": " : "",
                                  result && result->extack
                                  ? result->extack : "",
                                  flow->retry ? " (will try again)" : ""));
    }
    esw_nl_batch_clear(&pending);
    n_pending = 0;
}

/* Sends a batch that nothing else sends within BATCH_DELAY_MS. */
static void *
flusher_main(void *arg OVS_UNUSED)
{
    for (;;) {
        ovs_mutex_lock(&mutex);
        if (!n_pending) {
            /* Not in an RCU critical section while waiting. */
            ovsrcu_quiesce_start();
            while (!n_pending) {
                ovs_mutex_cond_wait(&pending_cond, &mutex);
            }
            ovsrcu_quiesce_end();
        }
        ovs_mutex_unlock(&mutex);

        xnanosleep(BATCH_DELAY_MS * 1000 * 1000);

        ovs_mutex_lock(&mutex);
        flush_pending();
        ovs_mutex_unlock(&mutex);
    }
    return NULL;
}

/* Translates the megaflow 'match' of in_port 'in_port_name' with datapath
 * actions 'actions' into 'rule' with the ports' current bindings and
 * tc-policy's flags, and if 'assign_prio' with its TC priority.  Returns 0,
 * or a positive errno with the reason token in '*tokenp' and a malloc'd
 * sentence in '*reasonp'. */
static int
xlate_megaflow(const char *in_port_name, const struct match *match,
               const struct nlattr *actions, size_t actions_len,
               bool assign_prio, struct esw_flower_rule *rule,
               const char **tokenp, char **reasonp) OVS_REQUIRES(mutex)
{
    struct esw_port *port = port_find(in_port_name);

    *tokenp = NULL;
    *reasonp = NULL;
    if (!port || !port->claimed) {
        *tokenp = "port-not-on-eswitch";
        *reasonp = xasprintf("in_port %s: %s", in_port_name,
                             port && port->reason ? port->reason
                             : "not a vport of an eswitch");
        return EOPNOTSUPP;
    }

    struct xlate_ports xports = { .n = 0 };
    struct esw_xlate_port_map map = { .lookup = lookup_port,
                                      .aux = &xports };
    enum esw_xlate_reason xr = esw_offload_xlate(match, actions, actions_len,
                                                 &map, rule, reasonp);
    if (xr != ESW_XLATE_OK) {
        *tokenp = esw_xlate_reason_to_string(xr);
        return EOPNOTSUPP;
    }
    rule->flags = skip_hw ? TCA_CLS_FLAGS_SKIP_HW : TCA_CLS_FLAGS_SKIP_SW;
    if (!assign_prio) {
        return 0;
    }
    if (!prio_map_initialized) {
        esw_prio_map_init(&prio_map, MIN_PRIO, MAX_PRIO);
        prio_map_initialized = true;
    }
    if (esw_prio_map_get(&prio_map, rule, &rule->prio)) {
        *tokenp = "no-prio-left";
        *reasonp = xasprintf("no TC priority left for another mask "
                             "(%d masks in use)", MAX_PRIO);
        return ENOSPC;
    }
    return 0;
}

/* xlate_megaflow() of 'flow', with its TC priority. */
static int
flow_xlate(const struct esw_flow *flow, struct esw_flower_rule *rule,
           const char **tokenp, char **reasonp) OVS_REQUIRES(mutex)
{
    struct match match;

    minimatch_expand(&flow->match, &match);
    return xlate_megaflow(flow->port_name, &match, flow->actions,
                          flow->actions_len, true, rule, tokenp, reasonp);
}

int
esw_offload_explain(const struct match *match, const struct nlattr *actions,
                    size_t actions_len, struct esw_flower_rule *rule,
                    char **reasonp)
{
    odp_port_t in_port = match->flow.in_port.odp_port;
    struct netdev *netdev = netdev_ports_get(in_port, DPIF_ESWITCH_TYPE);
    const char *token;
    int error;

    if (!netdev) {
        esw_flower_rule_init(rule);
        *reasonp = xasprintf("port-unknown: in_port %"PRIu32" is not a "
                             "port of an eswitch datapath",
                             odp_to_u32(in_port));
        return ENODEV;
    }
    ovs_mutex_lock(&mutex);
    error = xlate_megaflow(netdev_get_name(netdev), match, actions,
                           actions_len, false, rule, &token, reasonp);
    ovs_mutex_unlock(&mutex);
    netdev_close(netdev);
    if (error) {
        char *reason = xasprintf("%s: %s", token, *reasonp);
        free(*reasonp);
        *reasonp = reason;
    }
    return error;
}

/* Places 'flow' where it belongs now: its rule is queued for the NIC (a
 * new rule, or the replacement of its rule in place), or, if the flow
 * cannot be offloaded now, its rule (if any) is deleted and the reason
 * recorded.  The software flow is unaffected either way. */
static void
flow_place(struct esw_flow *flow) OVS_REQUIRES(mutex)
{
    struct esw_flower_rule *rule = &put_rule;
    const char *token;
    char *reason;

    if (flow->pending) {
        flush_pending();
    }
    flow->retry = false;
    free(flow->reason);
    flow->reason = NULL;

    int error = flow_xlate(flow, rule, &token, &reason);
    if (!error) {
        /* A rule with the same attachment and mask (hence prio) is
         * replaced in place, so that no packet misses while it changes;
         * otherwise the old rule goes first. */
        bool in_place = (flow->in_hw && flow->ifindex == rule->ifindex
                         && flow->prio == rule->prio
                         && flow->protocol == rule->protocol);
        if (flow->in_hw && !in_place) {
            flow_remove_hw(flow);
        }
        error = flow_queue(flow, rule, in_place, &reason);
        token = "unencodable";
    }
    if (error) {
        /* Never leave the NIC running the old actions. */
        flow_remove_hw(flow);
        flow->reinstall = false;
        flow_set_reason(flow, token, reason);
        VLOG_DBG_RL(&rl, "%s: flow "UUID_FMT" stays in software: %s",
                    flow->port_name, UUID_ARGS((struct uuid *) &flow->ufid),
                    flow->reason);
    }
}

/* Whether 'flow' has 'port' as its in_port or outputs to it.  Outputs are
 * looked for at the top level of the actions: a flow with nested actions
 * is never offloaded, and so never depends on a binding. */
static bool
flow_uses_port(const struct esw_flow *flow, const struct esw_port *port)
{
    if (!strcmp(flow->port_name, port->name)) {
        return true;
    }
    if (port->odp_port == ODPP_NONE) {
        return true;
    }

    const struct nlattr *a;
    unsigned int left;
    NL_ATTR_FOR_EACH_UNSAFE (a, left, flow->actions, flow->actions_len) {
        if (nl_attr_type(a) == OVS_ACTION_ATTR_OUTPUT
            && nl_attr_get_odp_port(a) == port->odp_port) {
            return true;
        }
    }
    return false;
}

/* Places again every flow that uses 'port', whose binding changed. */
static void
port_replace_flows(const struct esw_port *port) OVS_REQUIRES(mutex)
{
    struct esw_flow *flow;
    size_t n = 0;

    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        if (flow_uses_port(flow, port)) {
            flow_place(flow);
            n++;
        }
    }
    flush_pending();
    if (n) {
        VLOG_INFO("%s: placed %"PRIuSIZE" flows again after a change of "
                  "its eswitch vport", port->name, n);
    }
}

/* Tries again, once, the flows whose rules the NIC refused for a reason
 * that may have passed. */
static void
retry_refused(void) OVS_REQUIRES(mutex)
{
    struct esw_flow *flow;

    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        if (flow->retry && !flow->in_hw && !flow->pending) {
            flow_place(flow);
        }
    }
    flush_pending();
}

int
esw_offload_flow_put(struct netdev *netdev, struct match *match,
                     struct nlattr *actions, size_t actions_len,
                     const ovs_u128 *ufid, struct dpif_flow_stats *stats)
{
    const char *name = netdev_get_name(netdev);

    COVERAGE_INC(esw_offload_put);
    ovs_mutex_lock(&mutex);

    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    if (ovsthread_once_start(&once)) {
        ovs_thread_create("esw_flush", flusher_main, NULL);
        ovsthread_once_done(&once);
    }

    struct esw_flow *flow = flow_find(ufid);
    if (flow) {
        /* A change of actions (or a new match for the same ufid).  The old
         * rule stays until the new one replaces it, or goes if there is
         * none (flow_place()). */
        if (stats) {
            memset(stats, 0, sizeof *stats);
            stats->n_packets = flow->packets;
            stats->n_bytes = flow->bytes;
            stats->used = flow->used;
        }
        minimatch_destroy(&flow->match);
        free(flow->actions);
    } else {
        if (stats) {
            memset(stats, 0, sizeof *stats);
        }
        flow = xzalloc(sizeof *flow);
        flow->ufid = *ufid;
        flow->port_name = xstrdup(name);
        hmap_insert(&flows, &flow->ufid_node, ufid->u32[0]);
    }
    minimatch_init(&flow->match, match);
    flow->actions = xmemdup(actions, actions_len);
    flow->actions_len = actions_len;
    flow->packets = flow->bytes = 0;
    flow->used = 0;
    flow_place(flow);
    ovs_mutex_unlock(&mutex);

    /* The engine has the flow, in the NIC or not: OVS must tell it when the
     * flow goes (it does so only for flows whose flow_put succeeded). */
    return 0;
}

/* Counters. */

struct dump_ctx {
    int ifindex;
    long long int now;
    struct esw_nl_batch *stale;     /* Deletions of rules of no flow. */
};

static int
dump_cb(const struct nlmsghdr *msg, void *ctx_) OVS_REQUIRES(mutex)
{
    struct dump_ctx *ctx = ctx_;
    struct esw_flower_action_stats s;
    struct esw_flow *flow;
    char *error_msg = NULL;
    uint32_t handle;
    uint16_t prio;

    int error = tc_flower_decode_stats(msg, msg->nlmsg_len, &prio, &handle,
                                       &s, &error_msg);
    if (error) {
        /* ENOENT: the header the kernel starts each priority with (what
         * "tc filter show" prints as "filter protocol ip pref 1 flower
         * chain 0"). */
        if (error != ENOENT) {
            VLOG_WARN_RL(&rl, "undecodable filter in dump: %s", error_msg);
        }
        free(error_msg);
        return 0;
    }
    HMAP_FOR_EACH_WITH_HASH (flow, rule_node,
                             hash_rule_id(ctx->ifindex, prio, handle),
                             &rules) {
        if (flow->ifindex == ctx->ifindex && flow->prio == prio
            && flow->handle == handle) {
            flow->dump_gen = dump_gen;
            if (s.packets > flow->packets) {
                /* Terse dumps carry no last-use time: the rule was used
                 * since the last dump. */
                flow->used = ctx->now - s.lastuse_ms;
            }
            flow->packets = s.packets;
            flow->bytes = s.bytes;
            if (skip_hw) {
                /* The kernel's classifier counts from the network header
                 * (it has pulled the Ethernet header, and any VLAN tag,
                 * before TC ingress); a NIC, and OVS, count whole
                 * frames. */
                flow->bytes += s.packets * (ETH_HEADER_LEN
                                            + (eth_type_vlan(flow->protocol)
                                               ? VLAN_HEADER_LEN : 0));
            }
            return 0;
        }
    }

    /* A rule of no flow: left behind by a deletion that failed, or by
     * anyone else.  The engine owns its priorities on the ingress of the
     * vports it claimed; the NIC must never apply a rule whose software
     * flow is gone. */
    const struct tcmsg *tcm = NLMSG_DATA(msg);
    if (prio >= MIN_PRIO && prio <= MAX_PRIO
        && !encode_delete(ctx->ifindex, prio,
                       (OVS_FORCE ovs_be16) TC_H_MIN(tcm->tcm_info), handle)) {
        esw_nl_batch_add(ctx->stale, (struct nlmsghdr *) scratch);
    }
    return 0;
}

/* Reads the counters of every rule of every claimed port, by terse dumps,
 * and installs again the rules that a dump did not report. */
static void
refresh_stats(void) OVS_REQUIRES(mutex)
{
    struct esw_port *port;
    struct esw_flow *flow;
    int error;

    flush_pending();
    struct esw_nl *nl = backend(&error);
    if (!nl) {
        return;
    }
    COVERAGE_INC(esw_offload_stats_dump);
    dump_gen++;

    struct esw_nl_batch stale;
    esw_nl_batch_init(&stale);
    struct dump_ctx ctx = {
        .now = time_msec(),
        .stale = &stale,
    };
    bool complete = true;
    HMAP_FOR_EACH (port, node, &all_ports) {
        size_t len;

        if (!port->claimed) {
            continue;
        }
        ctx.ifindex = port->vport.ifindex;
        error = tc_flower_encode_dump_request(scratch, sizeof scratch,
                                              port->vport.ifindex,
                                              RULE_PARENT,
                                              true, 0, &len);
        if (!error) {
            error = esw_nl_dump(nl, (struct nlmsghdr *) scratch, dump_cb,
                                &ctx);
        }
        if (error == ENODEV) {
            /* The vport went away: resolved again below. */
            VLOG_INFO_RL(&rl, "%s: vport %s is gone", port->name,
                         port->vport.phys_port_name);
            complete = false;
        } else if (error) {
            VLOG_WARN_RL(&rl, "%s: counter dump failed (%s)", port->name,
                         ovs_strerror(error));
            complete = false;
        }
    }
    last_dump = time_msec();

    /* A vport may have come (a VF was created, a device renamed) or gone
     * (its dump failed, or lacked the port's rules): resolve such ports
     * again. */
    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        if (flow->in_hw && flow->dump_gen != dump_gen) {
            port = port_find(flow->port_name);
            if (port) {
                port->suspect = true;
            }
        }
    }
    HMAP_FOR_EACH (port, node, &all_ports) {
        bool suspect = port->suspect || !complete;
        port->suspect = false;
        if (port->tracked && (!port->claimed || suspect)
            && port_resolve(port)) {
            port_replace_flows(port);
        }
    }

    size_t n_stale = esw_nl_batch_count(&stale);
    if (n_stale) {
        COVERAGE_ADD(esw_offload_stale_delete, n_stale);
        VLOG_INFO_RL(&rl, "deleting %"PRIuSIZE" hardware rules that no flow "
                     "has", n_stale);
        esw_nl_batch_send(nl, &stale);
    }
    esw_nl_batch_uninit(&stale);

    if (!complete) {
        return;
    }
    /* What the NIC lost (a reset, an emulator restart): install again. */
    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        if (flow->in_hw && flow->dump_gen != dump_gen && !flow->pending) {
            flow_forget_hw(flow);
            COVERAGE_INC(esw_offload_reinstall);
            flow->reinstall = true;     /* flow_place() clears it if the
                                         * flow stays in software. */
            flow_place(flow);
        }
    }
    retry_refused();
}

int
esw_offload_flow_get(struct netdev *netdev OVS_UNUSED, const ovs_u128 *ufid,
                     struct dpif_flow_stats *stats,
                     struct dpif_flow_attrs *attrs)
{
    int error = 0;

    ovs_mutex_lock(&mutex);
    if (time_msec() - last_dump >= stats_interval) {
        refresh_stats();
    }
    struct esw_flow *flow = flow_find(ufid);
    if (!flow || !flow->in_hw) {
        error = ENOENT;
    } else {
        memset(stats, 0, sizeof *stats);
        stats->n_packets = flow->packets;
        stats->n_bytes = flow->bytes;
        stats->used = flow->used;
        attrs->offloaded = true;
        attrs->dp_layer = "eswitch";
        attrs->dp_extra_info = NULL;
    }
    ovs_mutex_unlock(&mutex);
    return error;
}

int
esw_offload_flow_del(struct netdev *netdev OVS_UNUSED, const ovs_u128 *ufid,
                     struct dpif_flow_stats *stats)
{
    int error = 0;

    ovs_mutex_lock(&mutex);
    struct esw_flow *flow = flow_find(ufid);
    if (flow && flow->pending) {
        flush_pending();
    }
    if (!flow) {
        error = ENOENT;
    } else {
        if (stats) {
            memset(stats, 0, sizeof *stats);
            stats->n_packets = flow->packets;
            stats->n_bytes = flow->bytes;
            stats->used = flow->used;
        }
        flow_remove_hw(flow);
        flow_destroy(flow);
    }
    ovs_mutex_unlock(&mutex);
    return error;
}

int
esw_offload_flow_flush(struct netdev *netdev)
{
    ovs_mutex_lock(&mutex);
    port_flush_flows(netdev_get_name(netdev));
    ovs_mutex_unlock(&mutex);
    return 0;
}

int
esw_offload_flow_count(struct netdev *netdev, uint64_t *n_flows)
{
    const char *name = netdev_get_name(netdev);
    struct esw_flow *flow;
    uint64_t n = 0;

    ovs_mutex_lock(&mutex);
    flush_pending();
    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        n += flow->in_hw && !strcmp(flow->port_name, name);
    }
    ovs_mutex_unlock(&mutex);
    *n_flows = n;
    return 0;
}

/* ovs-appctl. */

/* An esw_flower_ifname_func: the name of the claimed port with 'ifindex'.
 * 'mutex' is held by the caller. */
static const char *
port_name_by_ifindex(int ifindex, void *aux OVS_UNUSED)
{
    const struct esw_port *port;

    HMAP_FOR_EACH (port, node, &all_ports) {
        if (port->claimed && port->vport.ifindex == ifindex) {
            return port_vport_dev(port);
        }
    }
    return NULL;
}

static void
format_flow(const struct esw_flow *flow, struct ds *ds) OVS_REQUIRES(mutex)
{
    ds_put_format(ds, "ufid:"UUID_FMT" in_port %s: ",
                  UUID_ARGS((struct uuid *) &flow->ufid), flow->port_name);
    if (!flow->in_hw) {
        ds_put_format(ds, "software (%s)\n", flow->reason ? flow->reason
                                                          : "unknown");
        return;
    }
    ds_put_format(ds, "hardware, packets:%"PRIu64" bytes:%"PRIu64"\n",
                  flow->packets, flow->bytes);

    /* The rule, as translated again: the same as installed, as long as the
     * bindings are (a change of binding places the flow again). */
    struct esw_flower_rule *rule = &del_rule;
    const char *token;
    char *reason;
    if (!flow_xlate(flow, rule, &token, &reason)) {
        rule->prio = flow->prio;
        rule->handle = flow->handle;
        ds_put_cstr(ds, "    ");
        esw_flower_rule_format(rule, ds);
        ds_put_cstr(ds, "\n    tc: ");
        esw_flower_rule_format_command(rule, port_name_by_ifindex, NULL, ds);
        ds_put_char(ds, '\n');
    }
    free(reason);
}

static void
offload_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    const struct esw_port *port;
    const struct esw_flow *flow;
    size_t n_hw = 0, n_sw = 0;

    ovs_mutex_lock(&mutex);
    flush_pending();
    ds_put_format(&ds, "backend: %s, tc-policy %s\n",
                  target ? target : "kernel",
                  skip_hw ? "skip_hw" : "skip_sw");
    ds_put_cstr(&ds, "ports:\n");
    HMAP_FOR_EACH (port, node, &all_ports) {
        if (port->claimed) {
            ds_put_format(&ds, "  %s: eswitch vport %s (ifindex %d)",
                          port->name, port->vport.phys_port_name,
                          port->vport.ifindex);
            if (port->vport_name) {
                ds_put_format(&ds, ", other_config:eswitch-vport=%s",
                              port->vport_name);
            }
            ds_put_char(&ds, '\n');
        } else {
            ds_put_format(&ds, "  %s: software only: %s\n", port->name,
                          port->reason);
        }
    }
    ds_put_cstr(&ds, "flows:\n");
    HMAP_FOR_EACH (flow, ufid_node, &flows) {
        ds_put_cstr(&ds, "  ");
        format_flow(flow, &ds);
        if (flow->in_hw) {
            n_hw++;
        } else {
            n_sw++;
        }
    }
    ds_put_format(&ds, "summary: %"PRIuSIZE" in hardware, %"PRIuSIZE
                  " in software; %"PRIu64" installed, %"PRIu64
                  " installed again after the NIC lost them\n",
                  n_hw, n_sw, n_put_ok, n_reinstalled);
    const struct simap_node **nodes = simap_sort(&fail_counts);
    for (size_t i = 0; i < simap_count(&fail_counts); i++) {
        ds_put_format(&ds, "  not offloaded, %s: %u\n", nodes[i]->name,
                      nodes[i]->data);
    }
    free(nodes);
    ovs_mutex_unlock(&mutex);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

/* "eswitch/offload-refresh": reads every hardware counter now. */
static void
offload_refresh(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    const struct esw_port *port;
    size_t n_ports = 0;

    ovs_mutex_lock(&mutex);
    long long int start = time_usec();
    refresh_stats();
    long long int elapsed = time_usec() - start;
    HMAP_FOR_EACH (port, node, &all_ports) {
        n_ports += port->claimed;
    }
    char *reply = xasprintf("refreshed %"PRIuSIZE" rules on %"PRIuSIZE
                            " ports in %lld.%03lld ms", hmap_count(&rules),
                            n_ports, elapsed / 1000, elapsed % 1000);
    ovs_mutex_unlock(&mutex);
    unixctl_command_reply(conn, reply);
    free(reply);
}

void
esw_offload_register_commands(void)
{
    unixctl_command_register("eswitch/offload-show", "", 0, 0,
                             offload_show, NULL);
    unixctl_command_register("eswitch/offload-refresh", "", 0, 0,
                             offload_refresh, NULL);
    esw_offload_trace_register_commands();
}
