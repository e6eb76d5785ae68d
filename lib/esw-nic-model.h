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

#ifndef ESW_NIC_MODEL_H
#define ESW_NIC_MODEL_H 1

/* An SR-IOV NIC with an embedded switch, as the Linux kernel UAPI shows it:
 * network links and their VF configuration (rtnetlink), devlink devices,
 * their eswitch and their ports (devlink generic netlink).
 *
 * The offload engine fills these structures from what the kernel (or
 * sriov-nic-emu) reports; sriov-nic-emu keeps its state in them and reports
 * it.  lib/rtnl-link-codec.h and lib/devlink-codec.h translate them to and
 * from netlink messages.  Each field names the UAPI attribute that carries
 * it.  Plain data: no pointers, so a structure can be copied with '='. */

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>

#include "openvswitch/types.h"

/* MAX_PHYS_ITEM_ID_LEN in the kernel: the longest IFLA_PHYS_SWITCH_ID. */
#define ESW_PHYS_ID_MAX_LEN 32

/* Room for a device or bus name (with its null terminator): a parent
 * device of a link, the bus and device of a devlink handle. */
#define ESW_DEV_NAME_SIZE 64
#define ESW_BUS_NAME_SIZE 32

/* The most VFs whose configuration one link reports. */
#define ESW_MAX_VFS 256

/* A switch ID (struct netdev_phys_item_id): opaque bytes that are equal for
 * every port of one switch. */
struct esw_phys_id {
    uint8_t id[ESW_PHYS_ID_MAX_LEN];
    uint8_t len;                /* 0: none. */
};

/* An on/off VF setting as the kernel reports it (IFLA_VF_SPOOFCHK,
 * IFLA_VF_TRUST, IFLA_VF_RSS_QUERY_EN 'setting').  A driver may not report a
 * setting at all: the kernel then sends (__u32) -1. */
enum esw_vf_setting {
    ESW_VF_SETTING_OFF = 0,
    ESW_VF_SETTING_ON = 1,
    ESW_VF_SETTING_UNREPORTED = -1,
};

/* The configuration of one VF, as a PF reports it in one IFLA_VF_INFO of its
 * IFLA_VFINFO_LIST.  Rates are in Mbit/s, 0 meaning "no limit". */
struct esw_vf_info {
    uint32_t vf;                /* 'vf' of every IFLA_VF_* structure. */
    struct eth_addr mac;        /* IFLA_VF_MAC (the first 6 of 32 bytes). */
    uint16_t vlan;              /* IFLA_VF_VLAN 'vlan', 0 for none. */
    uint8_t qos;                /* IFLA_VF_VLAN 'qos' (PCP), 0...7. */
    ovs_be16 vlan_proto;        /* IFLA_VF_VLAN_LIST/IFLA_VF_VLAN_INFO
                                 * 'vlan_proto': ETH_P_8021Q or
                                 * ETH_P_8021AD, network byte order. */
    uint32_t min_tx_rate;       /* IFLA_VF_RATE 'min_tx_rate'. */
    uint32_t max_tx_rate;       /* IFLA_VF_RATE 'max_tx_rate' (and
                                 * IFLA_VF_TX_RATE 'rate', its old name). */
    enum esw_vf_setting spoofchk;     /* IFLA_VF_SPOOFCHK 'setting'. */
    uint32_t link_state;        /* IFLA_VF_LINK_STATE 'link_state':
                                 * IFLA_VF_LINK_STATE_AUTO/ENABLE/DISABLE. */
    enum esw_vf_setting trust;        /* IFLA_VF_TRUST 'setting'. */
    enum esw_vf_setting rss_query_en; /* IFLA_VF_RSS_QUERY_EN 'setting'. */
};

/* A network link (netdev): an uplink, a PF, a VF or a VF representor, as one
 * RTM_NEWLINK reports it. */
