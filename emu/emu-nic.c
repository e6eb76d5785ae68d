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

#include "emu-nic.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "emu-endpoint.h"
#include "emu-flow-table.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_nic);

/* Made-up ifindexes, for representors that are not Linux netdevs (stream
 * endpoints, or not attached), start here: far above what a test host
 * uses, so they never collide with a real one that a TC request names. */
#define EMU_NIC_FIRST_FAKE_IFINDEX 100000

static struct ovs_list all_nics = OVS_LIST_INITIALIZER(&all_nics);
static int next_fake_ifindex = EMU_NIC_FIRST_FAKE_IFINDEX;
static unsigned int n_nics_created;

const struct ovs_list *
emu_nic_all(void)
{
    return &all_nics;
}

const char *
emu_nic_mode_to_string(uint16_t mode)
{
    return (mode == DEVLINK_ESWITCH_MODE_SWITCHDEV ? "switchdev"
            : mode == DEVLINK_ESWITCH_MODE_LEGACY ? "legacy"
            : "unknown");
}

/* The flow table's view of ports: mirred names a target by ifindex, flower's
 * indev by name.  Only a NIC's own visible vports can be named. */
static int
port_from_ifindex(const void *nic_, int ifindex, uint32_t *port)
{
    const struct emu_nic *nic = nic_;
    struct emu_vport *vport = emu_nic_vport_by_ifindex(ifindex);

    if (!vport || vport->nic != nic) {
        return ENODEV;
    }
    *port = vport->port;
    return 0;
}

static int
port_from_name(const void *nic_, const char *name, uint32_t *port)
{
    const struct emu_nic *nic = nic_;
    struct emu_vport *vport = emu_nic_vport_by_name(name);

    if (!vport || vport->nic != nic) {
        return ENODEV;
    }
    *port = vport->port;
    return 0;
}

/* Gives the VF of 'vport' the configuration of a VF that nobody has
 * configured yet, as after a reset. */
static void
vport_reset_config(struct emu_vport *vport)
{
    struct esw_vf_info *info = &vport->vf_info;
    uint32_t vf = info->vf;

    memset(info, 0, sizeof *info);
    info->vf = vf;
    info->vlan_proto = htons(ETH_TYPE_VLAN_8021Q);
    info->spoofchk = ESW_VF_SETTING_OFF;
    info->trust = ESW_VF_SETTING_OFF;
    info->rss_query_en = ESW_VF_SETTING_OFF;
    info->link_state = IFLA_VF_LINK_STATE_AUTO;
    vport->fn_state = DEVLINK_PORT_FN_STATE_ACTIVE;
}

static void
vport_init(struct emu_vport *vport, struct emu_nic *nic,
           enum emu_vport_kind kind, uint16_t vf, const char *rep_name)
{
    memset(vport, 0, sizeof *vport);
    vport->nic = nic;
    vport->kind = kind;
    vport->vf = vf;
    if (kind == EMU_VPORT_UPLINK) {
        vport->port = EMU_NIC_UPLINK_PORT;
        ovs_strlcpy(vport->phys_port_name, "p0",
                    sizeof vport->phys_port_name);
    } else {
        vport->port = EMU_NIC_VF_PORT(vf);
        snprintf(vport->phys_port_name, sizeof vport->phys_port_name,
                 "pf0vf%"PRIu16, vf);
    }
    ovs_strlcpy(vport->rep_name, rep_name, sizeof vport->rep_name);
    vport->rep_ifindex = next_fake_ifindex++;
    eth_addr_nicira_random(&vport->rep_mac);
    vport->vf_info.vf = vf;
    vport_reset_config(vport);
}


static void
vport_destroy(struct emu_vport *vport)
{
    emu_endpoint_close(vport->function_ep);
    emu_endpoint_close(vport->rep_ep);
    vport->function_ep = vport->rep_ep = NULL;
}

/* Parses 's' as a decimal, octal or hexadecimal number up to 'max'. */
static bool
parse_uint(const char *s, unsigned int max, unsigned int *value)
{
    return str_to_uint(s, 0, value) && *value <= max;
}

