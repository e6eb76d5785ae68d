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

#ifndef EMU_NIC_H
#define EMU_NIC_H 1

/* The emulated NICs of sriov-nic-emu.
 *
 * A NIC is a devlink device ("pci/0000:03:00.0") with an embedded switch:
 * one uplink vport (the PF, physical port "p0") and up to 'total_vfs' VF
 * vports ("pf0vfN"), of which 'num_vfs' are enabled.  In switchdev mode
 * every enabled vport has a representor netdev on the host; in legacy mode
 * only the PF netdev exists and the switch holds no rule.
 *
 * Each vport has up to two packet endpoints: its function side (the VM's
 * end of a VF, the wire behind the uplink) and its representor side (the
 * host's end of the representor, which OVS opens).  Which netdev the host
 * sees as the representor is the vport's "rep" link: its name and ifindex
 * are what RTM_GETLINK reports and what TC requests name.
 *
 * The flow table (emu-flow-table.h) numbers ports: 0 is the uplink, 1 + N
 * is VF N.
 *
 * Single-threaded, like the rest of the daemon. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

#include "emu-flow-table.h"
#include "esw-nic-model.h"
#include "openvswitch/list.h"
#include "openvswitch/types.h"

struct emu_endpoint;
struct emu_flow_table;
struct ds;

enum emu_vport_kind {
    EMU_VPORT_UPLINK,
    EMU_VPORT_VF,
};

#define EMU_NIC_UPLINK_PORT 0
#define EMU_NIC_VF_PORT(VF) ((uint32_t) (VF) + 1)

struct emu_vport {
    struct emu_nic *nic;
    enum emu_vport_kind kind;
    uint32_t port;              /* Port number in the flow table. */
    uint16_t vf;                /* VF number, for EMU_VPORT_VF. */
    char phys_port_name[IFNAMSIZ];  /* "p0", "pf0vf3". */

    /* The representor netdev, as the host sees it. */
    char rep_name[IFNAMSIZ];
    int rep_ifindex;
    struct eth_addr rep_mac;

    /* Whether the host created an ingress (or clsact) qdisc on the
     * representor: TC filters need one. */
    bool has_ingress_qdisc;

    /* Packet endpoints; NULL while not attached. */
    struct emu_endpoint *function_ep;
    struct emu_endpoint *rep_ep;

    /* VF configuration (RTM_SETLINK IFLA_VFINFO_LIST, devlink port
     * function); for the uplink, unused. */
    struct esw_vf_info vf_info;
    uint8_t fn_state;           /* DEVLINK_PORT_FN_STATE_*. */

    /* Dataplane counters. */
    uint64_t n_rx;              /* Packets in from the function side. */
    uint64_t n_hw_hit;          /* ...that matched a rule. */
    uint64_t n_miss;            /* ...delivered to the representor. */
    uint64_t n_from_rep;        /* Packets the host sent on the rep. */
};

struct emu_nic {
    struct ovs_list list_node;  /* In the list of all NICs. */

    char *name;                 /* "pci/0000:03:00.0". */
    struct esw_devlink_handle handle;
    struct esw_phys_id switch_id;
    uint16_t mode;              /* DEVLINK_ESWITCH_MODE_*. */
    uint16_t total_vfs;
    uint16_t num_vfs;

    struct emu_vport uplink;
    struct emu_vport *vfs;      /* 'total_vfs' of them. */

    struct emu_flow_table *table;
    struct emu_flow_port_map port_map;  /* The table's view of ports. */

    /* Fault injection: the next 'n_faults' rule operations fail with
     * 'fault_errno'. */
    unsigned int n_faults;
    int fault_errno;
};

/* Creates a NIC from 'spec', "BUS/DEV[,KEY=VALUE]...", with keys
 * totalvfs=N (default 8), vfs=N (default 0), capacity=N rules (default
 * 65536), mode=legacy|switchdev (default legacy), pf=NAME (the PF netdev
 * name, default "eswN"), switch-id=HEX (default derived from the name).
 * Returns 0 and the NIC in '*nicp', or a positive errno and a message in
 * '*errp' (freed by the caller); nothing is created on error. */
int emu_nic_create(const char *spec, struct emu_nic **nicp, char **errp);

