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

#ifndef NETDEV_ESWITCH_VM_H
#define NETDEV_ESWITCH_VM_H 1

/* The "eswitch-vm" netdev type: a VM's port on an eswitch bridge, backed by
 * a synthetic path and, when the host gives the VM one, a VF.
 *
 *     ovs-vsctl add-port br0 vm1 -- set interface vm1 type=eswitch-vm \
 *         options:synthetic=tap-vm1 options:vf=pf0vf1-rep
 *
 * options:synthetic names the host netdev of the VM's synthetic NIC (a tap,
 * or a veth); options:vf names the representor of the VF the VM uses.  At
 * least one is required; both must exist when set.  The port receives from
 * both (misses of the VF's traffic arrive on the representor; the VM may
 * still send on its synthetic NIC), and sends on the VF's representor when
 * there is one, on the synthetic netdev otherwise.  The VF's representor is
 * also the port's eswitch vport (esw_offload_port_set_vf()), so the port's
 * megaflows go into the NIC while it has a VF.
 *
 * Setting or removing options:vf is a failover: the port keeps its name,
 * its datapath port, its OpenFlow port and its flows; only what backs it
 * changes.  The backing netdevs are opened as "system" netdevs by this
 * class: they must not be ports of any bridge themselves.
 *
 * Interface status: "synthetic", "vf" (the names, if set) and "path" ("vf"
 * or "synthetic", the one the port sends on). */

#define NETDEV_ESWITCH_VM_TYPE "eswitch-vm"

/* Registers the type.  Returns 0 or a positive errno. */
int netdev_eswitch_vm_register(void);

#endif /* netdev-eswitch-vm.h */
