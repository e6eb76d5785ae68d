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

#ifndef ESW_OFFLOAD_H
#define ESW_OFFLOAD_H 1

/* The offload engine: OVS megaflows into a NIC's eswitch.
 *
 * The software flow always exists (OVS's userspace datapath); the engine
 * mirrors it into the NIC as a TC flower rule with skip_sw when it can, and
 * otherwise records why not.  A hardware rule is never broader than its
 * megaflow (lib/esw-offload-xlate.h), and it is removed when the megaflow
 * is.
 *
 * Ports.  Every port of an eswitch datapath but its internal ports uses the
 * engine's flow API, so the engine sees all their flows.  What backs a port
 * in the NIC, its vport, is a binding that may change while the port and
 * its flows stay: by default the port's own netdev, if the backend says it
 * is a vport of a NIC eswitch in switchdev mode (RTM_GETLINK reports
 * IFLA_PHYS_SWITCH_ID and IFLA_PHYS_PORT_NAME for it), or the netdev that
 * Interface other_config:eswitch-vport names.  A flow is in the NIC only
 * while its in_port and every port it outputs to have vports; when a
 * binding changes (set, removed, the vport appearing or going) the flows
 * using the port are placed again, into the NIC or out of it.  This is how
 * a VM port moves between a VF and its synthetic path without changing its
 * OpenFlow port.
 *
 * tc-policy.  Rules are skip_sw (the NIC's hardware only) unless
 * Open_vSwitch other_config:tc-policy=skip_hw, under which they are
 * skip_hw: the kernel's software classifier is the eswitch, any Linux
 * netdev can be a vport, and a port needs an explicit eswitch-vport,
 * because OVS reads a port's own packets before TC ingress sees them.
 *
 * The engine owns TC priorities 1 to 0xfff0 on the ingress of its vports:
 * a rule there that no flow has is deleted.  Other priorities are left
 * alone.
 *
 * Backend.  The kernel over AF_NETLINK by default; sriov-nic-emu when
 * Open_vSwitch other_config:eswitch-netlink=unix:DIR names its
 * --netlink-dir.
 *
 * Rules are installed in batches: flow_put queues the rule and returns; the
 * batch goes to the NIC, in as few datagrams as possible, when it is full,
 * when something needs the NIC's state (counters, a deletion, a change of
 * the same flow), or within a millisecond.  Until then the flow is in
 * software, as every flow always is.
 *
 * Counters of hardware rules are read by bulk terse dumps of each claimed
 * port, at most every eswitch-stats-interval ms (default 1000), never one
 * rule at a time; a rule missing from a dump (a NIC reset, an emulator
 * restart) is installed again.
 *
 * Thread safety: every function may be called from any thread. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct dpif_flow_attrs;
struct esw_flower_rule;
struct dpif_flow_stats;
struct match;
struct netdev;
struct nlattr;
struct smap;

/* Applies Open_vSwitch other_config keys eswitch-netlink,
 * eswitch-stats-interval, eswitch-batch-size (rules per batch, 1 to 64,
 * default 64; 1 installs each rule before flow_put returns) and tc-policy
 * (skip_sw, the default, or skip_hw).  A change of backend closes the old
 * one; a change of tc-policy resolves every port's vport again. */
void esw_offload_set_config(const struct smap *ovs_other_config);

/* netdev_flow_api members (see netdev-offload-provider.h). */
int esw_offload_port_init(struct netdev *);
void esw_offload_port_uninit(struct netdev *);
int esw_offload_flow_put(struct netdev *, struct match *,
                         struct nlattr *actions, size_t actions_len,
                         const ovs_u128 *ufid, struct dpif_flow_stats *);
int esw_offload_flow_get(struct netdev *, const ovs_u128 *ufid,
                         struct dpif_flow_stats *, struct dpif_flow_attrs *);
int esw_offload_flow_del(struct netdev *, const ovs_u128 *ufid,
                         struct dpif_flow_stats *);
