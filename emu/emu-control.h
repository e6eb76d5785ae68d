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

#ifndef EMU_CONTROL_H
#define EMU_CONTROL_H 1

/* The control interface of sriov-nic-emu: its ovs-appctl commands
 * (sriov-nic-emu/show, add-nic, del-nic, attach, set-vfs, set-mode,
 * set-capacity, dump-rules, inject, capture, netlink-capture, fail, reset,
 * exit; see sriov-nic-emu(8)), and the --nic and --attach options. */

#include <stdbool.h>

/* Creates a NIC from 'spec' (see emu_nic_create()).  Returns NULL, or an
 * error message that the caller must free. */
char *emu_control_add_nic(const char *spec);

/* Attaches an endpoint as "BUS/DEV,PORT,SIDE,ENDPOINT[,REP-NAME]" says.
 * Returns NULL, or an error message that the caller must free. */
char *emu_control_attach(const char *arg);

/* Registers the ovs-appctl commands.  'netlink_dir' is shown by "show";
 * "exit" sets '*exiting'. */
void emu_control_register(const char *netlink_dir, bool *exiting);

#endif /* emu-control.h */
