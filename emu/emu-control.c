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

#include "emu-control.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/pkt_sched.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "emu-dataplane.h"
#include "emu-flow-table.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "esw-flower.h"
#include "flow.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_control);

char *
emu_control_add_nic(const char *spec)
{
    struct emu_nic *nic;
    char *error_msg;

    return emu_nic_create(spec, &nic, &error_msg) ? error_msg : NULL;
}

char *
emu_control_attach(const char *arg)
{
    char *copy = xstrdup(arg);
    char *fields[5] = { NULL };
    size_t n = 0;
    char *save_ptr = NULL;
    char *error = NULL;

    for (char *f = strtok_r(copy, ",", &save_ptr); f;
         f = strtok_r(NULL, ",", &save_ptr)) {
        if (n >= ARRAY_SIZE(fields)) {
            n++;
            break;
        }
        fields[n++] = f;
    }
    if (n < 4 || n > 5) {
        error = xstrdup("expected BUS/DEV,PORT,SIDE,ENDPOINT[,REP-NAME]");
        goto out;
    }

    struct emu_nic *nic = emu_nic_find(fields[0]);
    if (!nic) {
        error = xasprintf("%s: no such NIC", fields[0]);
        goto out;
    }
    struct emu_vport *vport = emu_nic_find_vport(nic, fields[1]);
    if (!vport) {
        error = xasprintf("%s: no vport %s (p0, or pf0vf0 to pf0vf%d)",
                          nic->name, fields[1], nic->total_vfs - 1);
        goto out;
    }
    if (fields[4] && strcmp(fields[2], "rep")) {
        error = xstrdup("only a representor (side \"rep\") has a name");
        goto out;
    }
    emu_vport_attach(vport, fields[2], fields[3], fields[4], &error);

out:
    free(copy);
    return error;
}

/* Returns the NIC named by argv[1], or replies with an error and returns
 * NULL. */
static struct emu_nic *
nic_arg(struct unixctl_conn *conn, const char *name)
{
    struct emu_nic *nic = emu_nic_find(name);

    if (!nic) {
        unixctl_command_reply_error(conn, "no such NIC");
    }
    return nic;
}

