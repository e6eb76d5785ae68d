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

#include "emu-genl.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <string.h>

#include "devlink-codec.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "genl-ctrl-codec.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_genl);

/* Large enough for any message written here: a family with a handful of
 * operations, a device with its reload statistics, a port. */
static union {
    struct nlmsghdr nlh;
    uint8_t bytes[8192];
} scratch;

/* What the kernel's genetlink reports as an operation's capabilities. */
#define OP_DO_DUMP (GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP | GENL_CMD_CAP_HASPOL)
#define OP_ADMIN_DO (GENL_ADMIN_PERM | GENL_CMD_CAP_DO | GENL_CMD_CAP_HASPOL)

/* The families, described as a kernel describes them (nlctrl as Linux
 * 6.18 does), but listing only the operations emulated here. */
static const struct esw_genl_family families[] = {
    {
        .id = GENL_ID_CTRL,
        .name = "nlctrl",
        .version = 2,
        .hdrsize = 0,
        .maxattr = 0,
        .n_ops = 1,
        .ops = {
            { CTRL_CMD_GETFAMILY, OP_DO_DUMP },
        },
        .n_mcgrps = 1,
        .mcgrps = {
            { GENL_ID_CTRL, "notify" },
        },
    },
    {
        .id = EMU_GENL_DEVLINK_ID,
        .name = DEVLINK_GENL_NAME,
        .version = DEVLINK_GENL_VERSION,
        .hdrsize = 0,
        .maxattr = DEVLINK_ATTR_MAX,
        .n_ops = 5,
        .ops = {
            { DEVLINK_CMD_GET, OP_DO_DUMP },
            { DEVLINK_CMD_PORT_GET, OP_DO_DUMP },
            { DEVLINK_CMD_PORT_SET, OP_ADMIN_DO },
            { DEVLINK_CMD_ESWITCH_GET, OP_ADMIN_DO },
            { DEVLINK_CMD_ESWITCH_SET, OP_ADMIN_DO },
        },
        .n_mcgrps = 1,
        .mcgrps = {
            { EMU_GENL_DEVLINK_MCGRP_CONFIG_ID,
              DEVLINK_GENL_MCGRP_CONFIG_NAME },
        },
    },
};

static int
fail(struct emu_nl_txn *txn, int error, char *msg)
{
    emu_nl_txn_set_error_msg(txn, msg);
    return error;
}

/* Appends the message that an encoder wrote in 'scratch' to 'txn'.
 * Returns 0, or EMSGSIZE if it does not fit (which, outside a dump, cannot
 * happen: a reply may be 64 kB). */
static int
put_scratch(struct emu_nl_txn *txn)
{
    return emu_nl_txn_put(txn, &scratch.nlh) ? 0 : EMSGSIZE;
}

/* nlctrl. */

static const struct esw_genl_family *
find_family(const struct esw_genl_ctrl_request *req)
{
    for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
        const struct esw_genl_family *family = &families[i];

        /* As in the kernel, a name wins over an ID. */
        if (req->name[0]
            ? !strcmp(req->name, family->name)
            : req->id == family->id) {
            return family;
        }
    }
    return NULL;
}

/* Dump cursor: pos[0] is the index in 'families' of the next family. */
static int
handle_ctrl(struct emu_nl_txn *txn, const struct nlmsghdr *request,
            struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct esw_genl_ctrl_request req;
    char *msg;
    int error;

    error = esw_genl_ctrl_decode_request(request, &req, &msg);
    if (error) {
        return fail(txn, error, msg);
    }

    if (!cursor) {
        const struct esw_genl_family *family = find_family(&req);

        if (!family) {
            return fail(txn, ENOENT,
                        req.name[0]
                        ? xasprintf("generic netlink family \"%s\" not "
                                    "found", req.name)
                        : xasprintf("generic netlink family with ID "
                                    "%#"PRIx16" not found", req.id));
        }
        error = esw_genl_ctrl_encode_family(scratch.bytes,
                                            sizeof scratch.bytes,
                                            emu_nl_txn_seq(txn),
                                            emu_nl_txn_portid(txn), false,
                                            family);
        return error ? error : put_scratch(txn);
    }

    *more = false;
    for (; cursor->pos[0] < ARRAY_SIZE(families); cursor->pos[0]++) {
        error = esw_genl_ctrl_encode_family(scratch.bytes,
                                            sizeof scratch.bytes,
                                            emu_nl_txn_seq(txn),
                                            emu_nl_txn_portid(txn), true,
                                            &families[cursor->pos[0]]);
        if (error) {
            return error;
        }
        if (put_scratch(txn)) {
            *more = true;
            break;
        }
    }
    return 0;
}

