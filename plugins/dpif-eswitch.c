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

#include "dpif-eswitch.h"

#include <errno.h>
#include <string.h>

#include "dpif-provider.h"
#include "netdev-eswitch-local.h"
#include "dpif.h"
#include "esw-offload.h"
#include "netdev-offload.h"
#include "netdev-offload-eswitch.h"
#include "netdev.h"
#include "openvswitch/vlog.h"
#include "smap.h"

VLOG_DEFINE_THIS_MODULE(dpif_eswitch);

/* The eswitch class: a copy of dpif_netdev_class, filled in at
 * registration, because dpif_netdev_class is not a compile-time constant
 * that a static initializer could copy. */
static struct dpif_class dpif_eswitch_class;

/* Returns the netdev type that a port of type 'type' is opened with.
 *
 * dpif-netdev maps "internal" to "tap", except for classes other than its
 * own, which it takes for dummy classes and maps to "dummy-internal".  An
 * eswitch datapath is not a dummy: its internal ports are taps, unless
 * ovs-vswitchd runs with --enable-dummy (OVS's own test mode), where taps
 * must not be created. */
static const char *
dpif_eswitch_port_open_type(const struct dpif_class *class OVS_UNUSED,
                            const char *type)
{
    bool dummy = netdev_eswitch_local_init();
    return (strcmp(type, "internal") ? type
            : dummy ? "dummy-internal"
            : "tap");
}

/* Enumerates the eswitch datapaths.  ofproto-dpif calls this before it
 * creates the datapath of a type, which makes it the place to provide the
 * netdev type of the datapath's local port (see netdev-eswitch-local.h). */
static int
dpif_eswitch_enumerate(struct sset *all_dps, const struct dpif_class *class)
{
    netdev_eswitch_local_init();
    return dpif_netdev_class.enumerate(all_dps, class);
}

/* Applies Interface other_config 'cfg' (the "datapath options" of a port)
 * to port 'port_no'.  Keys beginning with "eswitch-" belong to the eswitch
 * datapath: "eswitch-vport" binds the port to an eswitch vport (see
 * esw_offload_port_set_vport()); any other such key is a mistake (a typo,
 * or a key of a later release).  A mistake, or a key that dpif-netdev
 * refuses, refuses the whole configuration, with the reason in the log,
 * before anything of it is applied.  Other keys are dpif-netdev's. */
static int
dpif_eswitch_port_set_config(struct dpif *dpif, odp_port_t port_no,
                             const struct smap *cfg)
{
    const char *vport = smap_get(cfg, "eswitch-vport");
    struct smap_node *node;
    struct dpif_port port;
    char *error_msg = NULL;
    int error = dpif_port_query_by_number(dpif, port_no, &port);

    if (error) {
        VLOG_ERR("%s: port %"PRIu32": %s", dpif_name(dpif),
                 odp_to_u32(port_no), ovs_strerror(error));
        return error;
    }
    SMAP_FOR_EACH (node, cfg) {
        if (!strncmp(node->key, "eswitch-", 8)
            && strcmp(node->key, "eswitch-vport")) {
            error_msg = xasprintf("unknown eswitch datapath option "
                                  "other_config:%s", node->key);
            error = EINVAL;
            break;
        }
    }
    if (!error) {
        error = esw_offload_port_check_vport(port.name, vport, &error_msg);
    }
    if (error) {
        VLOG_ERR("%s: port %s: %s; port configuration not applied",
                 dpif_name(dpif), port.name, error_msg);
    } else {
        error = dpif_netdev_class.port_set_config(dpif, port_no, cfg);
        if (!error) {
            esw_offload_port_set_vport(port.name, port_no, vport);
        }
    }
    free(error_msg);
    dpif_port_destroy(&port);
    return error;
}

/* Applies Open_vSwitch other_config 'cfg': the offload engine's keys, then
 * dpif-netdev's. */
static int
dpif_eswitch_set_config(struct dpif *dpif, const struct smap *cfg)
{
    esw_offload_set_config(cfg);
    return dpif_netdev_class.set_config(dpif, cfg);
}

/* Adds 'netdev' to the datapath, then lets the eswitch flow API claim it
 * before OVS assigns it one (see netdev_offload_eswitch_claim()). */
static int
dpif_eswitch_port_add(struct dpif *dpif, struct netdev *netdev,
                      odp_port_t *port_nop)
{
    int error = dpif_netdev_class.port_add(dpif, netdev, port_nop);

    if (!error) {
        /* dpif_port_add() sets the dpif type only after this returns. */
        netdev_set_dpif_type(netdev, DPIF_ESWITCH_TYPE);
        netdev_offload_eswitch_claim(netdev);
    }
    return error;
}

bool
dpif_eswitch_class_is_eswitch(const struct dpif_class *class)
{
    return class == &dpif_eswitch_class;
}

int
dpif_eswitch_register(void)
{
    dpif_eswitch_class = dpif_netdev_class;
    dpif_eswitch_class.type = DPIF_ESWITCH_TYPE;
    /* dpif_netdev_init() registers dpif-netdev's unixctl commands; it runs
     * once, when the "netdev" class itself is registered. */
    dpif_eswitch_class.init = NULL;
    dpif_eswitch_class.port_open_type = dpif_eswitch_port_open_type;
    dpif_eswitch_class.enumerate = dpif_eswitch_enumerate;
    dpif_eswitch_class.port_set_config = dpif_eswitch_port_set_config;
    dpif_eswitch_class.set_config = dpif_eswitch_set_config;
    dpif_eswitch_class.port_add = dpif_eswitch_port_add;

    int error = dp_register_provider(&dpif_eswitch_class);
    if (error) {
        VLOG_ERR("could not register datapath type \"%s\": %s",
                 DPIF_ESWITCH_TYPE, ovs_strerror(error));
    }
    return error;
}
