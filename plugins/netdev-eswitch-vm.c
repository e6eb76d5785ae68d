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

#include "netdev-eswitch-vm.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "dp-packet.h"
#include "esw-offload.h"
#include "esw-vport.h"
#include "netdev-provider.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "openvswitch/poll-loop.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_eswitch_vm);

/* Backings, in the order of the receive queues they feed. */
enum backing {
    BACKING_SYNTHETIC,
    BACKING_VF,
    N_BACKINGS
};

static const char *const backing_names[N_BACKINGS] = { "synthetic", "vf" };

/* Every eswitch-vm netdev, for vm_run(). */
static struct ovs_mutex all_vm_ports_mutex = OVS_MUTEX_INITIALIZER;
static struct ovs_list all_vm_ports OVS_GUARDED_BY(all_vm_ports_mutex)
    = OVS_LIST_INITIALIZER(&all_vm_ports);

/* How often vm_run() looks at the VFs, and asks the backend again about a
 * VF that went away. */
#define VF_CHECK_MS 100
#define VF_RECHECK_MS 1000

struct netdev_eswitch_vm {
    struct netdev up;
    struct ovs_list list_node;  /* In 'all_vm_ports'. */

    struct ovs_mutex mutex;

    /* As options say (set_config()), by backing. */
    char *requested[N_BACKINGS] OVS_GUARDED;
    bool vf_lost OVS_GUARDED;   /* The VF went away by itself: the port is
                                 * on its synthetic path until it is back. */

    /* As applied (reconfigure()), by backing; NULL if none.  The datapath
     * reads these without the mutex: it calls reconfigure() only while no
     * thread receives from or sends on the port. */
    struct netdev *applied[N_BACKINGS];
    int rxq_backing[N_BACKINGS];    /* Receive queue -> backing. */

    enum netdev_flags flags OVS_GUARDED;
};

struct netdev_rxq_eswitch_vm {
    struct netdev_rxq up;
    struct netdev_rxq *backing_rxq;  /* Of the backing netdev. */
};

static struct netdev_eswitch_vm *
vm_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_eswitch_vm, up);
}

static struct netdev_rxq_eswitch_vm *
vm_rxq_cast(const struct netdev_rxq *rxq)
{
    return CONTAINER_OF(rxq, struct netdev_rxq_eswitch_vm, up);
}

/* The netdev the port sends on: the VF's representor, if it has one. */
static struct netdev *
tx_backing(const struct netdev_eswitch_vm *vm)
{
    return (vm->applied[BACKING_VF] ? vm->applied[BACKING_VF]
            : vm->applied[BACKING_SYNTHETIC]);
}

static struct netdev *
vm_alloc(void)
{
    struct netdev_eswitch_vm *vm = xzalloc(sizeof *vm);
    return &vm->up;
}

static int
vm_construct(struct netdev *netdev)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);

    ovs_mutex_init(&vm->mutex);
    /* No backing until options say: no queue. */
    netdev->n_rxq = 0;
    netdev->n_txq = 1;
    ovs_mutex_lock(&all_vm_ports_mutex);
    ovs_list_push_back(&all_vm_ports, &vm->list_node);
    ovs_mutex_unlock(&all_vm_ports_mutex);
    return 0;
}

static void
vm_destruct(struct netdev *netdev)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);

    ovs_mutex_lock(&all_vm_ports_mutex);
    ovs_list_remove(&vm->list_node);
    ovs_mutex_unlock(&all_vm_ports_mutex);
    for (int i = 0; i < N_BACKINGS; i++) {
        netdev_close(vm->applied[i]);
        free(vm->requested[i]);
    }
    esw_offload_port_set_vf(netdev_get_name(netdev), false, NULL);
    ovs_mutex_destroy(&vm->mutex);
}

static void
vm_dealloc(struct netdev *netdev)
{
    free(vm_cast(netdev));
}

/* Adds to 'smap' the backings that options name, by option name. */
static void
put_requested_backings(struct netdev_eswitch_vm *vm, struct smap *smap)
{
    ovs_mutex_lock(&vm->mutex);
    for (int i = 0; i < N_BACKINGS; i++) {
        if (vm->requested[i]) {
            smap_add(smap, backing_names[i], vm->requested[i]);
        }
    }
    ovs_mutex_unlock(&vm->mutex);
}