/* devlink devices. */

/* Finds the NIC that 'req' names, or fails 'txn' with ENODEV. */
static int
find_nic(struct emu_nl_txn *txn, const struct esw_devlink_request *req,
         struct emu_nic **nicp)
{
    *nicp = emu_nic_find_handle(req->handle.bus_name, req->handle.dev_name);
    if (!*nicp) {
        return fail(txn, ENODEV,
                    xasprintf("Cannot find device \"%s/%s\"",
                              req->handle.bus_name, req->handle.dev_name));
    }
    return 0;
}

static int
put_dev(struct emu_nl_txn *txn, const struct emu_nic *nic, bool multi)
{
    struct esw_devlink_dev dev = {
        .handle = nic->handle,
        .reload_failed = false,
    };
    int error = esw_devlink_encode_dev(scratch.bytes, sizeof scratch.bytes,
                                       EMU_GENL_DEVLINK_ID,
                                       emu_nl_txn_seq(txn),
                                       emu_nl_txn_portid(txn), multi, &dev);
    return error ? error : put_scratch(txn);
}

/* Dump cursor: pos[0] is the index of the next NIC. */
static int
handle_dev_get(struct emu_nl_txn *txn, const struct esw_devlink_request *req,
               struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct emu_nic *nic;

    if (!cursor) {
        int error = find_nic(txn, req, &nic);
        return error ? error : put_dev(txn, nic, false);
    }

    uint64_t nic_idx = 0;
    *more = false;
    EMU_NIC_FOR_EACH (nic) {
        if (nic_idx++ < cursor->pos[0]) {
            continue;
        }
        int error = put_dev(txn, nic, true);
        if (error == EMSGSIZE) {
            *more = true;
            return 0;
        } else if (error) {
            return error;
        }
        cursor->pos[0]++;
    }
    return 0;
}

/* devlink ports. */

/* If 'nic' has a port with 'index' now, fills '*port' with it and returns
 * its vport, otherwise returns NULL. */
static struct emu_vport *
get_port(struct emu_nic *nic, uint32_t index, struct esw_devlink_port *port)
{
    bool switchdev = nic->mode == DEVLINK_ESWITCH_MODE_SWITCHDEV;
    struct emu_vport *vport;

    memset(port, 0, sizeof *port);
    port->handle = nic->handle;
    port->index = index;
    port->type = DEVLINK_PORT_TYPE_ETH;
    port->has_flavour = true;
    port->switch_id = nic->switch_id;

    if (index == EMU_GENL_PORT_UPLINK) {
        vport = &nic->uplink;
        port->flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL;
        port->port_number = 0;
        port->netdev_ifindex = vport->rep_ifindex;
        ovs_strlcpy(port->netdev_name, vport->rep_name,
                    sizeof port->netdev_name);
    } else if (index == EMU_GENL_PORT_PF) {
        if (!switchdev) {
            return NULL;
        }
        vport = &nic->uplink;
        port->flavour = DEVLINK_PORT_FLAVOUR_PCI_PF;
        port->pf_number = 0;
    } else if (index <= nic->total_vfs) {
        vport = &nic->vfs[index - EMU_GENL_PORT_VF(0)];
        if (!emu_vport_is_visible(vport)) {
            return NULL;
        }
        port->flavour = DEVLINK_PORT_FLAVOUR_PCI_VF;
        port->pf_number = 0;
        port->vf_number = vport->vf;
        port->netdev_ifindex = vport->rep_ifindex;
        ovs_strlcpy(port->netdev_name, vport->rep_name,
                    sizeof port->netdev_name);

        struct esw_devlink_port_fn *fn = &port->function;
        fn->has_hw_addr = true;
        fn->hw_addr = vport->vf_info.mac;
        fn->has_state = true;
        fn->state = vport->fn_state;
        fn->has_opstate = true;
        fn->opstate = (vport->function_ep
                       ? DEVLINK_PORT_FN_OPSTATE_ATTACHED
                       : DEVLINK_PORT_FN_OPSTATE_DETACHED);
    } else {
        return NULL;
    }
    return vport;
}

/* Finds the port of 'nic' that 'req' names, or fails 'txn' with ENODEV. */
static int
find_port(struct emu_nl_txn *txn, struct emu_nic *nic,
          const struct esw_devlink_request *req,
          struct esw_devlink_port *port, struct emu_vport **vportp)
{
    *vportp = get_port(nic, req->port_index, port);
    if (!*vportp) {
        return fail(txn, ENODEV,
                    xasprintf("%s has no port %"PRIu32" (in %s mode, with "
                              "%"PRIu16" VFs enabled)", nic->name,
                              req->port_index,
                              emu_nic_mode_to_string(nic->mode),
                              nic->num_vfs));
    }
    return 0;
}

