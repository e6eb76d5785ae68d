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

#ifndef ESW_VPORT_H
#define ESW_VPORT_H 1

/* Eswitch vports: what a network device is to the eswitch, as the backend
 * (the kernel, or sriov-nic-emu) reports it.
 *
 * A vport is a device whose ingress the offload engine can put rules on
 * and that a rule can redirect to: in a NIC in switchdev mode, a VF
 * representor or the uplink, which RTM_GETLINK reports with
 * IFLA_PHYS_SWITCH_ID and IFLA_PHYS_PORT_NAME.  Under tc-policy=skip_hw
 * the kernel's software classifier is the eswitch, and any device is a
 * vport of the one pseudo-eswitch "kernel".
 *
 * Thread safety: the functions are as thread-safe as the 'esw_nl' handle
 * they are given (one thread at a time). */

#include <net/if.h>
#include <stdbool.h>

#include "rtnl-link-codec.h"

struct esw_nl;

struct esw_vport {
    int ifindex;
    char switch_id[2 * ESW_PHYS_ID_MAX_LEN + 1];  /* phys_switch_id in hex,
                                                   * or "kernel". */
    char phys_port_name[IFNAMSIZ];  /* e.g. "pf0vf1", or the device name
                                     * under skip_hw. */
};

/* Asks the backend, through 'nl', what device 'dev' is, and if it is a
 * vport (of any device under 'skip_hw'), fills in '*vport', makes sure the
 * device has an ingress qdisc, and returns 0.  Otherwise returns a positive
 * errno and stores in '*reasonp' a malloc'd sentence naming 'dev' (the
 * caller frees it):
 *
 *   ENODEV       no device is named 'dev';
 *   EOPNOTSUPP   'dev' is not a vport of an eswitch in switchdev mode;
 *   other        the backend's error (unreachable, a bad reply, the qdisc
 *                refused).
 *
 * 'what' prefixes 'dev' in the sentence (e.g. "eswitch-vport "), or is
 * "". */
int esw_vport_lookup(struct esw_nl *nl, const char *dev, bool skip_hw,
                     const char *what, struct esw_vport *vport,
                     char **reasonp);

/* Whether 'name' can be a network device's name: 1 to IFNAMSIZ - 1
 * characters, no '/' and no white space. */
bool esw_vport_name_is_valid(const char *name);

/* Makes sure the device with 'ifindex' has an ingress qdisc.  Returns 0
 * (also if it had one) or a positive errno. */
int esw_vport_add_ingress_qdisc(struct esw_nl *nl, int ifindex);

#endif /* esw-vport.h */
