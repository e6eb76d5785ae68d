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

/* Benchmark of the offload engine (plugins/esw-offload.c) against the real
 * sriov-nic-emu daemon, which it starts as a child (--emu, default
 * emu/sriov-nic-emu) in a temporary directory, and stops (and removes the
 * directory) when it exits, on failure and on a fatal signal too.
 *
 * The megaflows are what the userspace datapath gives a flow API:
 * "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(dst=D)" with a distinct
 * /32 D per flow, and actions "output:2", on dummy netdevs named as the
 * emulator's representors esw0_0 (odp port 1) and esw0_1 (odp port 2),
 * which the engine claims through the emulator's rtnetlink socket.
 *
 * It prints, each against the target of issue 4, item 7:
 *
 *   1. megaflows offloaded per second through esw_offload_flow_put(),
 *      with the engine's batches of 64 and with eswitch-batch-size=1 (one
 *      message per transaction), and their ratio; and, for comparison, the
 *      same rules (translated by esw_offload_xlate(), encoded by
 *      tc_flower_encode_new()) sent by the transport alone in batches of
 *      --batch (64) requests, translation and encoding included.
 *   2. the latency of each esw_offload_flow_put() call, from call to
 *      return (which includes the NIC's ACK): p50, p90, p99, max.
 *   3. the time of one counter refresh with --refresh-flows (200000) rules
 *      installed through the engine: esw_offload_flow_get() on one flow
 *      once eswitch-stats-interval (10 ms) has passed, which dumps every
 *      claimed port.
 *   4. the growth of the process's resident memory (/proc/self/statm) per
 *      flow across installing those flows through the engine.  The engine
 *      keeps, per flow, its state and the megaflow (to place it again when
 *      a port's vport changes or the NIC loses it); OVS's own per-flow memory
 *      (the dpif-netdev megaflow) is not involved here: only the engine's
 *      is measured.  The matches are built one at a time, so they are not
 *      counted. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-emu.h"
#include "dpif-eswitch.h"
#include "dpif.h"
#include "dummy.h"
#include "esw-flower.h"
#include "esw-nl-transport.h"
#include "esw-offload-xlate.h"
#include "esw-offload.h"
#include "netdev-offload.h"
#include "netdev.h"
#include "netlink.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "smap.h"
#include "tc-flower-codec.h"
#include "util.h"

/* The emulated NIC.  Its capacity holds the largest run's rules. */
#define IN_PORT "esw0_0"        /* Representor of VF 0: odp port 1. */
#define OUT_PORT "esw0_1"       /* Representor of VF 1: odp port 2. */
#define IN_ODP_PORT 1
#define OUT_ODP_PORT 2

/* The targets. */
#define TARGET_PUTS_PER_SEC 100e3
#define TARGET_BATCH_RATIO 3.0
#define TARGET_P99_MSEC 10.0
#define TARGET_REFRESH_MSEC 200.0
#define TARGET_BYTES_PER_FLOW 512.0

/* The engine's counter refresh interval, in ms (its minimum). */
#define STATS_INTERVAL_MS 10

/* Handles of the rules of the batched run: far above the engine's, which
 * count from 1. */
#define BATCH_HANDLE_BASE 0x40000000


/* Command line. */
static size_t n_flows = 20000;
static size_t n_refresh_flows = 200000;
static size_t batch_size = 64;

/* The engine's side. */

static struct netdev *in_netdev;
static struct netdev *out_netdev;

/* Opens dummy netdev 'name' of the eswitch datapath as odp port 'port_no',
 * so that netdev_ports_get(port_no, "eswitch") finds it, and has the engine
 * claim it. */
static struct netdev *
open_port(const char *name, uint32_t port_no)
{
    struct netdev *netdev;
    int error = netdev_open(name, "dummy", &netdev);

    if (error) {
        ovs_fatal(error, "%s: netdev_open", name);
    }
    netdev_set_dpif_type(netdev, DPIF_ESWITCH_TYPE);

    struct dpif_port dpif_port = {
        .name = CONST_CAST(char *, name),
        .type = CONST_CAST(char *, "dummy"),
        .port_no = u32_to_odp(port_no),
    };
    error = netdev_ports_insert(netdev, &dpif_port);
    if (error) {
        ovs_fatal(error, "%s: netdev_ports_insert", name);
    }
    error = esw_offload_port_init(netdev);
    if (error) {
        ovs_fatal(error, "%s: the engine did not claim it", name);
    }
    return netdev;
}

