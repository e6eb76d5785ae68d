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

#include "esw-offload-trace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dpif.h"
#include "dpif-eswitch.h"
#include "esw-flower.h"
#include "esw-offload.h"
#include "netdev.h"
#include "netdev-vport.h"
#include "odp-util.h"
#include "ofproto-dpif.h"
#include "ofproto-dpif-trace.h"
#include "ofproto-dpif-xlate.h"
#include "ofproto-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-port.h"
#include "openvswitch/ofpbuf.h"
#include "unixctl.h"
#include "util.h"

/* Stores in '*odp_port' the datapath port number of OpenFlow port 'ofp_port'
 * of 'ofproto'.  Returns NULL, or a malloc'd error message. */
static char *
in_port_to_odp(struct ofproto_dpif *ofproto, ofp_port_t ofp_port,
               odp_port_t *odp_port)
{
    struct ofport *ofport = ofproto_get_port(&ofproto->up, ofp_port);
    if (!ofport) {
        return xasprintf("in_port %"PRIu32" is not a port of bridge %s",
                         ofp_to_u16(ofp_port), ofproto->up.name);
    }

    char namebuf[NETDEV_VPORT_NAME_BUFSIZE];
    const char *dp_name = netdev_vport_get_dpif_port(ofport->netdev, namebuf,
                                                     sizeof namebuf);
    struct dpif_port dpif_port;
    int error = dpif_port_query_by_name(ofproto->backer->dpif, dp_name,
                                        &dpif_port);
    if (error) {
        return xasprintf("in_port %s is not in the datapath (%s)", dp_name,
                         ovs_strerror(error));
    }
    *odp_port = dpif_port.port_no;
    dpif_port_destroy(&dpif_port);
    return NULL;
}

/* Turns the flow 'flow' (with a datapath in_port) and the wildcards 'wc'
 * that the OpenFlow pipeline produced into '*megaflow' the way they reach a
 * flow API: through the datapath's netlink key and mask (as
 * ofproto-dpif-upcall.c writes them and dpif-netdev.c reads them), with
 * in_port exact.  Also appends the key and mask, formatted as ovs-dpctl
 * does, to 'out'.  Returns NULL, or a malloc'd error message. */
static char *
megaflow_from_upcall(struct ofproto_dpif *ofproto, const struct flow *flow,
                     const struct flow_wildcards *wc,
                     const struct hmap *portno_names, struct match *megaflow,
                     struct ds *out)
{
    struct odp_flow_key_parms parms = {
        .flow = flow,
        .mask = &wc->masks,
        .support = ofproto->backer->rt_support.odp,
    };
    struct ofpbuf key, mask;
    char *error = NULL;

    ofpbuf_init(&key, 0);
    ofpbuf_init(&mask, 0);
    odp_flow_key_from_flow(&parms, &key);
    parms.key_buf = &key;
    odp_flow_key_from_mask(&parms, &mask);

    ds_put_cstr(out, "Megaflow: ");
    odp_flow_format(key.data, key.size, mask.data, mask.size, portno_names,
                    out, false);
    ds_put_char(out, '\n');

    memset(megaflow, 0, sizeof *megaflow);
    if (odp_flow_key_to_flow(key.data, key.size, &megaflow->flow, &error)
        == ODP_FIT_ERROR) {
        goto exit;
    }
    free(error);
    error = NULL;
    if (odp_flow_key_to_mask(mask.data, mask.size, &megaflow->wc,
                             &megaflow->flow, &error) == ODP_FIT_ERROR) {
        goto exit;
    }
    free(error);
    error = NULL;
    /* dpif-netdev matches in_port exactly, whatever the mask says. */
    megaflow->wc.masks.in_port.odp_port = ODPP_NONE;

exit:
    if (error) {
        char *s = xasprintf("cannot read back the megaflow: %s", error);
        free(error);
        error = s;
    }
    ofpbuf_uninit(&key);
    ofpbuf_uninit(&mask);
    return error;
}

/* Appends to 'out' whether the megaflow 'megaflow' with datapath actions
 * 'actions' would be offloaded by the engine, and the rule or the reason. */
static void
explain_offload(const struct match *megaflow, const struct ofpbuf *actions,
                struct ds *out)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    char *reason = NULL;

    if (!esw_offload_explain(megaflow, actions->data, actions->size, rule,
                             &reason)) {
        ds_put_cstr(out, "offloadable: yes\nrule: ");
        esw_flower_rule_format(rule, out);
        ds_put_char(out, '\n');
    } else {
        ds_put_format(out, "offloadable: no (%s)\n", reason);
    }
    free(reason);
    free(rule);
}

