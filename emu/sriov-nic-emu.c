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

/* sriov-nic-emu: an emulated SR-IOV NIC in switchdev mode.
 *
 * The daemon: options, the netlink servers, the dataplane and the
 * control commands, in one OVS poll loop. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "command-line.h"
#include "daemon.h"
#include "dirs.h"
#include "emu-control.h"
#include "emu-dataplane.h"
#include "emu-genl.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "emu-rtnl.h"
#include "fatal-signal.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(sriov_nic_emu);

/* --unixctl: where the control socket goes. */
static char *unixctl_path;

/* --netlink-dir: where the netlink sockets go. */
static char *netlink_dir;

/* --netlink-capture. */
static char *netlink_capture;

/* --nic and --attach, applied in order once parsing is done. */
struct config_item {
    bool is_nic;
    char *arg;
};
static struct config_item *config_items;
static size_t n_config_items, allocated_config_items;

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[]);

static void
add_config_item(bool is_nic, const char *arg)
{
    if (n_config_items >= allocated_config_items) {
        config_items = x2nrealloc(config_items, &allocated_config_items,
                                  sizeof *config_items);
    }
    config_items[n_config_items].is_nic = is_nic;
    config_items[n_config_items].arg = xstrdup(arg);
    n_config_items++;
}

/* Applies the --nic and --attach options.  Exits with a message on the
 * first bad one, before detaching, so that the user sees it. */
static void
apply_config(void)
{
    for (size_t i = 0; i < n_config_items; i++) {
        const struct config_item *item = &config_items[i];
        char *error = (item->is_nic
                       ? emu_control_add_nic(item->arg)
                       : emu_control_attach(item->arg));
        if (error) {
            ovs_fatal(0, "--%s=%s: %s", item->is_nic ? "nic" : "attach",
                      item->arg, error);
        }
        free(item->arg);
    }
    free(config_items);
}

int
main(int argc, char *argv[])
{
    struct emu_nl_server *rtnl, *genl;
    struct unixctl_server *unixctl;
    bool exiting = false;
    int error;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);

    apply_config();

    if (!netlink_dir) {
        netlink_dir = xasprintf("%s/sriov-nic-emu", ovs_rundir());
    }
    if (mkdir(netlink_dir, 0755) && errno != EEXIST) {
        ovs_fatal(errno, "%s: could not create directory", netlink_dir);
    }
    if (netlink_capture) {
        error = emu_nl_capture(netlink_capture);
        if (error) {
            ovs_fatal(error, "%s: could not open capture file",
                      netlink_capture);
        }
    }

    daemonize_start(false);

    char *path = xasprintf("%s/rtnetlink.sock", netlink_dir);
    error = emu_nl_server_open(path, NETLINK_ROUTE, emu_rtnl_handle, NULL,
                               &rtnl);
    if (error) {
        ovs_fatal(error, "%s: could not listen", path);
    }
    free(path);
    path = xasprintf("%s/genetlink.sock", netlink_dir);
    error = emu_nl_server_open(path, NETLINK_GENERIC, emu_genl_handle, NULL,
                               &genl);
    if (error) {
        ovs_fatal(error, "%s: could not listen", path);
    }
    free(path);

    error = unixctl_server_create(unixctl_path, &unixctl);
    if (error) {
        exit(EXIT_FAILURE);
    }
    emu_control_register(netlink_dir, &exiting);

    daemonize_complete();
    VLOG_INFO("sriov-nic-emu: netlink sockets in %s", netlink_dir);

    while (!exiting) {
        emu_nl_server_run(rtnl);
        emu_nl_server_run(genl);
        emu_dataplane_run();
        unixctl_server_run(unixctl);

        emu_nl_server_wait(rtnl);
        emu_nl_server_wait(genl);
        emu_dataplane_wait();
        unixctl_server_wait(unixctl);
        if (exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    emu_nl_server_close(rtnl);
    emu_nl_server_close(genl);
    emu_nic_destroy_all();
    emu_nl_capture(NULL);
    emu_dataplane_capture(NULL);
    unixctl_server_destroy(unixctl);
    free(netlink_dir);
    free(netlink_capture);
    return 0;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_NIC = UCHAR_MAX + 1,
        OPT_ATTACH,
        OPT_NETLINK_DIR,
        OPT_NETLINK_CAPTURE,
        OPT_UNIXCTL,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"nic", required_argument, NULL, OPT_NIC},
        {"attach", required_argument, NULL, OPT_ATTACH},
        {"netlink-dir", required_argument, NULL, OPT_NETLINK_DIR},
        {"netlink-capture", required_argument, NULL, OPT_NETLINK_CAPTURE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_NIC:
            add_config_item(true, optarg);
            break;

        case OPT_ATTACH:
            add_config_item(false, optarg);
            break;

        case OPT_NETLINK_DIR:
            free(netlink_dir);
            netlink_dir = xstrdup(optarg);
            break;

        case OPT_NETLINK_CAPTURE:
            free(netlink_capture);
            netlink_capture = xstrdup(optarg);
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (optind < argc) {
        ovs_fatal(0, "%s: unexpected argument (use --help for help)",
                  argv[optind]);
    }
}

static void
usage(void)
{
    printf("%s: an emulated SR-IOV NIC in switchdev mode\n"
           "usage: %s [OPTIONS]\n"
           "\nNICs and their ports:\n"
           "  --nic=BUS/DEV[,KEY=VALUE]...\n"
           "                   add a NIC, e.g. pci/0000:03:00.0, with keys\n"
           "                   totalvfs=N (8), vfs=N (0), capacity=RULES\n"
           "                   (65536), mode=legacy|switchdev (legacy),\n"
           "                   pf=NAME (eswN), switch-id=HEX\n"
           "  --attach=BUS/DEV,PORT,SIDE,ENDPOINT[,REP-NAME]\n"
           "                   attach a packet endpoint to vport PORT (p0,\n"
           "                   pf0vfN): SIDE function (the VM, the wire) or\n"
           "                   rep (the host's representor, named REP-NAME);\n"
           "                   ENDPOINT punix:PATH, unix:PATH (netdev-dummy\n"
           "                   framing) or afpacket:IFNAME\n"
           "\nNetlink:\n"
           "  --netlink-dir=DIR  put rtnetlink.sock and genetlink.sock in\n"
           "                   DIR (default: %s/sriov-nic-emu)\n"
           "  --netlink-capture=FILE  write all netlink traffic to FILE\n"
           "                   (pcap, link type 253)\n",
           program_name, program_name, ovs_rundir());
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  --unixctl=SOCKET  override default control socket name\n"
           "  -h, --help       display this help message\n"
           "  -V, --version    display version information\n");
    exit(EXIT_SUCCESS);
}