static int
put_port(struct emu_nl_txn *txn, const struct esw_devlink_port *port,
         bool multi)
{
    int error = esw_devlink_encode_port(scratch.bytes,
                                        sizeof scratch.bytes,
                                        EMU_GENL_DEVLINK_ID,
                                        emu_nl_txn_seq(txn),
                                        emu_nl_txn_portid(txn), multi, port);
    return error ? error : put_scratch(txn);
}

/* The port index at position 'pos' (0 to total_vfs + 1) of a NIC's dump,
 * in increasing order: the PF, the VFs, the uplink. */
static uint32_t
dump_pos_to_index(const struct emu_nic *nic, uint64_t pos)
{
    return (pos == 0 ? EMU_GENL_PORT_PF
            : pos <= nic->total_vfs ? EMU_GENL_PORT_VF(pos - 1)
            : EMU_GENL_PORT_UPLINK);
}

/* Dump cursor: pos[0] is the index of the NIC, pos[1] the position in it
 * (see dump_pos_to_index()). */
static int
handle_port_get(struct emu_nl_txn *txn,
                const struct esw_devlink_request *req,
                struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct esw_devlink_port port;
    struct emu_vport *vport;
    struct emu_nic *nic;
    int error;

    if (!cursor) {
        error = find_nic(txn, req, &nic);
        if (!error) {
            error = find_port(txn, nic, req, &port, &vport);
        }
        return error ? error : put_port(txn, &port, false);
    }

    uint64_t nic_idx = 0;
    *more = false;
    EMU_NIC_FOR_EACH (nic) {
        if (nic_idx++ < cursor->pos[0]) {
            continue;
        }
        for (; cursor->pos[1] <= (uint64_t) nic->total_vfs + 1;
             cursor->pos[1]++) {
            uint32_t index = dump_pos_to_index(nic, cursor->pos[1]);

            if (!get_port(nic, index, &port)) {
                continue;
            }
            error = put_port(txn, &port, true);
            if (error == EMSGSIZE) {
                *more = true;
                return 0;
            } else if (error) {
                return error;
            }
        }
        cursor->pos[0]++;
        cursor->pos[1] = 0;
    }
    return 0;
}

/* "devlink port function set DEV/PORT [hw_addr ADDR] [state STATE]". */
static int
handle_port_set(struct emu_nl_txn *txn,
                const struct esw_devlink_request *req)
{
    const struct esw_devlink_port_fn *fn = &req->function;
    struct esw_devlink_port port;
    struct emu_vport *vport;
    struct emu_nic *nic;
    int error;

    error = find_nic(txn, req, &nic);
    if (!error) {
        error = find_port(txn, nic, req, &port, &vport);
    }
    if (error) {
        return error;
    }
    if (port.flavour != DEVLINK_PORT_FLAVOUR_PCI_VF) {
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s/%"PRIu32": port function is not "
                              "supported on a %s port, only on a PCI VF "
                              "port", nic->name, port.index,
                              (port.flavour == DEVLINK_PORT_FLAVOUR_PHYSICAL
                               ? "physical" : "PCI PF")));
    }
    if (fn->has_hw_addr && eth_addr_is_multicast(fn->hw_addr)) {
        return fail(txn, EINVAL,
                    xasprintf("%s/%"PRIu32": hw_addr "ETH_ADDR_FMT" is not "
                              "a unicast address", nic->name, port.index,
                              ETH_ADDR_ARGS(fn->hw_addr)));
    }

    /* Everything is checked: apply. */
    if (fn->has_hw_addr) {
        struct esw_vf_config cfg = {
            .vf = vport->vf,
            .set_mac = true,
            .mac = fn->hw_addr,
        };
        char *msg;

        error = emu_nic_set_vf_config(nic, &cfg, &msg);
        if (error) {
            /* Cannot happen: the port exists, so its VF is enabled. */
            return fail(txn, error, msg);
        }
    }
    if (fn->has_state) {
        vport->fn_state = fn->state;
    }
    VLOG_INFO("%s/%"PRIu32": VF %"PRIu16" function set", nic->name,
              port.index, vport->vf);
    return 0;
}

/* devlink eswitch. */

