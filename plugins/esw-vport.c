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

#include "esw-vport.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esw-nl-transport.h"
#include "openvswitch/ofpbuf.h"
#include "tc-flower-codec.h"
#include "util.h"

/* Fills '*link' with what the backend says of device 'name'.  Returns 0 or
 * a positive errno, with the backend's message, if any, in '*errorp'. */
static int
query_link(struct esw_nl *nl, const char *name, struct esw_link *link,
           char **errorp)
{
    struct esw_link_request req = { .family = AF_UNSPEC };
    uint64_t buf[1024 / sizeof(uint64_t)];
    struct ofpbuf *reply = NULL;

    *errorp = NULL;
    ovs_strlcpy(req.name, name, sizeof req.name);
    int error = esw_rtnl_link_encode_request(buf, sizeof buf, 0, &req);
    if (!error) {
        error = esw_nl_transact(nl, (struct nlmsghdr *) buf, &reply, errorp);
    }
    if (!error && reply && reply->size >= sizeof(struct nlmsghdr)) {
        error = esw_rtnl_link_decode_link(reply->data, link, errorp);
    } else if (!error) {
        error = ENODEV;
    }
    ofpbuf_delete(reply);
    return error;
}

bool
esw_vport_name_is_valid(const char *name)
{
    size_t len = strlen(name);

    return (len > 0 && len < IFNAMSIZ && !strchr(name, '/')
            && !name[strcspn(name, " \t\n\r\f\v")]);
}

int
esw_vport_add_ingress_qdisc(struct esw_nl *nl, int ifindex)
{
    uint64_t buf[1024 / sizeof(uint64_t)];
    char *extack = NULL;
    size_t len;

    int error = tc_qdisc_encode(buf, sizeof buf, true, ifindex,
                                TC_QDISC_INGRESS, 0, &len);
    if (!error) {
        error = esw_nl_transact(nl, (struct nlmsghdr *) buf, NULL, &extack);
    }
    free(extack);
    return error == EEXIST ? 0 : error;
}

int
esw_vport_lookup(struct esw_nl *nl, const char *dev, bool skip_hw,
                 const char *what, struct esw_vport *vport, char **reasonp)
{
    struct esw_link *link = xmalloc(sizeof *link);
    char *why = NULL;

    memset(vport, 0, sizeof *vport);
    *reasonp = NULL;
    int error = query_link(nl, dev, link, &why);
    if (error == ENODEV) {
        *reasonp = xasprintf("%s%s: no such device on the eswitch "
                             "backend", what, dev);
    } else if (error) {
        *reasonp = xasprintf("%s%s is not a NIC vport (%s%s%s)", what, dev,
                             ovs_strerror(error), why ? ": " : "",
                             why ? why : "");
    } else if (!skip_hw
               && (!link->phys_switch_id.len || !link->phys_port_name[0])) {
        *reasonp = xasprintf("%s%s is not a vport of an eswitch in "
                             "switchdev mode (no phys_switch_id/"
                             "phys_port_name)", what, dev);
        error = EOPNOTSUPP;
    } else if ((error = esw_vport_add_ingress_qdisc(nl, link->ifindex))) {
        *reasonp = xasprintf("cannot add the ingress qdisc to %s (%s)",
                             dev, ovs_strerror(error));
    } else {
        vport->ifindex = link->ifindex;
        if (skip_hw) {
            ovs_strlcpy(vport->switch_id, "kernel", sizeof vport->switch_id);
            ovs_strlcpy(vport->phys_port_name, dev,
                        sizeof vport->phys_port_name);
        } else {
            for (size_t i = 0; i < link->phys_switch_id.len; i++) {
                snprintf(&vport->switch_id[2 * i], 3, "%02x",
                         link->phys_switch_id.id[i]);
            }
            ovs_strlcpy(vport->phys_port_name, link->phys_port_name,
                        sizeof vport->phys_port_name);
        }
    }
    free(why);
    free(link);
    return error;
}
