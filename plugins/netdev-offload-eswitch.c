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

#include "netdev-offload-eswitch.h"

#include <errno.h>
#include <string.h>

#include "esw-offload.h"
#include "netdev-eswitch-local.h"
#include "netdev-offload-provider.h"
#include "netdev-provider.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"

VLOG_DEFINE_THIS_MODULE(netdev_offload_eswitch);

static int
flow_put(struct netdev *netdev, struct match *match, struct nlattr *actions,
         size_t actions_len, const ovs_u128 *ufid,
         struct offload_info *info OVS_UNUSED,
         struct dpif_flow_stats *stats)
{
    return esw_offload_flow_put(netdev, match, actions, actions_len, ufid,
                                stats);
}

static int
flow_get(struct netdev *netdev, struct match *match OVS_UNUSED,
         struct nlattr **actions OVS_UNUSED, const ovs_u128 *ufid,
         struct dpif_flow_stats *stats, struct dpif_flow_attrs *attrs,
         struct ofpbuf *wbuffer OVS_UNUSED)
{
    return esw_offload_flow_get(netdev, ufid, stats, attrs);
}

/* Accepts the eswitch ports of eswitch datapaths, and anchors (see
 * netdev_offload_eswitch_claim()). */
static int
init_flow_api(struct netdev *netdev)
{
    if (!strcmp(netdev_get_type(netdev), NETDEV_ESWITCH_ANCHOR_TYPE)) {
        return 0;
    }
    return esw_offload_port_init(netdev);
}

static const struct netdev_flow_api netdev_offload_eswitch = {
    .type = NETDEV_OFFLOAD_ESWITCH_TYPE,
    .flow_flush = esw_offload_flow_flush,
    .flow_put = flow_put,
    .flow_get = flow_get,
    .flow_del = esw_offload_flow_del,
    .flow_get_n_flows = esw_offload_flow_count,
    .init_flow_api = init_flow_api,
    .uninit_flow_api = esw_offload_port_uninit,
};

/* OVS gives a port the first flow API that accepts it, in an order that
 * depends on a random hash basis of its provider table: OVS's "dummy" API
 * (for every dummy port, in tests) or "linux_tc" (for every Linux netdev)
 * could take an eswitch port before ours is asked.  So an eswitch port is
 * claimed before OVS assigns it a flow API: its 'flow_api' is set here, and
 * OVS, finding one set, keeps it.
 *
 * OVS counts, per provider, the ports that use it, and takes one reference
 * back when a port lets go of its API.  That reference is taken here by
 * having OVS assign our API to a fresh "anchor" netdev, which only our API
 * accepts and which is never closed: one small inert netdev per claim, the
 * price of a deterministic choice without changing OVS. */
bool
netdev_offload_eswitch_claim(struct netdev *netdev)
{
    static unsigned int n_anchors;

    if (!netdev_is_flow_api_enabled()
        || ovsrcu_get(const struct netdev_flow_api *, &netdev->flow_api)
        || esw_offload_port_init(netdev)) {
        return false;
    }

    char *name = xasprintf("esw-anchor%u", n_anchors++);
    struct netdev *anchor;
    int error = netdev_open(name, NETDEV_ESWITCH_ANCHOR_TYPE, &anchor);
    if (!error) {
        error = netdev_init_flow_api(anchor);
    }
    if (error) {
        VLOG_ERR("%s: cannot claim for the eswitch flow API (%s)",
                 netdev_get_name(netdev), ovs_strerror(error));
        free(name);
        return false;
    }
    free(name);

    atomic_store_relaxed(&netdev->hw_info.miss_api_supported, true);
    ovsrcu_set(&netdev->flow_api, &netdev_offload_eswitch);
    VLOG_INFO("%s: Assigned flow API '%s'.", netdev_get_name(netdev),
              netdev_offload_eswitch.type);
    return true;
}

int
netdev_offload_eswitch_register(void)
{
    netdev_eswitch_anchor_register();

    int error = netdev_register_flow_api_provider(&netdev_offload_eswitch);

    if (error) {
        VLOG_ERR("could not register flow API %s: %s",
                 NETDEV_OFFLOAD_ESWITCH_TYPE, ovs_strerror(error));
    }
    esw_offload_register_commands();
    return error;
}