/* Parses "BUS/DEV" into 'handle'. */
static int
parse_handle(const char *name, struct esw_devlink_handle *handle,
             char **errp)
{
    const char *slash = strchr(name, '/');

    if (!slash || slash == name || !slash[1] || strchr(slash + 1, '/')
        || slash - name >= sizeof handle->bus_name
        || strlen(slash + 1) >= sizeof handle->dev_name) {
        *errp = xasprintf("%s: a NIC is named BUS/DEV, "
                          "e.g. pci/0000:03:00.0", name);
        return EINVAL;
    }
    memset(handle, 0, sizeof *handle);
    memcpy(handle->bus_name, name, slash - name);
    ovs_strlcpy(handle->dev_name, slash + 1, sizeof handle->dev_name);
    return 0;
}

static int
parse_switch_id(const char *hex, struct esw_phys_id *id, char **errp)
{
    size_t len = strlen(hex);

    if (!len || len % 2 || len / 2 > sizeof id->id) {
        goto error;
    }
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexit_value(hex[2 * i]);
        int lo = hexit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            goto error;
        }
        id->id[i] = hi << 4 | lo;
    }
    id->len = len / 2;
    return 0;

error:
    *errp = xasprintf("switch-id=%s: expected 2 to %"PRIuSIZE
                      " hex digits, an even number", hex,
                      2 * sizeof id->id);
    return EINVAL;
}

int
emu_nic_create(const char *spec, struct emu_nic **nicp, char **errp)
{
    unsigned int total_vfs = 8, num_vfs = 0, capacity = 65536;
    uint16_t mode = DEVLINK_ESWITCH_MODE_LEGACY;
    struct esw_devlink_handle handle;
    struct esw_phys_id switch_id = { .len = 0 };
    char *pf_name = NULL;
    char *copy = xstrdup(spec);
    char *save_ptr = NULL;
    int error;

    *nicp = NULL;
    *errp = NULL;

    char *name = strtok_r(copy, ",", &save_ptr);
    if (!name) {
        *errp = xstrdup("empty NIC specification");
        error = EINVAL;
        goto out;
    }
    error = parse_handle(name, &handle, errp);
    if (error) {
        goto out;
    }
    if (emu_nic_find(name)) {
        *errp = xasprintf("%s: NIC already exists", name);
        error = EEXIST;
        goto out;
    }

    for (char *opt = strtok_r(NULL, ",", &save_ptr); opt;
         opt = strtok_r(NULL, ",", &save_ptr)) {
        char *value = strchr(opt, '=');
        bool ok = true;

        if (!value) {
            *errp = xasprintf("%s: \"%s\" is not KEY=VALUE", name, opt);
            error = EINVAL;
            goto out;
        }
        *value++ = '\0';
        if (!strcmp(opt, "totalvfs")) {
            ok = parse_uint(value, ESW_MAX_VFS, &total_vfs);
        } else if (!strcmp(opt, "vfs")) {
            ok = parse_uint(value, ESW_MAX_VFS, &num_vfs);
        } else if (!strcmp(opt, "capacity")) {
            ok = parse_uint(value, 1u << 28, &capacity);
        } else if (!strcmp(opt, "mode")) {
            if (!strcmp(value, "switchdev")) {
                mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
            } else if (!strcmp(value, "legacy")) {
                mode = DEVLINK_ESWITCH_MODE_LEGACY;
            } else {
                ok = false;
            }
        } else if (!strcmp(opt, "pf")) {
            ok = value[0] && strlen(value) < IFNAMSIZ;
            if (ok) {
                free(pf_name);
                pf_name = xstrdup(value);
            }
        } else if (!strcmp(opt, "switch-id")) {
            error = parse_switch_id(value, &switch_id, errp);
            if (error) {
                goto out;
            }
        } else {
            *errp = xasprintf("%s: unknown NIC option \"%s\" (known: "
                              "totalvfs, vfs, capacity, mode, pf, "
                              "switch-id)", name, opt);
            error = EINVAL;
            goto out;
        }
        if (!ok) {
            *errp = xasprintf("%s: %s=%s: invalid value", name, opt, value);
            error = EINVAL;
            goto out;
        }
    }
    if (num_vfs > total_vfs) {
        *errp = xasprintf("%s: vfs=%u is more than totalvfs=%u",
                          name, num_vfs, total_vfs);
        error = ERANGE;
        goto out;
    }

    struct emu_nic *nic = xzalloc(sizeof *nic);
    nic->name = xstrdup(name);
    nic->handle = handle;
    if (switch_id.len) {
        nic->switch_id = switch_id;
    } else {
        /* Derived from the name, stable across restarts. */
        uint32_t h = hash_string(name, 0);
        nic->switch_id.len = 8;
        memcpy(nic->switch_id.id, "\x02\x00\x00\x00", 4);
        memcpy(&nic->switch_id.id[4], &h, 4);
    }
    nic->mode = mode;
    nic->total_vfs = total_vfs;
    nic->num_vfs = num_vfs;

    n_nics_created++;
    if (!pf_name) {
        pf_name = xasprintf("esw%u", n_nics_created - 1);
    }
    vport_init(&nic->uplink, nic, EMU_VPORT_UPLINK, 0, pf_name);
    nic->vfs = xcalloc(total_vfs ? total_vfs : 1, sizeof *nic->vfs);
    for (uint16_t vf = 0; vf < total_vfs; vf++) {
        char rep_name[IFNAMSIZ];

        snprintf(rep_name, sizeof rep_name, "%s_%"PRIu16, pf_name, vf);
        vport_init(&nic->vfs[vf], nic, EMU_VPORT_VF, vf, rep_name);
    }

    nic->port_map = (struct emu_flow_port_map) {
        .port_from_ifindex = port_from_ifindex,
        .port_from_name = port_from_name,
        .aux = nic,
    };
    nic->table = emu_flow_table_create(capacity, &nic->port_map);

    ovs_list_push_back(&all_nics, &nic->list_node);
    *nicp = nic;
    VLOG_INFO("%s: created, %s mode, %"PRIu16"/%"PRIu16" VFs, "
              "capacity %u rules", nic->name,
              emu_nic_mode_to_string(mode), nic->num_vfs, nic->total_vfs,
              capacity);

out:
    free(pf_name);
    free(copy);
    return error;
}