static int
vm_get_config(const struct netdev *netdev, struct smap *args)
{
    put_requested_backings(vm_cast(netdev), args);
    return 0;
}

/* Checks that 'name', the value of options:'key', names a network device
 * that exists now.  Returns 0, or a positive errno with a message in
 * '*errp'. */
static int
check_backing(const char *port, const char *key, const char *name,
              char **errp)
{
    if (!esw_vport_name_is_valid(name)) {
        *errp = xasprintf("%s: options:%s=\"%s\" is not a network device "
                          "name", port, key, name);
        return EINVAL;
    }
    if (!if_nametoindex(name)) {
        *errp = xasprintf("%s: options:%s: no network device named %s",
                          port, key, name);
        return ENODEV;
    }
    return 0;
}

static int
vm_set_config(struct netdev *netdev, const struct smap *args, char **errp)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);
    const char *name = netdev_get_name(netdev);
    const char *values[N_BACKINGS] = { NULL, NULL };
    const struct smap_node *node;
    int error = 0;

    SMAP_FOR_EACH (node, args) {
        int i;
        for (i = 0; i < N_BACKINGS; i++) {
            if (!strcmp(node->key, backing_names[i])) {
                break;
            }
        }
        if (i == N_BACKINGS) {
            *errp = xasprintf("%s: unknown option \"%s\" (eswitch-vm ports "
                              "take \"synthetic\" and \"vf\")", name,
                              node->key);
            return EINVAL;
        }
        error = check_backing(name, node->key, node->value, errp);
        if (error) {
            return error;
        }
        values[i] = node->value;
    }
    if (!values[BACKING_SYNTHETIC] && !values[BACKING_VF]) {
        *errp = xasprintf("%s: an eswitch-vm port needs options:synthetic, "
                          "options:vf or both", name);
        return EINVAL;
    }
    if (values[BACKING_SYNTHETIC] && values[BACKING_VF]
        && !strcmp(values[BACKING_SYNTHETIC], values[BACKING_VF])) {
        *errp = xasprintf("%s: options:synthetic and options:vf name the "
                          "same device %s", name, values[BACKING_VF]);
        return EINVAL;
    }

    bool changed = false;
    ovs_mutex_lock(&vm->mutex);
    for (int i = 0; i < N_BACKINGS; i++) {
        if (!nullable_string_is_equal(vm->requested[i], values[i])) {
            free(vm->requested[i]);
            vm->requested[i] = nullable_xstrdup(values[i]);
            changed = true;
            if (i == BACKING_VF) {
                vm->vf_lost = false;
            }
        }
    }
    ovs_mutex_unlock(&vm->mutex);

    if (changed) {
        VLOG_INFO("%s: synthetic path %s, VF %s", name,
                  values[BACKING_SYNTHETIC] ? values[BACKING_SYNTHETIC]
                                            : "(none)",
                  values[BACKING_VF] ? values[BACKING_VF] : "(none)");
        /* The flows follow the VF at once; receive and send follow when the
         * datapath reconfigures the port. */
        esw_offload_port_set_vf(name, true, values[BACKING_VF]);
        netdev_request_reconfigure(netdev);
    }
    return 0;
}

static int
vm_reconfigure(struct netdev *netdev)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);
    const char *name = netdev_get_name(netdev);
    int error = 0;

    ovs_mutex_lock(&vm->mutex);
    netdev->n_rxq = 0;
    for (int i = 0; i < N_BACKINGS; i++) {
        struct netdev *old = vm->applied[i];
        const char *want = (i == BACKING_VF && vm->vf_lost ? NULL
                            : vm->requested[i]);

        if (old && (!want || strcmp(netdev_get_name(old), want))) {
            netdev_close(old);
            vm->applied[i] = NULL;
        }
        if (want && !vm->applied[i]) {
            struct netdev *backing;
            int retval = netdev_open(want, "system", &backing);
            if (!retval) {
                enum netdev_flags on = vm->flags & (NETDEV_UP
                                                    | NETDEV_PROMISC);
                if (on) {
                    netdev_turn_flags_on(backing, on, NULL);
                }
                vm->applied[i] = backing;
            } else {
                VLOG_WARN("%s: cannot open %s %s (%s)", name,
                          backing_names[i], want, ovs_strerror(retval));
                error = retval;
            }
        }
        if (vm->applied[i]) {
            vm->rxq_backing[netdev->n_rxq++] = i;
        }
    }
    netdev_change_seq_changed(netdev);
    ovs_mutex_unlock(&vm->mutex);
    return error;
}