int esw_offload_flow_flush(struct netdev *);
int esw_offload_flow_count(struct netdev *, uint64_t *n_flows);

/* Checks that 'vport' (Interface other_config:eswitch-vport of the port
 * whose netdev is named 'name'; NULL if not set) can be applied with
 * esw_offload_port_set_vport(): returns 0, or EINVAL and a malloc'd
 * message in '*errorp' if 'vport' is not a device name or the port is an
 * internal port. */
int esw_offload_port_check_vport(const char *name, const char *vport,
                                 char **errorp);

/* Binds the datapath port numbered 'odp_port', whose netdev is named
 * 'name', to the eswitch vport named 'vport', or to its own netdev if
 * 'vport' is NULL, and places again the flows that use the port if that
 * changes its vport.  A vport that does not exist (yet) is not an error:
 * the port is software only, with the reason, until the vport appears.
 * 'vport' must have passed esw_offload_port_check_vport(). */
void esw_offload_port_set_vport(const char *name, odp_port_t odp_port,
                                const char *vport);

/* Tells the engine that the port whose netdev is named 'name' is a VM port
 * (netdev-eswitch-vm.h) if 'vm_port', whose VF's representor, its vport
 * unless other_config:eswitch-vport says otherwise, is the netdev named
 * 'vf', or that it has no VF if 'vf' is NULL (its synthetic path only).
 * Places again the flows that use the port if that changes its vport.  May
 * be called before the port is added to a datapath. */
void esw_offload_port_set_vf(const char *name, bool vm_port, const char *vf);

/* What the engine knows of the VF of a VM port. */
enum esw_vf_state {
    ESW_VF_UNKNOWN,             /* Not known: no VF set, hw-offload off,
                                 * other_config:eswitch-vport overrides it,
                                 * or the backend unreachable. */
    ESW_VF_PRESENT,             /* Its representor is a vport now. */
    ESW_VF_GONE,                /* The backend says its representor does
                                 * not exist, or is no vport: the VF went
                                 * away (NIC servicing, a VF reset). */
};

/* Returns the state of the VF of the VM port whose netdev is named 'name'
 * (see esw_offload_port_set_vf()).  If 'recheck' and the VF is not
 * present, asks the backend again first (and places the port's flows
 * again if the VF is back).  The engine also finds a VF gone by itself,
 * at counter refreshes.  Returns ESW_VF_UNKNOWN at once, rather than
 * wait, while the engine is busy (a counter refresh, a batch). */
enum esw_vf_state esw_offload_port_vf_state(const char *name, bool recheck);

/* Says what the engine would do with the megaflow 'match' (in_port exact,
 * as a flow API gets it) and datapath actions 'actions' if the datapath
 * gave it now, with the ports' current vports and tc-policy, without
 * installing anything: returns 0 and the rule in '*rule' (prio 0: the
 * engine gives one when it installs), or a positive errno and, in
 * '*reasonp', a malloc'd "token: sentence" saying why the flow would stay
 * in software.  For eswitch/offload-trace. */
int esw_offload_explain(const struct match *match,
                        const struct nlattr *actions, size_t actions_len,
                        struct esw_flower_rule *rule, char **reasonp);

/* Asks what the engine knows of the netdev named 'name'.  If the engine
 * claimed it (a vport of an eswitch), stores its ifindex in '*ifindex' and a
 * malloc'd copy of its eswitch's phys_switch_id (hex) in '*eswitch', stores
 * NULL in '*reason' and returns true.  Otherwise stores 0 in '*ifindex' and
 * NULL in '*eswitch', stores in '*reason' a malloc'd sentence saying why it
 * was declined (NULL if the engine was never asked about it), and returns
 * false.  The caller frees '*eswitch' and '*reason'. */
bool esw_offload_port_query(const char *name, int *ifindex, char **eswitch,
                            char **reason);

/* Registers "eswitch/offload-show" and friends with ovs-appctl. */
void esw_offload_register_commands(void);

#endif /* esw-offload.h */