void
emu_nic_destroy(struct emu_nic *nic)
{
    if (!nic) {
        return;
    }
    ovs_list_remove(&nic->list_node);
    vport_destroy(&nic->uplink);
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        vport_destroy(&nic->vfs[vf]);
    }
    emu_flow_table_destroy(nic->table);
    free(nic->vfs);
    free(nic->name);
    free(nic);
}

void
emu_nic_destroy_all(void)
{
    struct emu_nic *nic;

    LIST_FOR_EACH_SAFE (nic, list_node, &all_nics) {
        emu_nic_destroy(nic);
    }
}

struct emu_nic *
emu_nic_find(const char *name)
{
    struct emu_nic *nic;

    EMU_NIC_FOR_EACH (nic) {
        if (!strcmp(nic->name, name)) {
            return nic;
        }
    }
    return NULL;
}

struct emu_nic *
emu_nic_find_handle(const char *bus, const char *dev)
{
    struct emu_nic *nic;

    EMU_NIC_FOR_EACH (nic) {
        if (!strcmp(nic->handle.bus_name, bus)
            && !strcmp(nic->handle.dev_name, dev)) {
            return nic;
        }
    }
    return NULL;
}

struct emu_vport *
emu_nic_find_vport(struct emu_nic *nic, const char *phys_port_name)
{
    if (!strcmp(phys_port_name, nic->uplink.phys_port_name)) {
        return &nic->uplink;
    }
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        if (!strcmp(phys_port_name, nic->vfs[vf].phys_port_name)) {
            return &nic->vfs[vf];
        }
    }
    return NULL;
}

bool
emu_vport_is_visible(const struct emu_vport *vport)
{
    return (vport->kind == EMU_VPORT_UPLINK
            || (vport->nic->mode == DEVLINK_ESWITCH_MODE_SWITCHDEV
                && vport->vf < vport->nic->num_vfs));
}

