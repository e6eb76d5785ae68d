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

#ifndef EMU_DATAPLANE_H
#define EMU_DATAPLANE_H 1

/* The emulated NICs' dataplane: moves packets between the endpoints of
 * every vport.
 *
 * In switchdev mode, a packet that enters a vport from its function side
 * (from the VM on a VF, from the wire on the uplink) is looked up in that
 * vport's ingress rules; the actions send it out of other vports' function
 * sides, and a miss (or TC_ACT_OK) delivers it to the vport's
 * representor.  A packet the host sends on a representor leaves through
 * the vport's function side without lookup.
 *
 * In legacy mode there are no rules and no representors: a VF's packets go
 * to the wire; the wire's go to the VF with that destination MAC, or to
 * the PF (the uplink's host side), broadcasts to all of them.
 *
 * VF configuration applies on the function side of a VF: link state
 * "disable" drops everything from and to it; spoof checking drops packets
 * whose source MAC is not the VF's MAC (if set). */

struct dp_packet;
struct emu_vport;

/* Receives and forwards what every endpoint of every NIC has, a bounded
 * amount per call. */
void emu_dataplane_run(void);

/* Arranges for the poll loop to wake when emu_dataplane_run() has work. */
void emu_dataplane_wait(void);

/* Processes 'packet' (not consumed) as if it entered 'vport' from its
 * function side; for "sriov-nic-emu/inject". */
void emu_dataplane_inject(struct emu_vport *vport,
                          const struct dp_packet *packet);

/* Starts capturing, with a nonnull 'dir', every packet that leaves an
 * endpoint into DIR/NIC-PORT-SIDE.pcap (NIC with '/' and ':' replaced by
 * '_', SIDE "function" or "rep"); stops with NULL.  Returns 0 or a positive
 * errno. */
int emu_dataplane_capture(const char *dir);

#endif /* emu-dataplane.h */
