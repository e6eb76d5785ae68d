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

#include "emu-dataplane.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "coverage.h"
#include "dp-packet.h"
#include "emu-endpoint.h"
#include "emu-flow-table.h"
#include "emu-nic.h"
#include "emu-pipeline.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "pcap-file.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_dataplane);

COVERAGE_DEFINE(emu_packet_hit);
COVERAGE_DEFINE(emu_packet_miss);
COVERAGE_DEFINE(emu_packet_drop);
COVERAGE_DEFINE(emu_packet_from_rep);

/* Packets taken from one endpoint per run, so that none starves others. */
#define BATCH 64

/* Packet capture: endpoint spec -> struct pcap_file *. */
static char *capture_dir;
static struct shash captures = SHASH_INITIALIZER(&captures);

static void
capture_packet(const struct emu_vport *vport, const char *side,
               const struct dp_packet *packet)
{
    if (!capture_dir) {
        return;
    }

    char *name = xasprintf("%s-%s-%s", vport->nic->name,
                           vport->phys_port_name, side);
    for (char *p = name; *p; p++) {
        if (*p == '/' || *p == ':') {
            *p = '_';
        }
    }
    struct pcap_file *pcap = shash_find_data(&captures, name);
    if (!pcap) {
        char *path = xasprintf("%s/%s.pcap", capture_dir, name);
        pcap = ovs_pcap_open(path, "wb");
        if (pcap) {
            ovs_pcap_write_header(pcap);
            shash_add(&captures, name, pcap);
        }
        free(path);
    }
    if (pcap) {
        ovs_pcap_write(pcap, CONST_CAST(struct dp_packet *, packet));
    }
    free(name);
}

int
emu_dataplane_capture(const char *dir)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &captures) {
        ovs_pcap_close(node->data);
        shash_delete(&captures, node);
    }
    free(capture_dir);
    capture_dir = NULL;
    if (dir) {
        if (mkdir(dir, 0755) && errno != EEXIST) {
            return errno;
        }
        capture_dir = xstrdup(dir);
    }
    return 0;
}

/* Sends 'packet' out of 'vport''s 'side' endpoint, if it has one. */
static void
send_out(struct emu_vport *vport, bool to_rep,
         const struct dp_packet *packet)
{
    struct emu_endpoint *ep = to_rep ? vport->rep_ep : vport->function_ep;

    if (ep) {
        capture_packet(vport, to_rep ? "rep" : "function", packet);
        emu_endpoint_send(ep, packet);
    }
}

static struct emu_vport *
vport_by_port(struct emu_nic *nic, uint32_t port)
{
    if (port == EMU_NIC_UPLINK_PORT) {
        return &nic->uplink;
    }
    uint32_t vf = port - EMU_NIC_VF_PORT(0);
    return vf < nic->num_vfs ? &nic->vfs[vf] : NULL;
}

/* Whether the VF configuration of 'vport' lets 'packet' in from the VM. */
static bool
vf_admits(const struct emu_vport *vport, const struct dp_packet *packet)
{
    const struct esw_vf_info *info = &vport->vf_info;

    if (vport->kind != EMU_VPORT_VF) {
        return true;
    }
    if (info->link_state == IFLA_VF_LINK_STATE_DISABLE) {
        return false;
    }
    if (info->spoofchk == ESW_VF_SETTING_ON && !eth_addr_is_zero(info->mac)
        && dp_packet_size(packet) >= ETH_HEADER_LEN) {
        const struct eth_header *eth = dp_packet_data(packet);
        return eth_addr_equals(eth->eth_src, info->mac);
    }
    return true;
}

/* Whether 'vport' (a VF, or the uplink) may send to its function side. */
static bool
vf_link_up(const struct emu_vport *vport)
{
    return (vport->kind != EMU_VPORT_VF
            || vport->vf_info.link_state != IFLA_VF_LINK_STATE_DISABLE);
}

static void
deliver(struct emu_nic *nic, uint32_t port, const struct dp_packet *packet)
{
    struct emu_vport *out = vport_by_port(nic, port);

    if (out && vf_link_up(out)) {
        send_out(out, false, packet);
    } else {
        COVERAGE_INC(emu_packet_drop);
    }
}

