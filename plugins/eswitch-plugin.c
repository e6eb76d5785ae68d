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

/* Entry point of the ovs-eswitch plugin: registers every provider of the
 * plugin with Open vSwitch before main() runs.
 *
 * This object must be linked into ovs-vswitchd directly, never through a
 * static archive: nothing refers to it, so the linker would drop it, and
 * its constructor with it. */

#include <config.h>

#include "dpif-eswitch.h"
#include "netdev-eswitch-vm.h"
#include "netdev-offload-eswitch.h"
#include "openvswitch/compiler.h"

OVS_CONSTRUCTOR(eswitch_plugin_register)
{
    dpif_eswitch_register();
    netdev_eswitch_vm_register();
    netdev_offload_eswitch_register();
}