static int
vm_send(struct netdev *netdev, int qid OVS_UNUSED,
        struct dp_packet_batch *batch, bool concurrent_txq OVS_UNUSED)
{
    struct netdev *backing = tx_backing(vm_cast(netdev));

    if (!backing) {
        dp_packet_delete_batch(batch, true);
        return EOPNOTSUPP;
    }
    return netdev_send(backing, 0, batch, true);
}

static void
vm_send_wait(struct netdev *netdev, int qid OVS_UNUSED)
{
    struct netdev *backing = tx_backing(vm_cast(netdev));

    if (backing) {
        netdev_send_wait(backing, 0);
    }
}

static int
vm_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct netdev *backing = tx_backing(vm_cast(netdev));

    return backing ? netdev_get_etheraddr(backing, mac) : EOPNOTSUPP;
}

static int
vm_get_mtu(const struct netdev *netdev, int *mtu)
{
    struct netdev *backing = tx_backing(vm_cast(netdev));

    return backing ? netdev_get_mtu(backing, mtu) : EOPNOTSUPP;
}

static int
vm_get_carrier(const struct netdev *netdev, bool *carrier)
{
    struct netdev *backing = tx_backing(vm_cast(netdev));

    *carrier = backing && netdev_get_carrier(backing);
    return 0;
}

/* The port's counters: its backings' together. */
static int
vm_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);

    memset(stats, 0, sizeof *stats);
    for (int i = 0; i < N_BACKINGS; i++) {
        struct netdev_stats s;

        if (vm->applied[i] && !netdev_get_stats(vm->applied[i], &s)) {
            stats->rx_packets += s.rx_packets;
            stats->tx_packets += s.tx_packets;
            stats->rx_bytes += s.rx_bytes;
            stats->tx_bytes += s.tx_bytes;
            stats->rx_errors += s.rx_errors;
            stats->tx_errors += s.tx_errors;
            stats->rx_dropped += s.rx_dropped;
            stats->tx_dropped += s.tx_dropped;
        }
    }
    return 0;
}

static int
vm_get_status(const struct netdev *netdev, struct smap *smap)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);

    put_requested_backings(vm, smap);
    ovs_mutex_lock(&vm->mutex);
    if (vm->requested[BACKING_VF]) {
        smap_add(smap, "vf_state", vm->vf_lost ? "gone" : "attached");
    }
    ovs_mutex_unlock(&vm->mutex);
    smap_add(smap, "path", (vm->applied[BACKING_VF] ? "vf"
                            : vm->applied[BACKING_SYNTHETIC] ? "synthetic"
                            : "none"));
    return 0;
}

/* Up and promiscuous apply to every backing. */
static int
vm_update_flags(struct netdev *netdev, enum netdev_flags off,
                enum netdev_flags on, enum netdev_flags *old_flagsp)
{
    struct netdev_eswitch_vm *vm = vm_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    ovs_mutex_lock(&vm->mutex);
    *old_flagsp = vm->flags;
    vm->flags |= on;
    vm->flags &= ~off;
    for (int i = 0; i < N_BACKINGS; i++) {
        if (vm->applied[i] && on) {
            netdev_turn_flags_on(vm->applied[i], on, NULL);
        }
    }
    ovs_mutex_unlock(&vm->mutex);
    return 0;
}

static struct netdev_rxq *
vm_rxq_alloc(void)
{
    struct netdev_rxq_eswitch_vm *rxq = xzalloc(sizeof *rxq);
    return &rxq->up;
}

static int
vm_rxq_construct(struct netdev_rxq *rxq_)
{
    struct netdev_rxq_eswitch_vm *rxq = vm_rxq_cast(rxq_);
    struct netdev_eswitch_vm *vm = vm_cast(rxq_->netdev);
    struct netdev *backing = vm->applied[vm->rxq_backing[rxq_->queue_id]];

    return backing ? netdev_rxq_open(backing, &rxq->backing_rxq, 0) : ENODEV;
}

static void
vm_rxq_destruct(struct netdev_rxq *rxq_)
{
    netdev_rxq_close(vm_rxq_cast(rxq_)->backing_rxq);
}