static void
get_eswitch(const struct emu_nic *nic, struct esw_devlink_eswitch *esw)
{
    memset(esw, 0, sizeof *esw);
    esw->handle = nic->handle;
    esw->has_mode = true;
    esw->mode = nic->mode;
    esw->has_inline_mode = true;
    esw->inline_mode = DEVLINK_ESWITCH_INLINE_MODE_NONE;
    esw->has_encap_mode = true;
    esw->encap_mode = DEVLINK_ESWITCH_ENCAP_MODE_NONE;
}

static int
handle_eswitch_get(struct emu_nl_txn *txn,
                   const struct esw_devlink_request *req)
{
    struct esw_devlink_eswitch esw;
    struct emu_nic *nic;

    int error = find_nic(txn, req, &nic);
    if (error) {
        return error;
    }
    get_eswitch(nic, &esw);
    error = esw_devlink_encode_eswitch(scratch.bytes,
                                       sizeof scratch.bytes,
                                       EMU_GENL_DEVLINK_ID,
                                       emu_nl_txn_seq(txn),
                                       emu_nl_txn_portid(txn), &esw);
    return error ? error : put_scratch(txn);
}

/* "devlink dev eswitch set DEV [mode M] [inline-mode I] [encap-mode E]". */
static int
handle_eswitch_set(struct emu_nl_txn *txn,
                   const struct esw_devlink_request *req)
{
    const struct esw_devlink_eswitch *set = &req->eswitch;
    struct esw_devlink_eswitch cur;
    struct emu_nic *nic;

    int error = find_nic(txn, req, &nic);
    if (error) {
        return error;
    }
    get_eswitch(nic, &cur);
    if (set->has_inline_mode && set->inline_mode != cur.inline_mode) {
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s: inline mode %"PRIu8" is not supported: "
                              "the emulated NIC needs no inline headers "
                              "(inline mode none only)", nic->name,
                              set->inline_mode));
    }
    if (set->has_encap_mode && set->encap_mode != cur.encap_mode) {
        return fail(txn, EOPNOTSUPP,
                    xasprintf("%s: encap mode %"PRIu8" is not supported: "
                              "the emulated NIC offloads no tunnel (encap "
                              "mode none only)", nic->name,
                              set->encap_mode));
    }
    if (set->has_mode) {
        error = emu_nic_set_mode(nic, set->mode);
        if (error) {
            return fail(txn, error,
                        xasprintf("%s: eswitch mode %"PRIu16" is not "
                                  "supported (legacy or switchdev)",
                                  nic->name, set->mode));
        }
    }
    return 0;
}

/* Dispatches a devlink request. */
static int
handle_devlink(struct emu_nl_txn *txn, const struct nlmsghdr *request,
               struct emu_nl_dump_cursor *cursor, bool *more)
{
    struct esw_devlink_request req;
    char *msg;

    int error = esw_devlink_decode_request(request, EMU_GENL_DEVLINK_ID,
                                           &req, &msg);
    if (error) {
        return fail(txn, error, msg);
    }
    if (req.dump != (cursor != NULL)) {
        /* The server and the codec read NLM_F_DUMP alike: cannot
         * happen. */
        return fail(txn, EINVAL, xstrdup("devlink: inconsistent dump "
                                         "flags"));
    }

    switch (req.cmd) {
    case DEVLINK_CMD_GET:
        return handle_dev_get(txn, &req, cursor, more);
    case DEVLINK_CMD_PORT_GET:
        return handle_port_get(txn, &req, cursor, more);
    case DEVLINK_CMD_PORT_SET:
        return handle_port_set(txn, &req);
    case DEVLINK_CMD_ESWITCH_GET:
        return handle_eswitch_get(txn, &req);
    case DEVLINK_CMD_ESWITCH_SET:
        return handle_eswitch_set(txn, &req);
    default:
        /* The codec refuses every other command. */
        return fail(txn, EOPNOTSUPP,
                    xasprintf("devlink: command %"PRIu8" is not emulated",
                              req.cmd));
    }
}

int
emu_genl_handle(struct emu_nl_txn *txn, const struct nlmsghdr *request,
                struct emu_nl_dump_cursor *cursor, bool *more,
                void *aux OVS_UNUSED)
{
    switch (request->nlmsg_type) {
    case GENL_ID_CTRL:
        return handle_ctrl(txn, request, cursor, more);
    case EMU_GENL_DEVLINK_ID:
        return handle_devlink(txn, request, cursor, more);
    default:
        return fail(txn, ENOENT,
                    xasprintf("no generic netlink family has ID %#"PRIx16,
                              request->nlmsg_type));
    }
}
