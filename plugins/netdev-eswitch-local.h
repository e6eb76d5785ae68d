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

#ifndef NETDEV_ESWITCH_LOCAL_H
#define NETDEV_ESWITCH_LOCAL_H 1

#include <stdbool.h>

/* The local port of an eswitch datapath.
 *
 * dpif-netdev creates every datapath with a local port (port 0, named after
 * the datapath), whose netdev type it picks itself: "tap" for its own class,
 * "dummy-internal" for any copy of it, which it takes for a dummy datapath.
 * The eswitch class is such a copy, so its local port is opened as
 * "dummy-internal", a type that exists only when ovs-vswitchd runs with
 * --enable-dummy.
 *
 * Otherwise, this module provides that type: a port that sends nowhere and
 * receives nothing.  Nothing is lost by that: an eswitch bridge's own
 * internal port (the bridge's LOCAL OpenFlow port) is a separate datapath
 * port and a real tap; port 0 carries no traffic in an eswitch. */

/* Makes sure that the "dummy-internal" netdev type exists, registering the
 * stand-in unless OVS's own dummy netdevs (--enable-dummy) provide it.
 *
 * The decision is taken once, on the first call, which must come after
 * ovs-vswitchd has parsed its options and before the first eswitch datapath
 * is created: the eswitch class calls it from its 'enumerate' member, which
 * ofproto-dpif calls for a datapath type before it creates a datapath of
 * that type, and from 'port_open_type'.
 *
 * Returns true if OVS's own dummy netdevs are enabled. */
bool netdev_eswitch_local_init(void);

/* An "eswitch-flow-anchor" netdev is the same inert port under another
 * type name.  No OVS flow API accepts it, the eswitch one does; see
 * netdev-offload-eswitch.c for what it anchors.  Registers the type;
 * returns 0 or a positive errno. */
#define NETDEV_ESWITCH_ANCHOR_TYPE "eswitch-flow-anchor"
int netdev_eswitch_anchor_register(void);

#endif /* netdev-eswitch-local.h */