/* Legacy mode: the NIC is a plain MAC switch between VFs, wire and PF. */
static void
legacy_forward(struct emu_vport *in, const struct dp_packet *packet)
{
    struct emu_nic *nic = in->nic;
    const struct eth_header *eth = dp_packet_data(packet);

    if (in->kind == EMU_VPORT_VF) {
        deliver(nic, EMU_NIC_UPLINK_PORT, packet);
        return;
    }

    bool flood = eth_addr_is_multicast(eth->eth_dst);
    bool found = false;
    for (uint16_t vf = 0; vf < nic->num_vfs; vf++) {
        struct emu_vport *v = &nic->vfs[vf];

        if (flood || eth_addr_equals(eth->eth_dst, v->vf_info.mac)) {
            found = true;
            if (vf_link_up(v)) {
                send_out(v, false, packet);
            }
        }
    }
    if (flood || !found) {
        in->n_miss++;
        send_out(in, true, packet);
    }
}

/* Processes 'packet', which entered 'in' from its function side, and which
 * this function takes over. */
static void
ingress(struct emu_vport *in, struct dp_packet *packet)
{
    struct emu_nic *nic = in->nic;

    in->n_rx++;
    if (dp_packet_size(packet) < ETH_HEADER_LEN || !vf_admits(in, packet)) {
        COVERAGE_INC(emu_packet_drop);
        dp_packet_delete(packet);
        return;
    }
    if (nic->mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        legacy_forward(in, packet);
        dp_packet_delete(packet);
        return;
    }

    struct emu_pipeline_result result;
    emu_pipeline_process(nic->table, in->port, packet, time_msec(),
                         &result);
    if (result.rule) {
        in->n_hw_hit++;
        COVERAGE_INC(emu_packet_hit);
    }
    for (size_t i = 0; i < result.n_outputs; i++) {
        deliver(nic, result.outputs[i].port, result.outputs[i].packet);
    }
    if (result.local) {
        /* A miss, or a rule that accepted the packet: the representor. */
        if (!result.rule) {
            COVERAGE_INC(emu_packet_miss);
        }
        in->n_miss++;
        send_out(in, true, result.local);
    }
    emu_pipeline_result_uninit(&result);
}

void
emu_dataplane_inject(struct emu_vport *vport, const struct dp_packet *packet)
{
    ingress(vport, dp_packet_clone(packet));
}

/* Runs 'vport''s endpoints and forwards what they received.  Returns true
 * if there may be more to receive. */
static bool
run_vport(struct emu_vport *vport)
{
    bool busy = false;
    struct dp_packet *packet;

    if (vport->function_ep) {
        emu_endpoint_run(vport->function_ep);
        for (int i = 0; i < BATCH; i++) {
            if (emu_endpoint_recv(vport->function_ep, &packet)) {
                break;
            }
            ingress(vport, packet);
            busy = i == BATCH - 1;
        }
    }
    if (vport->rep_ep) {
        emu_endpoint_run(vport->rep_ep);
        for (int i = 0; i < BATCH; i++) {
            if (emu_endpoint_recv(vport->rep_ep, &packet)) {
                break;
            }
            /* switchdev: what the host sends on a representor leaves
             * through the vport, without lookup.  A representor that does
             * not exist (legacy mode, disabled VF) carries nothing, except
             * the uplink's host side, which is the PF in every mode. */
            vport->n_from_rep++;
            COVERAGE_INC(emu_packet_from_rep);
            if (emu_vport_is_visible(vport) && vf_link_up(vport)) {
                send_out(vport, false, packet);
            }
            dp_packet_delete(packet);
            busy = busy || i == BATCH - 1;
        }
    }
    return busy;
}

void
emu_dataplane_run(void)
{
    struct emu_nic *nic;
    bool busy = false;

    EMU_NIC_FOR_EACH (nic) {
        busy |= run_vport(&nic->uplink);
        for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
            busy |= run_vport(&nic->vfs[vf]);
        }
    }
    if (busy) {
        poll_immediate_wake();
    }
}

static void
wait_vport(struct emu_vport *vport)
{
    if (vport->function_ep) {
        emu_endpoint_wait(vport->function_ep);
    }
    if (vport->rep_ep) {
        emu_endpoint_wait(vport->rep_ep);
    }
}

void
emu_dataplane_wait(void)
{
    struct emu_nic *nic;

    EMU_NIC_FOR_EACH (nic) {
        wait_vport(&nic->uplink);
        for (uint16_t vf = 0; vf < nic->total_vfs; vf++) {
            wait_vport(&nic->vfs[vf]);
        }
    }
}
