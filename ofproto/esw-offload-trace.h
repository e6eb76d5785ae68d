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

#ifndef ESW_OFFLOAD_TRACE_H
#define ESW_OFFLOAD_TRACE_H 1

/* "ovs-appctl eswitch/offload-trace BRIDGE FLOW": would this packet's
 * megaflow be in hardware, and if not, why not?
 *
 * FLOW is an OpenFlow-style flow, as "ovs-appctl ofproto/trace BRIDGE FLOW"
 * takes it ("in_port=1,dl_dst=02:00:00:00:00:01,icmp").  The command runs
 * it through the OpenFlow pipeline of BRIDGE, which must be of datapath
 * type "eswitch", without executing anything (no packet, no side effects),
 * and obtains the megaflow and the datapath actions as an upcall would:
 * the wildcards go through the datapath's netlink key and mask, as they do
 * on their way to the userspace datapath and its flow API.  It then asks
 * esw_offload_xlate() about them, with the ports the offload engine has
 * claimed, and replies:
 *
 *   Megaflow: <match>
 *   Datapath actions: <actions>
 *   offloadable: yes
 *   rule: <the flower rule, as esw_flower_rule_format() writes it>
 *
 * or, in place of the last two lines, "offloadable: no (<reason>)", with a
 * sentence that names the field, the action or the port.  The rule's TC
 * priority is shown as 0: the engine assigns one only when it installs a
 * rule.  An unknown bridge, a bridge of another datapath type, or a flow
 * that does not parse give an error reply. */

/* Registers "eswitch/offload-trace" with ovs-appctl.  Call it once. */
void esw_offload_trace_register_commands(void);

#endif /* esw-offload-trace.h */