/* Calls 'match' for every visible vport of every NIC until it returns
 * true, and returns that vport, or NULL. */
static struct emu_vport *
find_visible_vport(bool (*match)(const struct emu_vport *, const void *),
                   const void *aux)
{
    struct emu_nic *nic;

    EMU_NIC_FOR_EACH (nic) {
        if (match(&nic->uplink, aux)) {
            return &nic->uplink;
        }
        if (nic->mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
            continue;
        }
        for (uint16_t vf = 0; vf < nic->num_vfs; vf++) {
            if (match(&nic->vfs[vf], aux)) {
                return &nic->vfs[vf];
            }
        }
    }
    return NULL;
}

static bool
vport_has_ifindex(const struct emu_vport *vport, const void *ifindex)
{
    return vport->rep_ifindex == *(const int *) ifindex;
}

static bool
vport_has_name(const struct emu_vport *vport, const void *name)
{
    return !strcmp(vport->rep_name, name);
}

struct emu_vport *
emu_nic_vport_by_ifindex(int ifindex)
{
    return ifindex > 0 ? find_visible_vport(vport_has_ifindex, &ifindex)
                       : NULL;
}

struct emu_vport *
emu_nic_vport_by_name(const char *name)
{
    return find_visible_vport(vport_has_name, name);
}

/* A VF that goes away (or a VF's rules on a mode change) loses its rules,
 * and a VF that goes away its configuration, as a driver does. */
static void
vport_disable(struct emu_vport *vport)
{
    emu_flow_table_delete_port(vport->nic->table, vport->port);
    vport->has_ingress_qdisc = false;
    vport_reset_config(vport);
}

int
emu_nic_set_num_vfs(struct emu_nic *nic, uint16_t num_vfs)
{
    if (num_vfs > nic->total_vfs) {
        return ERANGE;
    }
    for (uint16_t vf = num_vfs; vf < nic->num_vfs; vf++) {
        vport_disable(&nic->vfs[vf]);
    }
    VLOG_INFO("%s: %"PRIu16" VFs enabled (were %"PRIu16")", nic->name,
              num_vfs, nic->num_vfs);
    nic->num_vfs = num_vfs;
    return 0;
}

int
emu_nic_set_mode(struct emu_nic *nic, uint16_t mode)
{
    if (mode != DEVLINK_ESWITCH_MODE_LEGACY
        && mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        return EINVAL;
    }
    if (mode != nic->mode) {
        if (mode == DEVLINK_ESWITCH_MODE_LEGACY) {
            /* The representors go away, and their qdiscs and rules with
             * them. */
            emu_flow_table_flush(nic->table);
            for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
                nic->vfs[vf].has_ingress_qdisc = false;
            }
        }
        VLOG_INFO("%s: eswitch mode %s", nic->name,
                  emu_nic_mode_to_string(mode));
        nic->mode = mode;
    }
    return 0;
}

void
emu_nic_reset(struct emu_nic *nic)
{
    emu_flow_table_flush(nic->table);
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        vport_reset_config(&nic->vfs[vf]);
    }
    nic->n_faults = 0;
    VLOG_WARN("%s: reset: every rule and every VF's configuration is lost",
              nic->name);
}

int
emu_vport_attach(struct emu_vport *vport, const char *side,
                 const char *spec, const char *rep_name, char **errp)
{
    struct emu_endpoint **epp;

    *errp = NULL;
    if (!strcmp(side, "function")) {
        epp = &vport->function_ep;
    } else if (!strcmp(side, "rep")) {
        epp = &vport->rep_ep;
    } else {
        *errp = xasprintf("%s: unknown side \"%s\" (function or rep)",
                          vport->phys_port_name, side);
        return EINVAL;
    }
    if (rep_name && (!rep_name[0] || strlen(rep_name) >= IFNAMSIZ)) {
        *errp = xasprintf("%s: invalid representor name \"%s\"",
                          vport->phys_port_name, rep_name);
        return EINVAL;
    }

    struct emu_endpoint *ep;
    int error = emu_endpoint_open(spec, &ep, errp);
    if (error) {
        return error;
    }
    emu_endpoint_close(*epp);
    *epp = ep;

    if (rep_name) {
        unsigned int ifindex = if_nametoindex(rep_name);

        ovs_strlcpy(vport->rep_name, rep_name, sizeof vport->rep_name);
        if (ifindex) {
            vport->rep_ifindex = ifindex;
        }
    }
    return 0;
}