static void
reply_result(struct unixctl_conn *conn, char *error)
{
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_show(struct unixctl_conn *conn, int argc, const char *argv[],
         void *netlink_dir)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct emu_nic *nic;

    ds_put_format(&ds, "netlink: %s/{rtnetlink,genetlink}.sock",
                  (const char *) netlink_dir);
    if (emu_nl_capture_path()) {
        ds_put_format(&ds, ", captured to %s", emu_nl_capture_path());
    }
    ds_put_char(&ds, '\n');
    EMU_NIC_FOR_EACH (nic) {
        if (argc < 2 || !strcmp(argv[1], nic->name)) {
            emu_nic_format(nic, &ds);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
cmd_add_nic(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[], void *aux OVS_UNUSED)
{
    reply_result(conn, emu_control_add_nic(argv[1]));
}

static void
cmd_del_nic(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);

    if (nic) {
        emu_nic_destroy(nic);
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_attach(struct unixctl_conn *conn, int argc, const char *argv[],
           void *aux OVS_UNUSED)
{
    struct ds arg = DS_EMPTY_INITIALIZER;

    for (int i = 1; i < argc; i++) {
        if (strchr(argv[i], ',')) {
            unixctl_command_reply_error(conn, "arguments contain a comma");
            ds_destroy(&arg);
            return;
        }
        ds_put_format(&arg, "%s%s", i > 1 ? "," : "", argv[i]);
    }
    reply_result(conn, emu_control_attach(ds_cstr(&arg)));
    ds_destroy(&arg);
}

/* Parses decimal 's', up to 'max'. */
static bool
parse_count(const char *s, unsigned int max, unsigned int *value)
{
    return str_to_uint(s, 10, value) && *value <= max;
}

static void
cmd_set_vfs(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);
    unsigned int n;

    if (!nic) {
        return;
    }
    if (!parse_count(argv[2], UINT16_MAX, &n)
        || emu_nic_set_num_vfs(nic, n)) {
        reply_result(conn, xasprintf("%s: between 0 and %"PRIu16" VFs",
                                     argv[2], nic->total_vfs));
        return;
    }
    unixctl_command_reply(conn, NULL);
}

static void
cmd_set_mode(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);

    if (!nic) {
        return;
    }
    if (!strcmp(argv[2], "switchdev")) {
        emu_nic_set_mode(nic, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    } else if (!strcmp(argv[2], "legacy")) {
        emu_nic_set_mode(nic, DEVLINK_ESWITCH_MODE_LEGACY);
    } else {
        unixctl_command_reply_error(conn, "mode is legacy or switchdev");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

static void
cmd_set_capacity(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);
    unsigned int n;

    if (!nic) {
        return;
    }
    if (!parse_count(argv[2], 1u << 28, &n)) {
        unixctl_command_reply_error(conn, "capacity: a number of rules");
        return;
    }
    emu_flow_table_set_capacity(nic->table, n);
    unixctl_command_reply(conn, NULL);
}

static void
format_rules(struct emu_nic *nic, struct ds *ds)
{
    struct esw_flower_rule *flower = xmalloc(sizeof *flower);
    struct emu_flow_dump dump;
    const struct emu_flow_rule *rule;
    long long int now = time_msec();

    ds_put_format(ds, "%s: %"PRIuSIZE" rules\n", nic->name,
                  emu_flow_table_count(nic->table));
    emu_flow_dump_init_all(&dump);
    while ((rule = emu_flow_dump_next(nic->table, &dump))) {
        const struct emu_flow_id *id = emu_flow_rule_id(rule);
        struct emu_vport *vport = (id->port == EMU_NIC_UPLINK_PORT
                                   ? &nic->uplink
                                   : &nic->vfs[id->port - 1]);
        struct emu_flow_stats stats;

        emu_flow_rule_get_stats(rule, &stats);
        emu_flow_rule_to_flower(rule, now, flower);
        flower->ifindex = vport->rep_ifindex;
        flower->parent = TC_H_MAKE(TC_H_INGRESS, 0);
        ds_put_format(ds, "  %s (%s): packets %"PRIu64", bytes %"PRIu64
                      ", used %s: ", vport->phys_port_name, vport->rep_name,
                      stats.packets, stats.bytes,
                      stats.used_ms ? "yes" : "never");
        esw_flower_rule_format(flower, ds);
        ds_put_char(ds, '\n');
    }
    free(flower);
}

static void
cmd_dump_rules(struct unixctl_conn *conn, int argc, const char *argv[],
               void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct emu_nic *nic;

    if (argc > 1 && !emu_nic_find(argv[1])) {
        unixctl_command_reply_error(conn, "no such NIC");
        return;
    }
    EMU_NIC_FOR_EACH (nic) {
        if (argc < 2 || !strcmp(argv[1], nic->name)) {
            format_rules(nic, &ds);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

/* Makes a packet from 's', in hex or in the datapath flow syntax that
 * "ovs-appctl netdev-dummy/receive" takes.  Returns NULL and an error in
 * '*errorp' on failure. */
static struct dp_packet *
packet_from_string(const char *s, char **errorp)
{
    struct dp_packet *packet;

    *errorp = NULL;
    if (!eth_from_hex(s, &packet)) {
        return packet;
    }

    struct ofpbuf odp_key;
    struct flow flow;

    ofpbuf_init(&odp_key, 0);
    if (odp_flow_from_string(s, NULL, &odp_key, NULL, errorp)
        || odp_flow_key_to_flow(odp_key.data, odp_key.size, &flow, errorp)
           == ODP_FIT_ERROR) {
        ofpbuf_uninit(&odp_key);
        if (!*errorp) {
            *errorp = xstrdup("bad packet: neither hex nor a flow");
        }
        return NULL;
    }
    ofpbuf_uninit(&odp_key);
    packet = dp_packet_new(0);
    flow_compose(packet, &flow, NULL, 64);
    return packet;
}

static void
cmd_inject(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);
    char *error;

    if (!nic) {
        return;
    }
    struct emu_vport *vport = emu_nic_find_vport(nic, argv[2]);
    if (!vport || (vport->kind == EMU_VPORT_VF
                   && vport->vf >= nic->num_vfs)) {
        unixctl_command_reply_error(conn, "no such enabled vport");
        return;
    }
    struct dp_packet *packet = packet_from_string(argv[3], &error);
    if (!packet) {
        reply_result(conn, error);
        return;
    }
    emu_dataplane_inject(vport, packet);
    dp_packet_delete(packet);
    unixctl_command_reply(conn, NULL);
}

static void
cmd_capture(struct unixctl_conn *conn, int argc OVS_UNUSED,
            const char *argv[], void *aux OVS_UNUSED)
{
    int error = emu_dataplane_capture(strcmp(argv[1], "off") ? argv[1]
                                                           : NULL);

    reply_result(conn, error ? xasprintf("%s: %s", argv[1],
                                         ovs_strerror(error)) : NULL);
}

static void
cmd_netlink_capture(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[], void *aux OVS_UNUSED)
{
    int error = emu_nl_capture(strcmp(argv[1], "off") ? argv[1] : NULL);

    reply_result(conn, error ? xasprintf("%s: %s", argv[1],
                                         ovs_strerror(error)) : NULL);
}

/* Parses an errno given as a name ("ENOSPC") or a number. */
static bool
parse_errno(const char *s, int *error)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {
        { "EOPNOTSUPP", EOPNOTSUPP }, { "ENOSPC", ENOSPC },
        { "EBUSY", EBUSY }, { "EINVAL", EINVAL }, { "ENOMEM", ENOMEM },
        { "EIO", EIO }, { "ETIMEDOUT", ETIMEDOUT }, { "EAGAIN", EAGAIN },
        { "ENODEV", ENODEV }, { "EPERM", EPERM },
    };
    unsigned int n;

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i].name)) {
            *error = names[i].value;
            return true;
        }
    }
    if (parse_count(s, 4095, &n) && n) {
        *error = n;
        return true;
    }
    return false;
}

static void
cmd_fail(struct unixctl_conn *conn, int argc, const char *argv[],
         void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);
    unsigned int n;
    int error = EIO;

    if (!nic) {
        return;
    }
    if (!parse_count(argv[2], UINT_MAX, &n)) {
        unixctl_command_reply_error(conn, "N: a number of rule operations");
        return;
    }
    if (argc > 3 && !parse_errno(argv[3], &error)) {
        unixctl_command_reply_error(conn, "ERRNO: a name such as ENOSPC, "
                                    "or a positive number");
        return;
    }
    emu_nic_inject_faults(nic, n, error);
    unixctl_command_reply(conn, NULL);
}