struct esw_link {
    int32_t ifindex;            /* ifinfomsg 'ifi_index'. */
    uint16_t type;              /* ifinfomsg 'ifi_type': ARPHRD_*. */
    uint32_t flags;             /* ifinfomsg 'ifi_flags': IFF_UP... */
    char name[IFNAMSIZ];        /* IFLA_IFNAME. */
    uint8_t operstate;          /* IFLA_OPERSTATE: IF_OPER_UP... */
    uint32_t mtu;               /* IFLA_MTU. */
    bool has_mac;               /* IFLA_ADDRESS present (and 6 bytes). */
    struct eth_addr mac;        /* IFLA_ADDRESS. */
    struct esw_phys_id phys_switch_id;   /* IFLA_PHYS_SWITCH_ID. */
    char phys_port_name[IFNAMSIZ];       /* IFLA_PHYS_PORT_NAME, "p0",
                                          * "pf0vf3"...; "" for none. */
    char parent_dev_name[ESW_DEV_NAME_SIZE];  /* IFLA_PARENT_DEV_NAME,
                                               * "0000:03:00.0"; "" for
                                               * none. */
    char parent_bus_name[ESW_BUS_NAME_SIZE];  /* IFLA_PARENT_DEV_BUS_NAME,
                                               * "pci"; "" for none. */

    /* The kernel reports VFs only to a request with RTEXT_FILTER_VF in its
     * IFLA_EXT_MASK, and only for a link with a parent device: IFLA_NUM_VF,
     * then, if the driver reports VF configuration (a PF), IFLA_VFINFO_LIST
     * with one IFLA_VF_INFO per VF. */
    bool has_num_vf;            /* IFLA_NUM_VF present. */
    uint32_t num_vf;            /* IFLA_NUM_VF. */
    bool has_vfinfo_list;       /* IFLA_VFINFO_LIST present. */
    uint32_t n_vfs;             /* Number of IFLA_VF_INFO in 'vfs'. */
    struct esw_vf_info vfs[ESW_MAX_VFS];  /* IFLA_VFINFO_LIST. */
};

/* A change to the configuration of one VF: what one RTM_SETLINK (or, as
 * iproute2's "ip link set ... vf N" sends it, RTM_NEWLINK) carries in its
 * IFLA_VFINFO_LIST/IFLA_VF_INFO.  Each 'set_*' says whether the request
 * changes the fields after it. */
struct esw_vf_config {
    uint32_t vf;                /* 'vf' of every IFLA_VF_* structure. */

    bool set_mac;               /* IFLA_VF_MAC. */
    struct eth_addr mac;

    bool set_vlan;              /* IFLA_VF_VLAN, or IFLA_VF_VLAN_LIST with
                                 * one IFLA_VF_VLAN_INFO for 802.1ad. */
    uint16_t vlan;              /* 0...4095, 0 to remove the VLAN. */
    uint8_t qos;                /* 0...7. */
    ovs_be16 vlan_proto;        /* ETH_P_8021Q or ETH_P_8021AD. */

    bool set_tx_rate;           /* IFLA_VF_TX_RATE ("rate"): sets the
                                 * maximum rate only. */
    uint32_t tx_rate;

    bool set_rate;              /* IFLA_VF_RATE ("min_tx_rate",
                                 * "max_tx_rate"): sets both. */
    uint32_t min_tx_rate;
    uint32_t max_tx_rate;

    bool set_spoofchk;          /* IFLA_VF_SPOOFCHK. */
    bool spoofchk;

    bool set_rss_query_en;      /* IFLA_VF_RSS_QUERY_EN ("query_rss"). */
    bool rss_query_en;

    bool set_link_state;        /* IFLA_VF_LINK_STATE ("state"). */
    uint32_t link_state;        /* IFLA_VF_LINK_STATE_AUTO/ENABLE/DISABLE. */

    bool set_trust;             /* IFLA_VF_TRUST. */
    bool trust;
};

/* A devlink handle (DEVLINK_ATTR_BUS_NAME, DEVLINK_ATTR_DEV_NAME): a device
 * is "BUS/DEV", e.g. "pci/0000:03:00.0". */
struct esw_devlink_handle {
    char bus_name[ESW_BUS_NAME_SIZE];   /* DEVLINK_ATTR_BUS_NAME, "pci". */
    char dev_name[ESW_DEV_NAME_SIZE];   /* DEVLINK_ATTR_DEV_NAME. */
};