/* Sets the engine's eswitch-batch-size to 'n'. */
static void
set_batch_size(int n)
{
    struct smap cfg = SMAP_INITIALIZER(&cfg);

    smap_add_format(&cfg, "eswitch-netlink", "unix:%s", bench_tmp_dir);
    smap_add_format(&cfg, "eswitch-stats-interval", "%d", STATS_INTERVAL_MS);
    smap_add_format(&cfg, "eswitch-batch-size", "%d", n);
    esw_offload_set_config(&cfg);
    smap_destroy(&cfg);
}

/* Configures the engine for the daemon and opens the two ports. */
static void
setup_engine(void)
{
    struct smap cfg = SMAP_INITIALIZER(&cfg);

    netdev_dummy_register(DUMMY_OVERRIDE_NONE);
    smap_add(&cfg, "hw-offload", "true");
    smap_add_format(&cfg, "eswitch-netlink", "unix:%s", bench_tmp_dir);
    smap_add_format(&cfg, "eswitch-stats-interval", "%d", STATS_INTERVAL_MS);
    esw_offload_set_config(&cfg);
    netdev_set_flow_api_enabled(&cfg);
    smap_destroy(&cfg);

    in_netdev = open_port(IN_PORT, IN_ODP_PORT);
    out_netdev = open_port(OUT_PORT, OUT_ODP_PORT);
}

/* Megaflows. */

/* Initializes '*match' to megaflow number 'i':
 * recirc_id(0),in_port(1),eth_type(0x0800),ipv4(dst=10.0.0.0 + i). */
static void
make_megaflow(struct match *match, size_t i)
{
    match_init_catchall(match);
    match_set_recirc_id(match, 0);
    match->flow.in_port.odp_port = u32_to_odp(IN_ODP_PORT);
    match->wc.masks.in_port.odp_port = u32_to_odp(UINT32_MAX);
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_dst(match, htonl(0x0a000000 + (uint32_t) i));
}

static ovs_u128
make_ufid(size_t i, uint32_t run)
{
    ovs_u128 ufid = { .u32 = { hash_int(i, run), (uint32_t) i, run, 0 } };

    return ufid;
}

/* The actions of every megaflow: output:2. */
static uint64_t actions_stub[8];
static struct ofpbuf actions;

static void
make_actions(void)
{
    ofpbuf_use_stub(&actions, actions_stub, sizeof actions_stub);
    nl_msg_put_odp_port(&actions, OVS_ACTION_ATTR_OUTPUT,
                        u32_to_odp(OUT_ODP_PORT));
}

OVS_NO_RETURN static void explain_put_failure(const struct match *,
                                              size_t i, int error);

/* Installs 'n' megaflows of run 'run' through esw_offload_flow_put(),
 * storing each call's time in 'latencies' if nonnull, and returns the
 * total time in seconds. */
static double
put_flows(size_t n, uint32_t run, double *latencies)
{
    struct match *match = xmalloc(sizeof *match);
    double total = 0;

    for (size_t i = 0; i < n; i++) {
        struct dpif_flow_stats stats;
        ovs_u128 ufid = make_ufid(i, run);

        make_megaflow(match, i);
        double start = bench_now_sec();
        int error = esw_offload_flow_put(in_netdev, match, actions.data,
                                         actions.size, &ufid, &stats);
        double elapsed = bench_now_sec() - start;
        if (error) {
            explain_put_failure(match, i, error);
        }
        if (latencies) {
            latencies[i] = elapsed;
        }
        total += elapsed;
    }
    free(match);
    return total;
}

/* Checks that the engine has exactly 'n' flows in hardware on the in_port.
 * (esw_offload_flow_count() reads the engine's records, not the NIC.) */