void
emu_vport_to_link(const struct emu_vport *vport, bool vfs,
                  struct esw_link *link)
{
    const struct emu_nic *nic = vport->nic;

    memset(link, 0, sizeof *link);
    link->ifindex = vport->rep_ifindex;
    link->type = ARPHRD_ETHER;
    link->flags = IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING
                  | IFF_LOWER_UP;
    ovs_strlcpy(link->name, vport->rep_name, sizeof link->name);
    link->operstate = IF_OPER_UP;
    link->mtu = 1500;
    link->has_mac = true;
    link->mac = vport->rep_mac;
    if (nic->mode == DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        link->phys_switch_id = nic->switch_id;
        ovs_strlcpy(link->phys_port_name, vport->phys_port_name,
                    sizeof link->phys_port_name);
    }
    if (vport->kind == EMU_VPORT_UPLINK) {
        ovs_strlcpy(link->parent_dev_name, nic->handle.dev_name,
                    sizeof link->parent_dev_name);
        ovs_strlcpy(link->parent_bus_name, nic->handle.bus_name,
                    sizeof link->parent_bus_name);
        if (vfs) {
            link->has_num_vf = true;
            link->num_vf = nic->num_vfs;
            link->has_vfinfo_list = true;
            link->n_vfs = nic->num_vfs;
            for (uint16_t vf = 0; vf < nic->num_vfs; vf++) {
                link->vfs[vf] = nic->vfs[vf].vf_info;
            }
        }
    }
}

int
emu_nic_set_vf_config(struct emu_nic *nic, const struct esw_vf_config *cfg,
                      char **errp)
{
    *errp = NULL;
    if (cfg->vf >= nic->num_vfs) {
        *errp = xasprintf("VF %"PRIu32" does not exist (%"PRIu16" VFs "
                          "enabled)", cfg->vf, nic->num_vfs);
        return EINVAL;
    }
    if (cfg->set_vlan && (cfg->vlan > 4095 || cfg->qos > 7)) {
        *errp = xasprintf("VF %"PRIu32": vlan %"PRIu16" qos %"PRIu8
                          " out of range", cfg->vf, cfg->vlan, cfg->qos);
        return EINVAL;
    }
    if (cfg->set_rate && cfg->max_tx_rate
        && cfg->min_tx_rate > cfg->max_tx_rate) {
        *errp = xasprintf("VF %"PRIu32": min_tx_rate %"PRIu32" is above "
                          "max_tx_rate %"PRIu32, cfg->vf, cfg->min_tx_rate,
                          cfg->max_tx_rate);
        return EINVAL;
    }
    if (cfg->set_link_state && cfg->link_state > IFLA_VF_LINK_STATE_DISABLE) {
        *errp = xasprintf("VF %"PRIu32": unknown link state %"PRIu32,
                          cfg->vf, cfg->link_state);
        return EINVAL;
    }

    struct esw_vf_info *info = &nic->vfs[cfg->vf].vf_info;
    if (cfg->set_mac) {
        info->mac = cfg->mac;
    }
    if (cfg->set_vlan) {
        info->vlan = cfg->vlan;
        info->qos = cfg->qos;
        info->vlan_proto = cfg->vlan_proto;
    }
    if (cfg->set_tx_rate) {
        info->max_tx_rate = cfg->tx_rate;
    }
    if (cfg->set_rate) {
        info->min_tx_rate = cfg->min_tx_rate;
        info->max_tx_rate = cfg->max_tx_rate;
    }
    if (cfg->set_spoofchk) {
        info->spoofchk = cfg->spoofchk ? ESW_VF_SETTING_ON
                                       : ESW_VF_SETTING_OFF;
    }
    if (cfg->set_rss_query_en) {
        info->rss_query_en = cfg->rss_query_en ? ESW_VF_SETTING_ON
                                               : ESW_VF_SETTING_OFF;
    }
    if (cfg->set_link_state) {
        info->link_state = cfg->link_state;
    }
    if (cfg->set_trust) {
        info->trust = cfg->trust ? ESW_VF_SETTING_ON : ESW_VF_SETTING_OFF;
    }
    return 0;
}