/* Destroys 'nic': its endpoints, rules and representors are gone. */
void emu_nic_destroy(struct emu_nic *nic);

/* Destroys every NIC. */
void emu_nic_destroy_all(void);

/* The list of all NICs, in creation order. */
const struct ovs_list *emu_nic_all(void);

#define EMU_NIC_FOR_EACH(NIC) \
    LIST_FOR_EACH (NIC, list_node, emu_nic_all())

/* Returns the NIC called 'name' ("pci/0000:03:00.0"), or NULL. */
struct emu_nic *emu_nic_find(const char *name);

/* Returns the NIC with devlink handle 'bus'/'dev', or NULL. */
struct emu_nic *emu_nic_find_handle(const char *bus, const char *dev);

/* Returns the vport of 'nic' named 'phys_port_name' ("p0", "pf0vf2"), or
 * NULL.  Disabled VFs are found too. */
struct emu_vport *emu_nic_find_vport(struct emu_nic *nic,
                                     const char *phys_port_name);

/* Returns the vport whose host-visible netdev (representor, or in legacy
 * mode the PF) has 'ifindex', in any NIC, if that netdev currently exists,
 * otherwise NULL. */
struct emu_vport *emu_nic_vport_by_ifindex(int ifindex);

/* Same, by netdev name. */
struct emu_vport *emu_nic_vport_by_name(const char *name);

/* Returns true if 'vport''s netdev exists on the host now: the uplink's
 * always does (the PF); a VF's representor only in switchdev mode and if
 * the VF is enabled. */
bool emu_vport_is_visible(const struct emu_vport *vport);

/* Sets the number of enabled VFs of 'nic' to 'num_vfs'.  VFs that go away
 * lose their rules and configuration.  Returns 0 or ERANGE (more than
 * total_vfs). */
int emu_nic_set_num_vfs(struct emu_nic *nic, uint16_t num_vfs);

/* Sets the eswitch mode of 'nic' to DEVLINK_ESWITCH_MODE_LEGACY or
 * _SWITCHDEV.  Leaving switchdev mode removes every rule, as a driver
 * does.  Returns 0, or EINVAL for another mode. */
int emu_nic_set_mode(struct emu_nic *nic, uint16_t mode);

/* Resets 'nic' as a hardware reset does: every rule and every VF's
 * configuration is lost; mode and VF count remain. */
void emu_nic_reset(struct emu_nic *nic);

/* Attaches the endpoint 'spec' (see emu-endpoint.h) to the 'side' of
 * 'vport', "function" or "rep", replacing any endpoint there.  For "rep",
 * 'rep_name' (may be NULL) is the name of the host netdev that represents
 * the vport; its ifindex is looked up on the host if it exists there,
 * otherwise one is made up.  Returns 0, or a positive errno with a message
 * in '*errp' (freed by the caller), leaving the vport unchanged. */
int emu_vport_attach(struct emu_vport *vport, const char *side,
                     const char *spec, const char *rep_name, char **errp);

/* Fills '*link' with the netdev of 'vport' as RTM_GETLINK reports it; with
 * 'vfs' true, a PF also reports IFLA_NUM_VF and its VF list. */
void emu_vport_to_link(const struct emu_vport *vport, bool vfs,
                       struct esw_link *link);

/* Applies the VF configuration 'cfg' to 'nic' (the VF is cfg->vf).
 * Returns 0, or EINVAL with a message in '*errp' for a VF that is not
 * enabled or a value out of range; nothing is applied on error. */
int emu_nic_set_vf_config(struct emu_nic *nic,
                          const struct esw_vf_config *cfg, char **errp);

/* Fault injection: makes the next 'n' rule operations on 'nic' fail with
 * 'error'; 0 cancels.  Returns true, and consumes one fault, if the current
 * rule operation must fail, storing the errno in '*errorp'. */
void emu_nic_inject_faults(struct emu_nic *nic, unsigned int n, int error);
bool emu_nic_take_fault(struct emu_nic *nic, int *errorp);

/* Appends a description of 'nic' to 'ds' for "sriov-nic-emu/show". */
void emu_nic_format(const struct emu_nic *nic, struct ds *ds);

/* Returns "legacy" or "switchdev". */
const char *emu_nic_mode_to_string(uint16_t mode);

#endif /* emu-nic.h */