/* A devlink device, as DEVLINK_CMD_NEW reports it. */
struct esw_devlink_dev {
    struct esw_devlink_handle handle;
    bool reload_failed;         /* DEVLINK_ATTR_RELOAD_FAILED. */
};

/* The eswitch of a devlink device: what DEVLINK_CMD_ESWITCH_GET reports and
 * DEVLINK_CMD_ESWITCH_SET changes.  Each 'has_*' says whether the attribute
 * is present (a driver may not report, a request may not change, every
 * mode). */
struct esw_devlink_eswitch {
    struct esw_devlink_handle handle;
    bool has_mode;
    uint16_t mode;              /* DEVLINK_ATTR_ESWITCH_MODE:
                                 * DEVLINK_ESWITCH_MODE_LEGACY/SWITCHDEV. */
    bool has_inline_mode;
    uint8_t inline_mode;        /* DEVLINK_ATTR_ESWITCH_INLINE_MODE:
                                 * DEVLINK_ESWITCH_INLINE_MODE_*. */
    bool has_encap_mode;
    uint8_t encap_mode;         /* DEVLINK_ATTR_ESWITCH_ENCAP_MODE:
                                 * DEVLINK_ESWITCH_ENCAP_MODE_NONE/BASIC. */
};

/* The function behind a devlink port (DEVLINK_ATTR_PORT_FUNCTION, nested):
 * the VF or PF that the port represents.  Each 'has_*' says whether the
 * attribute is present. */
struct esw_devlink_port_fn {
    bool has_hw_addr;
    struct eth_addr hw_addr;    /* DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR: the
                                 * MAC address of the function. */
    bool has_state;
    uint8_t state;              /* DEVLINK_PORT_FN_ATTR_STATE:
                                 * DEVLINK_PORT_FN_STATE_INACTIVE/ACTIVE. */
    bool has_opstate;
    uint8_t opstate;            /* DEVLINK_PORT_FN_ATTR_OPSTATE (reported
                                 * only): DEVLINK_PORT_FN_OPSTATE_*. */
};

/* A devlink port, as DEVLINK_CMD_PORT_NEW reports it. */
struct esw_devlink_port {
    struct esw_devlink_handle handle;
    uint32_t index;             /* DEVLINK_ATTR_PORT_INDEX. */
    uint16_t type;              /* DEVLINK_ATTR_PORT_TYPE:
                                 * DEVLINK_PORT_TYPE_ETH... */
    uint32_t netdev_ifindex;    /* DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 0 if the
                                 * port has no netdev. */
    char netdev_name[IFNAMSIZ]; /* DEVLINK_ATTR_PORT_NETDEV_NAME. */
    bool has_flavour;           /* Port attributes present: a port without
                                 * them reports none of those below. */
    uint16_t flavour;           /* DEVLINK_ATTR_PORT_FLAVOUR:
                                 * DEVLINK_PORT_FLAVOUR_PHYSICAL, PCI_PF,
                                 * PCI_VF... */
    bool splittable;            /* DEVLINK_ATTR_PORT_SPLITTABLE. */
    uint32_t port_number;       /* DEVLINK_ATTR_PORT_NUMBER (PHYSICAL). */
    uint32_t controller;        /* DEVLINK_ATTR_PORT_CONTROLLER_NUMBER
                                 * (PCI_PF, PCI_VF). */
    uint16_t pf_number;         /* DEVLINK_ATTR_PORT_PCI_PF_NUMBER (PCI_PF,
                                 * PCI_VF). */
    uint16_t vf_number;         /* DEVLINK_ATTR_PORT_PCI_VF_NUMBER
                                 * (PCI_VF). */
    bool external;              /* DEVLINK_ATTR_PORT_EXTERNAL (PCI_PF,
                                 * PCI_VF): the function is in another
                                 * host (controller). */
    struct esw_phys_id switch_id;   /* The switch the port belongs to.  No
                                     * devlink message carries it: the
                                     * kernel reports it as the
                                     * IFLA_PHYS_SWITCH_ID of the port's
                                     * netdev, and the devlink codec leaves
                                     * it alone. */
    struct esw_devlink_port_fn function;  /* DEVLINK_ATTR_PORT_FUNCTION,
                                           * present if any of its
                                           * attributes is. */
};

#endif /* esw-nic-model.h */