static void
check_flow_count(uint64_t n)
{
    uint64_t count;

    esw_offload_flow_count(in_netdev, &count);
    if (count != n) {
        ovs_fatal(0, "the engine has %"PRIu64" flows in hardware, "
                  "expected %"PRIu64, count, n);
    }
}

/* The transport's side, for the batched comparison. */

struct bench_ports {
    struct esw_xlate_port in;
    struct esw_xlate_port out;
    char switch_id[2 * ESW_PHYS_ID_MAX_LEN + 1];
};

static const struct esw_xlate_port *
bench_lookup_port(const void *aux_, odp_port_t port)
{
    const struct bench_ports *aux = aux_;

    return (port == aux->in.odp_port ? &aux->in
            : port == aux->out.odp_port ? &aux->out
            : NULL);
}

/* The two ports as the daemon reports them. */
static struct bench_ports ports;

/* Exits with the reason why esw_offload_flow_put() refused megaflow 'i',
 * 'match', with 'error': the translation's, if it refuses it. */
OVS_NO_RETURN static void
explain_put_failure(const struct match *match, size_t i, int error)
{
    struct esw_xlate_port_map map = { .lookup = bench_lookup_port,
                                      .aux = &ports };
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    char *reason = NULL;

    esw_offload_xlate(match, actions.data, actions.size, &map, rule,
                      &reason);
    ovs_fatal(error, "flow %"PRIuSIZE": esw_offload_flow_put (%s)", i,
              reason ? reason : "translated here; refused by the engine "
              "or the NIC");
}

/* Asks the daemon, on 'nl', for link 'name' and fills in '*port' (and
 * 'ports.switch_id'). */
static void
query_port(struct esw_nl *nl, const char *name, uint32_t port_no,
           struct esw_xlate_port *port)
{
    struct esw_link_request req = { .family = AF_UNSPEC };
    uint64_t buf[1024];
    struct ofpbuf *reply = NULL;
    char *why = NULL;
    int error;

    ovs_strlcpy(req.name, name, sizeof req.name);
    error = esw_rtnl_link_encode_request(buf, sizeof buf, 0, &req);
    if (!error) {
        error = esw_nl_transact(nl, (struct nlmsghdr *) buf, &reply, &why);
    }
    if (!error && (!reply || reply->size < sizeof(struct nlmsghdr))) {
        error = ENODEV;
    }

    struct esw_link *link = xzalloc(sizeof *link);
    if (!error) {
        error = esw_rtnl_link_decode_link(reply->data, link, &why);
    }
    if (error) {
        ovs_fatal(error, "%s: RTM_GETLINK (%s)", name, why ? why : "");
    }
    for (size_t i = 0; i < link->phys_switch_id.len; i++) {
        snprintf(&ports.switch_id[2 * i], 3, "%02x",
                 link->phys_switch_id.id[i]);
    }
    port->odp_port = u32_to_odp(port_no);
    port->ifindex = link->ifindex;
    port->name = name;
    port->eswitch = ports.switch_id;
    free(link);
    free(why);
    ofpbuf_delete(reply);
}

/* Sends the 'n' megaflows' rules, translated and encoded here, in batches
 * of 'batch_size' on 'nl', and returns the time it took in seconds
 * (translation and encoding included).  Sets '*prio' to their priority. */
