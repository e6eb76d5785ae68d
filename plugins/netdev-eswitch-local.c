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

#include "netdev-eswitch-local.h"

#include <errno.h>

#include "dp-packet.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "packets.h"
#include "sset.h"

VLOG_DEFINE_THIS_MODULE(netdev_eswitch_local);

#define LOCAL_PORT_TYPE "dummy-internal"

struct netdev_eswitch_local {
    struct netdev up;

    struct ovs_mutex mutex;
    struct eth_addr hwaddr OVS_GUARDED;
    int mtu OVS_GUARDED;
    enum netdev_flags flags OVS_GUARDED;
};

static struct netdev_eswitch_local *
netdev_eswitch_local_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_eswitch_local, up);
}

static struct netdev *
netdev_eswitch_local_alloc(void)
{
    struct netdev_eswitch_local *local = xzalloc(sizeof *local);
    return &local->up;
}

static int
netdev_eswitch_local_construct(struct netdev *netdev)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    ovs_mutex_init(&local->mutex);
    eth_addr_nicira_random(&local->hwaddr);
    local->mtu = ETH_PAYLOAD_MAX;
    local->flags = 0;
    return 0;
}

static void
netdev_eswitch_local_destruct(struct netdev *netdev)
{
    ovs_mutex_destroy(&netdev_eswitch_local_cast(netdev)->mutex);
}

static void
netdev_eswitch_local_dealloc(struct netdev *netdev)
{
    free(netdev_eswitch_local_cast(netdev));
}

static int
netdev_eswitch_local_set_etheraddr(struct netdev *netdev,
                                   const struct eth_addr mac)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    ovs_mutex_lock(&local->mutex);
    local->hwaddr = mac;
    ovs_mutex_unlock(&local->mutex);
    return 0;
}

static int
netdev_eswitch_local_get_etheraddr(const struct netdev *netdev,
                                   struct eth_addr *mac)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    ovs_mutex_lock(&local->mutex);
    *mac = local->hwaddr;
    ovs_mutex_unlock(&local->mutex);
    return 0;
}

static int
netdev_eswitch_local_get_mtu(const struct netdev *netdev, int *mtup)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    ovs_mutex_lock(&local->mutex);
    *mtup = local->mtu;
    ovs_mutex_unlock(&local->mutex);
    return 0;
}

static int
netdev_eswitch_local_set_mtu(struct netdev *netdev, int mtu)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    ovs_mutex_lock(&local->mutex);
    local->mtu = mtu;
    ovs_mutex_unlock(&local->mutex);
    return 0;
}

static int
netdev_eswitch_local_update_flags(struct netdev *netdev,
                                  enum netdev_flags off, enum netdev_flags on,
                                  enum netdev_flags *old_flagsp)
{
    struct netdev_eswitch_local *local = netdev_eswitch_local_cast(netdev);

    if ((off | on) & ~(NETDEV_UP | NETDEV_PROMISC)) {
        return EINVAL;
    }
    ovs_mutex_lock(&local->mutex);
    *old_flagsp = local->flags;
    local->flags = (local->flags & ~off) | on;
    ovs_mutex_unlock(&local->mutex);
    return 0;
}

/* Packets sent to the local port go nowhere. */
static int
netdev_eswitch_local_send(struct netdev *netdev OVS_UNUSED, int qid OVS_UNUSED,
                          struct dp_packet_batch *batch,
                          bool concurrent_txq OVS_UNUSED)
{
    dp_packet_delete_batch(batch, true);
    return 0;
}

static struct netdev_rxq *
netdev_eswitch_local_rxq_alloc(void)
{
    return xzalloc(sizeof(struct netdev_rxq));
}

static int
netdev_eswitch_local_rxq_construct(struct netdev_rxq *rxq OVS_UNUSED)
{
    return 0;
}

static void
netdev_eswitch_local_rxq_destruct(struct netdev_rxq *rxq OVS_UNUSED)
{
}

static void
netdev_eswitch_local_rxq_dealloc(struct netdev_rxq *rxq)
{
    free(rxq);
}

/* The local port never receives a packet, so it never wakes the caller. */
static int
netdev_eswitch_local_rxq_recv(struct netdev_rxq *rxq OVS_UNUSED,
                              struct dp_packet_batch *batch OVS_UNUSED,
                              int *qfill OVS_UNUSED)
{
    return EAGAIN;
}

static void
netdev_eswitch_local_rxq_wait(struct netdev_rxq *rxq OVS_UNUSED)
{
}

/* The members shared by the local port and the anchor classes. */
#define NETDEV_ESWITCH_INERT_CLASS(TYPE)                        \
    .type = TYPE,                                               \
    .is_pmd = false,                                            \
    .alloc = netdev_eswitch_local_alloc,                        \
    .construct = netdev_eswitch_local_construct,                \
    .destruct = netdev_eswitch_local_destruct,                  \
    .dealloc = netdev_eswitch_local_dealloc,                    \
    .send = netdev_eswitch_local_send,                          \
    .set_etheraddr = netdev_eswitch_local_set_etheraddr,        \
    .get_etheraddr = netdev_eswitch_local_get_etheraddr,        \
    .get_mtu = netdev_eswitch_local_get_mtu,                    \
    .set_mtu = netdev_eswitch_local_set_mtu,                    \
    .update_flags = netdev_eswitch_local_update_flags

static const struct netdev_class netdev_eswitch_local_class = {
    NETDEV_ESWITCH_INERT_CLASS(LOCAL_PORT_TYPE),
    .rxq_alloc = netdev_eswitch_local_rxq_alloc,
    .rxq_construct = netdev_eswitch_local_rxq_construct,
    .rxq_destruct = netdev_eswitch_local_rxq_destruct,
    .rxq_dealloc = netdev_eswitch_local_rxq_dealloc,
    .rxq_recv = netdev_eswitch_local_rxq_recv,
    .rxq_wait = netdev_eswitch_local_rxq_wait,
};

/* The same port under another type name, without receive queues (nothing
 * ever receives on it): see netdev-eswitch-local.h. */
static const struct netdev_class netdev_eswitch_anchor_class = {
    NETDEV_ESWITCH_INERT_CLASS(NETDEV_ESWITCH_ANCHOR_TYPE)
};

int
netdev_eswitch_anchor_register(void)
{
    return netdev_register_provider(&netdev_eswitch_anchor_class);
}

bool
netdev_eswitch_local_init(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    static bool dummy_enabled;

    if (ovsthread_once_start(&once)) {
        struct sset types = SSET_INITIALIZER(&types);

        netdev_enumerate_types(&types);
        dummy_enabled = sset_contains(&types, LOCAL_PORT_TYPE);
        sset_destroy(&types);

        if (!dummy_enabled) {
            int error = netdev_register_provider(&netdev_eswitch_local_class);
            if (error) {
                VLOG_ERR("could not register the eswitch local port type: "
                         "%s", ovs_strerror(error));
            }
        }
        ovsthread_once_done(&once);
    }
    return dummy_enabled;
}
