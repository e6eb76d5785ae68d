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

#ifndef DPIF_ESWITCH_H
#define DPIF_ESWITCH_H 1

/* The "eswitch" datapath provider.
 *
 * A datapath of type "eswitch" is OVS's userspace datapath (dpif-netdev),
 * which is always the software path and the source of truth for every
 * megaflow, under its own type name so that an eswitch bridge can be told
 * apart from a plain "netdev" bridge, and so that the offload provider can
 * claim exactly the ports of eswitch datapaths. */

#include <stdbool.h>

struct dpif_class;

#define DPIF_ESWITCH_TYPE "eswitch"

/* Registers the "eswitch" datapath class with dp_register_provider().
 * Returns 0 if successful, otherwise a positive errno value (EEXIST if the
 * type is already registered).  Safe to call from an OVS_CONSTRUCTOR. */
int dpif_eswitch_register(void);

/* Returns true if 'class' is the "eswitch" datapath class. */
bool dpif_eswitch_class_is_eswitch(const struct dpif_class *class);

#endif /* dpif-eswitch.h */
