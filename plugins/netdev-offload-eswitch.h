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

#ifndef NETDEV_OFFLOAD_ESWITCH_H
#define NETDEV_OFFLOAD_ESWITCH_H 1

/* The flow API of eswitch ports ("eswitch_offload"), on the engine of
 * esw-offload.h.  It claims the vports of NIC eswitches among the ports of
 * eswitch datapaths, deterministically (see netdev_offload_eswitch_claim()),
 * and declines every other port. */

#include <stdbool.h>

struct netdev;

#define NETDEV_OFFLOAD_ESWITCH_TYPE "eswitch_offload"

/* Gives 'netdev', just added to an eswitch datapath, the eswitch flow API
 * if flow offload is enabled and it is a vport of a NIC eswitch, before OVS
 * would give it the first flow API that accepts it.  Returns true if it
 * did.  Main thread only. */
bool netdev_offload_eswitch_claim(struct netdev *netdev);

/* Registers the flow API with OVS.  Returns 0 or a positive errno. */
int netdev_offload_eswitch_register(void);

#endif /* netdev-offload-eswitch.h */