static double
send_batched(struct esw_nl *nl, size_t n, uint16_t *prio)
{
    struct esw_xlate_port_map map = { .lookup = bench_lookup_port,
                                      .aux = &ports };
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    struct match *match = xmalloc(sizeof *match);
    struct esw_prio_map prio_map;
    uint64_t buf[65536 / sizeof(uint64_t)];
    struct esw_nl_batch batch;

    esw_prio_map_init(&prio_map, 1, 0xfff0);
    esw_nl_batch_init(&batch);

    double start = bench_now_sec();
    for (size_t i = 0; i < n; i += batch_size) {
        size_t end = MIN(n, i + batch_size);

        esw_nl_batch_clear(&batch);
        for (size_t j = i; j < end; j++) {
            char *reason = NULL;
            size_t len;

            make_megaflow(match, j);
            enum esw_xlate_reason xr = esw_offload_xlate(
                match, actions.data, actions.size, &map, rule, &reason);
            if (xr != ESW_XLATE_OK) {
                ovs_fatal(0, "flow %"PRIuSIZE": not translated: %s", j,
                          reason ? reason : "");
            }
            if (esw_prio_map_get(&prio_map, rule, &rule->prio)) {
                ovs_fatal(0, "no TC priority left");
            }
            rule->handle = BATCH_HANDLE_BASE + j;
            int error = tc_flower_encode_new(buf, sizeof buf, rule,
                                             NLM_F_CREATE | NLM_F_EXCL, 0,
                                             &len);
            if (error) {
                ovs_fatal(error, "flow %"PRIuSIZE": encode", j);
            }
            esw_nl_batch_add(&batch, (struct nlmsghdr *) buf);
        }
        int error = esw_nl_batch_send(nl, &batch);
        if (error || esw_nl_batch_n_failed(&batch)) {
            const struct esw_nl_result *r = esw_nl_batch_result(&batch, 0);
            ovs_fatal(error ? error : r->error,
                      "batch at flow %"PRIuSIZE": %"PRIuSIZE" failed (%s)",
                      i, esw_nl_batch_n_failed(&batch),
                      r->extack ? r->extack : "");
        }
    }
    double elapsed = bench_now_sec() - start;

    *prio = rule->prio;
    esw_nl_batch_uninit(&batch);
    esw_prio_map_destroy(&prio_map);
    free(match);
    free(rule);
    return elapsed;
}

/* Deletes every rule of 'prio' on the in_port, as "tc filter del dev esw0_0
 * ingress protocol ip prio PRIO flower" does: one message. */
static void
delete_prio(struct esw_nl *nl, uint16_t prio)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    uint64_t buf[512];
    char *extack = NULL;
    size_t len;

    esw_flower_rule_init(rule);
    rule->ifindex = ports.in.ifindex;
    rule->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    rule->prio = prio;
    rule->protocol = htons(ETH_TYPE_IP);
    rule->handle = 0;
    int error = tc_flower_encode_del(buf, sizeof buf, rule, 0, &len);
    if (!error) {
        error = esw_nl_transact(nl, (struct nlmsghdr *) buf, NULL, &extack);
    }
    if (error) {
        ovs_fatal(error, "deleting prio %"PRIu16" (%s)", prio,
                  extack ? extack : "");
    }
    free(extack);
    free(rule);
}

/* Figures. */

static int
compare_doubles(const void *a_, const void *b_)
{
    double a = *(const double *) a_;
    double b = *(const double *) b_;

    return a < b ? -1 : a > b;
}

/* Returns the 'p'th percentile (0 < p <= 100) of the 'n' sorted values. */
static double
percentile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t) (p / 100.0 * n + 0.5);

    return sorted[MIN(MAX(rank, 1), n) - 1];
}

/* Returns the resident set size of this process in bytes. */
static long long int
rss_bytes(void)
{
    long long int size, resident;
    FILE *statm = fopen("/proc/self/statm", "r");

    if (!statm || fscanf(statm, "%lld %lld", &size, &resident) != 2) {
        ovs_fatal(errno, "/proc/self/statm");
    }
    fclose(statm);
    return resident * sysconf(_SC_PAGESIZE);
}

static const char *
verdict(bool met)
{
    return met ? "MET" : "MISSED";
}

/* Command line. */

static size_t
parse_count(const char *option, const char *arg, size_t max)
{
    char *end;
    unsigned long long n = strtoull(arg, &end, 10);

    if (*end || !n || n > max) {
        ovs_fatal(0, "--%s: %s is not a number from 1 to %"PRIuSIZE, option,
                  arg, max);
    }
    return n;
}