static void
vm_rxq_dealloc(struct netdev_rxq *rxq_)
{
    free(vm_rxq_cast(rxq_));
}

static int
vm_rxq_recv(struct netdev_rxq *rxq_, struct dp_packet_batch *batch,
            int *qfill)
{
    return netdev_rxq_recv(vm_rxq_cast(rxq_)->backing_rxq, batch, qfill);
}

static void
vm_rxq_wait(struct netdev_rxq *rxq_)
{
    netdev_rxq_wait(vm_rxq_cast(rxq_)->backing_rxq);
}

static int
vm_rxq_drain(struct netdev_rxq *rxq_)
{
    return netdev_rxq_drain(vm_rxq_cast(rxq_)->backing_rxq);
}

/* Follows, for every VM port with a VF, what the offload engine knows of
 * the VF: one that goes away by itself (NIC servicing, a VF reset) moves
 * the port to its synthetic path, and back when it returns, as a change of
 * options:vf would. */
static void
vm_run(const struct netdev_class *class OVS_UNUSED)
{
    static long long int next_check, next_recheck;
    long long int now = time_msec();
    struct netdev_eswitch_vm *vm;

    if (now < next_check) {
        return;
    }
    next_check = now + VF_CHECK_MS;
    bool recheck = now >= next_recheck;
    if (recheck) {
        next_recheck = now + VF_RECHECK_MS;
    }

    ovs_mutex_lock(&all_vm_ports_mutex);
    LIST_FOR_EACH (vm, list_node, &all_vm_ports) {
        const char *name = netdev_get_name(&vm->up);

        ovs_mutex_lock(&vm->mutex);
        char *vf = nullable_xstrdup(vm->requested[BACKING_VF]);
        bool was_lost = vm->vf_lost;
        ovs_mutex_unlock(&vm->mutex);
        if (!vf) {
            continue;
        }

        enum esw_vf_state state = esw_offload_port_vf_state(
            name, was_lost && recheck);
        bool lost = (state == ESW_VF_GONE ? true
                     : state == ESW_VF_PRESENT ? false
                     : was_lost);
        if (lost != was_lost) {
            VLOG_INFO("%s: VF %s %s: the port is on its %s path", name, vf,
                      lost ? "went away" : "is back",
                      lost ? "synthetic" : "VF");
            ovs_mutex_lock(&vm->mutex);
            vm->vf_lost = lost;
            ovs_mutex_unlock(&vm->mutex);
            netdev_request_reconfigure(&vm->up);
        }
        free(vf);
    }
    ovs_mutex_unlock(&all_vm_ports_mutex);
}

static void
vm_wait(const struct netdev_class *class OVS_UNUSED)
{
    bool any;

    ovs_mutex_lock(&all_vm_ports_mutex);
    any = !ovs_list_is_empty(&all_vm_ports);
    ovs_mutex_unlock(&all_vm_ports_mutex);
    if (any) {
        poll_timer_wait(VF_CHECK_MS);
    }
}

static const struct netdev_class netdev_eswitch_vm_class = {
    .type = NETDEV_ESWITCH_VM_TYPE,
    .run = vm_run,
    .wait = vm_wait,
    .alloc = vm_alloc,
    .construct = vm_construct,
    .destruct = vm_destruct,
    .dealloc = vm_dealloc,
    .get_config = vm_get_config,
    .set_config = vm_set_config,
    .reconfigure = vm_reconfigure,
    .send = vm_send,
    .send_wait = vm_send_wait,
    .get_etheraddr = vm_get_etheraddr,
    .get_mtu = vm_get_mtu,
    .get_carrier = vm_get_carrier,
    .get_stats = vm_get_stats,
    .get_status = vm_get_status,
    .update_flags = vm_update_flags,
    .rxq_alloc = vm_rxq_alloc,
    .rxq_construct = vm_rxq_construct,
    .rxq_destruct = vm_rxq_destruct,
    .rxq_dealloc = vm_rxq_dealloc,
    .rxq_recv = vm_rxq_recv,
    .rxq_wait = vm_rxq_wait,
    .rxq_drain = vm_rxq_drain,
};

int
netdev_eswitch_vm_register(void)
{
    return netdev_register_provider(&netdev_eswitch_vm_class);
}