void
emu_nic_inject_faults(struct emu_nic *nic, unsigned int n, int error)
{
    nic->n_faults = error ? n : 0;
    nic->fault_errno = error;
}

bool
emu_nic_take_fault(struct emu_nic *nic, int *errorp)
{
    if (!nic->n_faults) {
        return false;
    }
    nic->n_faults--;
    *errorp = nic->fault_errno;
    return true;
}

static void
format_vport(const struct emu_vport *vport, struct ds *ds)
{
    ds_put_format(ds, "  %-8s rep %s (ifindex %d)%s\n",
                  vport->phys_port_name, vport->rep_name, vport->rep_ifindex,
                  emu_vport_is_visible(vport) ? "" : " [no representor]");
    if (vport->function_ep) {
        ds_put_format(ds, "           function: %s%s\n",
                      emu_endpoint_spec(vport->function_ep),
                      emu_endpoint_is_connected(vport->function_ep)
                      ? "" : " (not connected)");
    }
    if (vport->rep_ep) {
        ds_put_format(ds, "           representor: %s%s\n",
                      emu_endpoint_spec(vport->rep_ep),
                      emu_endpoint_is_connected(vport->rep_ep)
                      ? "" : " (not connected)");
    }
    if (vport->kind == EMU_VPORT_VF) {
        const struct esw_vf_info *info = &vport->vf_info;

        ds_put_format(ds, "           vf %"PRIu16": mac "ETH_ADDR_FMT
                      ", vlan %"PRIu16", qos %"PRIu8", spoofchk %s, "
                      "trust %s, link-state %s, tx rate %"PRIu32
                      "-%"PRIu32" Mb/s\n", vport->vf,
                      ETH_ADDR_ARGS(info->mac), info->vlan, info->qos,
                      info->spoofchk == ESW_VF_SETTING_ON ? "on" : "off",
                      info->trust == ESW_VF_SETTING_ON ? "on" : "off",
                      (info->link_state == IFLA_VF_LINK_STATE_ENABLE
                       ? "enable"
                       : info->link_state == IFLA_VF_LINK_STATE_DISABLE
                       ? "disable" : "auto"),
                      info->min_tx_rate, info->max_tx_rate);
    }
    ds_put_format(ds, "           packets: %"PRIu64" in, %"PRIu64
                  " hit in hardware, %"PRIu64" to representor, %"PRIu64
                  " from representor\n", vport->n_rx, vport->n_hw_hit,
                  vport->n_miss, vport->n_from_rep);
}

void
emu_nic_format(const struct emu_nic *nic, struct ds *ds)
{
    ds_put_format(ds, "%s: mode %s, VFs %"PRIu16"/%"PRIu16
                  ", rules %"PRIuSIZE"/%"PRIuSIZE", switch id ",
                  nic->name, emu_nic_mode_to_string(nic->mode),
                  nic->num_vfs, nic->total_vfs,
                  emu_flow_table_count(nic->table),
                  emu_flow_table_capacity(nic->table));
    for (size_t i = 0; i < nic->switch_id.len; i++) {
        ds_put_format(ds, "%02x", nic->switch_id.id[i]);
    }
    ds_put_char(ds, '\n');
    if (nic->n_faults) {
        ds_put_format(ds, "  next %u rule operations fail with %s\n",
                      nic->n_faults, ovs_strerror(nic->fault_errno));
    }
    format_vport(&nic->uplink, ds);
    for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
        format_vport(&nic->vfs[vf], ds);
    }
}