OVS_NO_RETURN static void
usage(void)
{
    printf("%s: benchmark of the offload engine against sriov-nic-emu\n"
           "usage: %s [OPTIONS]\n"
           "  --emu=PATH            sriov-nic-emu (default %s)\n"
           "  --flows=N             megaflows for rates and latency "
           "(default %"PRIuSIZE")\n"
           "  --refresh-flows=M     flows for the refresh cost and memory "
           "(default %"PRIuSIZE")\n"
           "  --batch=B             requests per batch (default %"PRIuSIZE
           ")\n"
           "  -h, --help            display this help message\n",
           program_name, program_name, bench_emu_path, n_flows, n_refresh_flows,
           batch_size);
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"emu", required_argument, NULL, 'e'},
        {"flows", required_argument, NULL, 'n'},
        {"refresh-flows", required_argument, NULL, 'm'},
        {"batch", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'e':
            bench_emu_path = optarg;
            break;
        case 'n':
            n_flows = parse_count("flows", optarg, EMU_CAPACITY / 2);
            break;
        case 'm':
            n_refresh_flows = parse_count("refresh-flows", optarg,
                                          EMU_CAPACITY / 2);
            break;
        case 'b':
            batch_size = parse_count("batch", optarg, 4096);
            break;
        case 'h':
            usage();
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (optind < argc) {
        ovs_fatal(0, "no arguments allowed (use --help for help)");
    }
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    parse_options(argc, argv);

    bench_make_tmp_dir();
    bench_start_daemon();
    setup_engine();
    make_actions();

    /* The transport's own handle, for the batched comparison. */
    struct esw_nl *nl;
    char *target = xasprintf("unix:%s", bench_tmp_dir);
    int error = esw_nl_open(target, NETLINK_ROUTE, &nl);
    if (error) {
        ovs_fatal(error, "%s", target);
    }
    free(target);
    query_port(nl, IN_PORT, IN_ODP_PORT, &ports.in);
    query_port(nl, OUT_PORT, OUT_ODP_PORT, &ports.out);

    printf("offload-bench: %s, NIC %s%s\n"
           "megaflow: recirc_id(0),in_port(%d),eth_type(0x0800),"
           "ipv4(dst=/32 distinct), actions:%d (%s -> %s)\n\n",
           bench_emu_path, EMU_NIC, EMU_NIC_OPTIONS, IN_ODP_PORT, OUT_ODP_PORT,
           IN_PORT, OUT_PORT);

    /* 3 and 4: memory and refresh cost, first, while the heap is fresh. */
    long long int rss_before = rss_bytes();
    double refresh_put_sec = put_flows(n_refresh_flows, 1, NULL);
    long long int rss_after = rss_bytes();
    check_flow_count(n_refresh_flows);
    double bytes_per_flow = (double) (rss_after - rss_before)
                            / n_refresh_flows;

    struct dpif_flow_stats stats;
    struct dpif_flow_attrs attrs;
    ovs_u128 probe = make_ufid(n_refresh_flows / 2, 1);
    bench_sleep_msec(2 * STATS_INTERVAL_MS);
    double start = bench_now_sec();
    error = esw_offload_flow_get(in_netdev, &probe, &stats, &attrs);
    double refresh_sec = bench_now_sec() - start;
    if (error) {
        ovs_fatal(error, "esw_offload_flow_get after the refresh");
    }
    check_flow_count(n_refresh_flows);

    printf("memory and counter refresh, %"PRIuSIZE" flows through the "
           "engine (%.0f flows/s while installing):\n"
           "  RSS %.1f MB -> %.1f MB: %.0f B per flow (engine state and the "
           "megaflow it keeps per flow)\n"
           "  one counter refresh (terse dump of %s and %s, then "
           "flow_get): %.1f ms\n\n",
           n_refresh_flows, n_refresh_flows / refresh_put_sec,
           rss_before / 1e6, rss_after / 1e6, bytes_per_flow,
           IN_PORT, OUT_PORT, refresh_sec * 1e3);

    start = bench_now_sec();
    esw_offload_flow_flush(in_netdev);
    double flush_sec = bench_now_sec() - start;
    check_flow_count(0);
    printf("flush of those %"PRIuSIZE" flows (RTM_DELTFILTERs in one "
           "batch): %.2f s\n\n", n_refresh_flows, flush_sec);

    /* 1 and 2: rates and latency.  The engine batches rules (64 per
     * batch, its default); with eswitch-batch-size=1 it installs each rule
     * before flow_put returns, which gives the one-per-transaction rate
     * and the miss-to-rule latency (call to rule in the NIC). */
    double *latencies = xmalloc(n_flows * sizeof *latencies);
    double start_batched = bench_now_sec();
    put_flows(n_flows, 2, latencies);
    check_flow_count(n_flows);          /* Sends the last batch. */
    double engine_batched_sec = bench_now_sec() - start_batched;
    esw_offload_flow_flush(in_netdev);
    check_flow_count(0);

    set_batch_size(1);
    double put_sec = put_flows(n_flows, 2, latencies);
    check_flow_count(n_flows);
    esw_offload_flow_flush(in_netdev);
    check_flow_count(0);
    set_batch_size(64);

    struct esw_nl_stats before, nl_stats;
    uint16_t prio;

    esw_nl_get_stats(nl, &before);
    double batch_sec = send_batched(nl, n_flows, &prio);
    esw_nl_get_stats(nl, &nl_stats);
    nl_stats.tx_messages -= before.tx_messages;
    nl_stats.tx_datagrams -= before.tx_datagrams;
    delete_prio(nl, prio);
    esw_nl_close(nl);

    double put_rate = n_flows / put_sec;
    double engine_batched_rate = n_flows / engine_batched_sec;
    double batch_rate = n_flows / batch_sec;
    double ratio = engine_batched_rate / put_rate;

    qsort(latencies, n_flows, sizeof *latencies, compare_doubles);
    double p50 = percentile(latencies, n_flows, 50) * 1e3;
    double p90 = percentile(latencies, n_flows, 90) * 1e3;
    double p99 = percentile(latencies, n_flows, 99) * 1e3;
    double max = latencies[n_flows - 1] * 1e3;
    free(latencies);

    printf("megaflow offload, %"PRIuSIZE" flows:\n"
           "  engine, batches of 64 (flow_put, then the last batch sent): "
           "%.0f flows/s (%.2f s)\n"
           "  engine, one message per transaction (eswitch-batch-size=1): "
           "%.0f flows/s (%.2f s)\n"
           "  transport alone, batches of %"PRIuSIZE" (xlate + encode "
           "included, %"PRIu64" requests in %"PRIu64" datagrams): %.0f "
           "flows/s (%.2f s)\n"
           "  engine batched / one-per-transaction: %.2fx\n\n"
           "miss-to-rule latency (flow_put call to the rule in the NIC, "
           "one per transaction; batching adds at most 1 ms), %"PRIuSIZE
           " calls:\n"
           "  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n\n",
           n_flows, engine_batched_rate, engine_batched_sec, put_rate,
           put_sec, batch_size, nl_stats.tx_messages,
           nl_stats.tx_datagrams, batch_rate, batch_sec, ratio,
           n_flows, p50, p90, p99, max);

    printf("summary (issue 4, item 7):\n");
    printf("  offloaded through the engine  %10.0f /s   target >= %.0f /s"
           "   %s\n", engine_batched_rate, TARGET_PUTS_PER_SEC,
           verdict(engine_batched_rate >= TARGET_PUTS_PER_SEC));
    printf("  batched vs one-per-transaction %9.2fx    target >= %.0fx"
           "        %s\n",
           ratio, TARGET_BATCH_RATIO, verdict(ratio >= TARGET_BATCH_RATIO));
    printf("  miss-to-rule p99              %10.3f ms  target <= %.0f ms"
           "        %s\n", p99, TARGET_P99_MSEC,
           verdict(p99 <= TARGET_P99_MSEC));
    printf("  counter refresh, %7"PRIuSIZE" flows %7.1f ms  target <= %.0f ms"
           "       %s\n", n_refresh_flows, refresh_sec * 1e3,
           TARGET_REFRESH_MSEC, verdict(refresh_sec * 1e3
                                        <= TARGET_REFRESH_MSEC));
    printf("  memory per offloaded flow     %10.0f B   target <= %.0f B"
           "        %s\n", bytes_per_flow, TARGET_BYTES_PER_FLOW,
           verdict(bytes_per_flow <= TARGET_BYTES_PER_FLOW));

    esw_offload_port_uninit(in_netdev);
    esw_offload_port_uninit(out_netdev);
    bench_succeeded = true;
    return 0;
}