/* Runs 'flow' through the pipeline of 'ofproto' and appends the result to
 * 'out'.  Returns NULL, or a malloc'd error message. */
static char *
offload_trace(struct ofproto_dpif *ofproto, const struct flow *flow,
              struct ds *out)
{
    odp_port_t odp_in_port = ODPP_NONE;
    char *error = in_port_to_odp(ofproto, flow->in_port.ofp_port,
                                 &odp_in_port);
    if (error) {
        return error;
    }

    struct hmap portno_names = HMAP_INITIALIZER(&portno_names);
    struct dpif_port_dump port_dump;
    struct dpif_port dpif_port;
    DPIF_PORT_FOR_EACH (&dpif_port, &port_dump, ofproto->backer->dpif) {
        odp_portno_names_set(&portno_names, dpif_port.port_no,
                             dpif_port.name);
    }

    /* An upcall's flow: what the datapath saw, with its in_port. */
    struct flow upcall_flow = *flow;
    upcall_flow.in_port.odp_port = odp_in_port;

    struct flow_wildcards wc;
    struct ofpbuf odp_actions;
    struct xlate_out xout;
    struct xlate_in xin;

    ofpbuf_init(&odp_actions, 0);
    xlate_in_init(&xin, ofproto, ofproto_dpif_get_tables_version(ofproto),
                  &upcall_flow, flow->in_port.ofp_port, NULL,
                  ntohs(flow->tcp_flags), NULL, &wc, &odp_actions);
    enum xlate_error xerror = xlate_actions(&xin, &xout);

    struct match megaflow;
    error = megaflow_from_upcall(ofproto, &upcall_flow, &wc, &portno_names,
                                 &megaflow, out);
    if (!error) {
        ds_put_cstr(out, "Datapath actions: ");
        format_odp_actions(out, odp_actions.data, odp_actions.size,
                           &portno_names);
        ds_put_char(out, '\n');

        if (xerror != XLATE_OK) {
            ds_put_format(out, "offloadable: no (translation failed: %s)\n",
                          xlate_strerror(xerror));
        } else if (xout.slow) {
            ds_put_format(out, "offloadable: no (slow path: %s; the "
                          "datapath sends every packet to userspace)\n",
                          slow_path_reason_to_explanation(xout.slow));
        } else {
            explain_offload(&megaflow, &odp_actions, out);
        }
    }

    xlate_out_uninit(&xout);
    ofpbuf_uninit(&odp_actions);
    odp_portno_names_destroy(&portno_names);
    hmap_destroy(&portno_names);
    return error;
}

static void
offload_trace_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[], void *aux OVS_UNUSED)
{
    const char *bridge = argv[1];
    struct ofproto_dpif *ofproto = ofproto_dpif_lookup_by_name(bridge);
    if (!ofproto) {
        char *s = xasprintf("%s: unknown bridge", bridge);
        unixctl_command_reply_error(conn, s);
        free(s);
        return;
    }
    if (strcmp(ofproto->up.type, DPIF_ESWITCH_TYPE)) {
        char *s = xasprintf("%s: bridge of datapath type %s, not %s", bridge,
                            ofproto->up.type, DPIF_ESWITCH_TYPE);
        unixctl_command_reply_error(conn, s);
        free(s);
        return;
    }

    struct ofputil_port_map map = OFPUTIL_PORT_MAP_INITIALIZER(&map);
    struct flow flow;

    ofproto_append_ports_to_map(&map, ofproto->up.ports);
    char *error = parse_ofp_exact_flow(&flow, NULL,
                                       ofproto_get_tun_tab(&ofproto->up),
                                       argv[2], &map);
    ofputil_port_map_destroy(&map);
    if (error) {
        char *s = xasprintf("Bad openflow flow syntax: %s", error);
        unixctl_command_reply_error(conn, s);
        free(s);
        free(error);
        return;
    }

    struct ds out = DS_EMPTY_INITIALIZER;
    error = offload_trace(ofproto, &flow, &out);
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
    } else {
        unixctl_command_reply(conn, ds_cstr(&out));
    }
    ds_destroy(&out);
}

void
esw_offload_trace_register_commands(void)
{
    unixctl_command_register("eswitch/offload-trace", "BRIDGE FLOW", 2, 2,
                             offload_trace_cmd, NULL);
}