static void
cmd_reset(struct unixctl_conn *conn, int argc OVS_UNUSED,
          const char *argv[], void *aux OVS_UNUSED)
{
    struct emu_nic *nic = nic_arg(conn, argv[1]);

    if (nic) {
        emu_nic_reset(nic);
        unixctl_command_reply(conn, NULL);
    }
}

static void
cmd_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *exiting)
{
    *(bool *) exiting = true;
    unixctl_command_reply(conn, NULL);
}

void
emu_control_register(const char *netlink_dir, bool *exiting)
{
    unixctl_command_register("sriov-nic-emu/show", "[NIC]", 0, 1,
                             cmd_show, CONST_CAST(char *, netlink_dir));
    unixctl_command_register("sriov-nic-emu/add-nic", "BUS/DEV[,KEY=VALUE]",
                             1, 1, cmd_add_nic, NULL);
    unixctl_command_register("sriov-nic-emu/del-nic", "NIC", 1, 1,
                             cmd_del_nic, NULL);
    unixctl_command_register("sriov-nic-emu/attach",
                             "NIC PORT SIDE ENDPOINT [REP-NAME]", 4, 5,
                             cmd_attach, NULL);
    unixctl_command_register("sriov-nic-emu/set-vfs", "NIC N", 2, 2,
                             cmd_set_vfs, NULL);
    unixctl_command_register("sriov-nic-emu/set-mode",
                             "NIC legacy|switchdev", 2, 2, cmd_set_mode,
                             NULL);
    unixctl_command_register("sriov-nic-emu/set-capacity", "NIC RULES", 2, 2,
                             cmd_set_capacity, NULL);
    unixctl_command_register("sriov-nic-emu/dump-rules", "[NIC]", 0, 1,
                             cmd_dump_rules, NULL);
    unixctl_command_register("sriov-nic-emu/inject", "NIC PORT PACKET", 3, 3,
                             cmd_inject, NULL);
    unixctl_command_register("sriov-nic-emu/capture", "DIR|off", 1, 1,
                             cmd_capture, NULL);
    unixctl_command_register("sriov-nic-emu/netlink-capture", "FILE|off",
                             1, 1, cmd_netlink_capture, NULL);
    unixctl_command_register("sriov-nic-emu/fail", "NIC N [ERRNO]", 2, 3,
                             cmd_fail, NULL);
    unixctl_command_register("sriov-nic-emu/reset", "NIC", 1, 1, cmd_reset,
                             NULL);
    unixctl_command_register("exit", "", 0, 0, cmd_exit, exiting);
}
