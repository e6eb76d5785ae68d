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

/* Benchmark of sriov-nic-emu's flow table (emu/emu-flow-table.h): prints
 * lookups per second at 1 K, 64 K and 1 M rules, the insertion and dump
 * rates, and the memory that 1 M rules take, against the targets (at least
 * 5 M lookups/s on one core at 64 K rules; 1 M rules in at most 1 GiB).
 *
 * The rules look like the megaflows that OVS offloads, one prio per mask
 * as OVS's TC offload assigns them: 10% L2 destination exact (prio 1, any
 * protocol), 80% IPv4 TCP 5-tuples (prio 2), 10% IPv4 destination /24
 * (prio 3), all on the ingress of one port.  Lookup keys hit a rule chosen
 * at random, so a 5-tuple hit probes 2 masks and a /24 hit 3; 1 key in 16
 * misses all 3. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>

#include "dp-packet.h"
#include "emu-flow-table.h"
#include "emu-pipeline.h"
#include "esw-flower.h"
#include "packets.h"
#include "random.h"
#include "util.h"

#define PORT 1
#define OUT_PORT 2
#define N_KEYS (1 << 18)
#define TARGET_LOOKUPS_PER_SEC 5e6
#define TARGET_BYTES_PER_MRULES (1024.0 * 1024 * 1024)

enum rule_kind { KIND_L2, KIND_5TUPLE, KIND_DST24 };

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t
rss_bytes(void)
{
    unsigned long size, resident;
    FILE *f = fopen("/proc/self/statm", "r");

    if (!f || fscanf(f, "%lu %lu", &size, &resident) != 2) {
        ovs_fatal(0, "cannot read /proc/self/statm");
    }
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

/* Rule i of a table of n: its kind and its parameters. */
static enum rule_kind
rule_kind(uint32_t i)
{
    uint32_t r = i % 10;

    return r == 0 ? KIND_L2 : r == 1 ? KIND_DST24 : KIND_5TUPLE;
}

static struct eth_addr
rule_mac(uint32_t i)
{
    struct eth_addr mac = ETH_ADDR_C(02, 00, 00, 00, 00, 00);

    mac.ea[2] = i >> 24;
    mac.ea[3] = i >> 16;
    mac.ea[4] = i >> 8;
    mac.ea[5] = i;
    return mac;
}

static uint32_t
rule_src(uint32_t i)
{
    return 0x0a000000 | (i & 0xffffff);
}

static uint32_t
rule_dst24(uint32_t i)
{
    return 0x40000000 | ((i / 10) << 8);
}

/* Sets 'rule' to rule i. */
static void
make_rule(struct esw_flower_rule *rule, uint32_t i)
{
    memset(&rule->key, 0, sizeof rule->key);
    memset(&rule->mask, 0, sizeof rule->mask);
    rule->chain = 0;
    rule->handle = 0;
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;

    switch (rule_kind(i)) {
    case KIND_L2:
        rule->prio = 1;
        rule->protocol = htons(ETH_P_ALL);
        rule->key.eth_dst = rule_mac(i);
        rule->mask.eth_dst = eth_addr_exact;
        break;

    case KIND_5TUPLE:
        rule->prio = 2;
        rule->protocol = htons(ETH_TYPE_IP);
        rule->key.eth_type = htons(ETH_TYPE_IP);
        rule->mask.eth_type = OVS_BE16_MAX;
        rule->key.ip_proto = IPPROTO_TCP;
        rule->mask.ip_proto = 0xff;
        rule->key.ipv4_src = htonl(rule_src(i));
        rule->mask.ipv4_src = OVS_BE32_MAX;
        rule->key.ipv4_dst = htonl(0xc0a80001);
        rule->mask.ipv4_dst = OVS_BE32_MAX;
        rule->key.tp_src = htons(i >> 24 | 1024);
        rule->mask.tp_src = OVS_BE16_MAX;
        rule->key.tp_dst = htons(80);
        rule->mask.tp_dst = OVS_BE16_MAX;
        break;

    case KIND_DST24:
        rule->prio = 3;
        rule->protocol = htons(ETH_TYPE_IP);
        rule->key.eth_type = htons(ETH_TYPE_IP);
        rule->mask.eth_type = OVS_BE16_MAX;
        rule->key.ipv4_dst = htonl(rule_dst24(i));
        rule->mask.ipv4_dst = htonl(0xffffff00);
        break;
    }
}

/* Sets 'key' to a packet that hits rule i (or, if 'miss', none). */
static void
make_key(struct emu_flow_key *key, uint32_t i, bool miss)
{
    memset(key, 0, sizeof *key);
    key->in_port = PORT;
    key->eth_dst = (struct eth_addr) ETH_ADDR_C(04, 00, 00, 00, 00, 01);
    key->eth_src = (struct eth_addr) ETH_ADDR_C(04, 00, 00, 00, 00, 02);
    key->eth_type = key->n_proto = htons(ETH_TYPE_IP);
    key->ip_proto = IPPROTO_TCP;
    key->ip_ttl = 64;
    key->ipv4_src = htonl(0x0b000001);
    key->ipv4_dst = htonl(0x0b000002);
    key->tp_src = htons(40000);
    key->tp_dst = htons(443);
    key->tcp_flags = htons(TCP_ACK);
    if (miss) {
        return;
    }

    switch (rule_kind(i)) {
    case KIND_L2:
        key->eth_dst = rule_mac(i);
        break;

    case KIND_5TUPLE:
        key->ipv4_src = htonl(rule_src(i));
        key->ipv4_dst = htonl(0xc0a80001);
        key->tp_src = htons(i >> 24 | 1024);
        key->tp_dst = htons(80);
        break;

    case KIND_DST24:
        key->ipv4_dst = htonl(rule_dst24(i) | (i & 0xff));
        break;
    }
}

static struct emu_flow_table *
fill_table(size_t n_rules, double *secs)
{
    struct emu_flow_table *table = emu_flow_table_create(n_rules, NULL);
    struct esw_flower_rule *rule = xzalloc(sizeof *rule);
    double start;

    rule->n_actions = 1;
    rule->actions[0].type = ESW_FLOWER_ACT_MIRRED;
    rule->actions[0].control = TC_ACT_STOLEN;
    rule->actions[0].mirred.eaction = TCA_EGRESS_REDIR;
    rule->actions[0].mirred.ifindex = OUT_PORT;
    rule->actions[0].cookie_len = 16;

    start = now_sec();
    for (uint32_t i = 0; i < n_rules; i++) {
        make_rule(rule, i);
        memcpy(rule->actions[0].cookie, &i, sizeof i);
        int error = emu_flow_table_insert(table, PORT, rule, 0, NULL);
        if (error) {
            ovs_fatal(error, "inserting rule %"PRIu32, i);
        }
    }
    *secs = now_sec() - start;
    free(rule);
    return table;
}

static struct emu_flow_key *
make_keys(size_t n_rules)
{
    struct emu_flow_key *keys = xmalloc(N_KEYS * sizeof *keys);

    for (size_t k = 0; k < N_KEYS; k++) {
        make_key(&keys[k], random_range(n_rules), k % 16 == 15);
    }
    return keys;
}

/* Looks up 'n' keys, cycling over 'keys', and returns lookups per second;
 * stores the number of hits in '*hits'. */
static double
run_lookups(struct emu_flow_table *table, const struct emu_flow_key *keys,
            size_t n, size_t *hits)
{
    double start = now_sec();
    size_t n_hits = 0;

    for (size_t i = 0; i < n; i++) {
        n_hits += emu_flow_table_lookup(table, PORT,
                                        &keys[i & (N_KEYS - 1)]) != NULL;
    }
    *hits = n_hits;
    return n / (now_sec() - start);
}

/* Parses and looks up frames, as emu_pipeline_process() does before it
 * executes actions, and returns packets per second. */
static double
run_parse_lookups(struct emu_flow_table *table, const struct emu_flow_key
                  *keys, size_t n)
{
    enum { N_PACKETS = N_KEYS };
    struct dp_packet **packets = xmalloc(N_PACKETS * sizeof *packets);

    for (size_t i = 0; i < N_PACKETS; i++) {
        const struct emu_flow_key *k = &keys[i];
        struct dp_packet *p = dp_packet_new(128);
        struct eth_header *eth = dp_packet_put_zeros(p, sizeof *eth);
        struct ip_header *ip = dp_packet_put_zeros(p, sizeof *ip);
        struct tcp_header *tcp = dp_packet_put_zeros(p, sizeof *tcp);

        eth->eth_dst = k->eth_dst;
        eth->eth_src = k->eth_src;
        eth->eth_type = k->eth_type;
        ip->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip->ip_tot_len = htons(sizeof *ip + sizeof *tcp);
        ip->ip_ttl = k->ip_ttl;
        ip->ip_proto = k->ip_proto;
        put_16aligned_be32(&ip->ip_src, k->ipv4_src);
        put_16aligned_be32(&ip->ip_dst, k->ipv4_dst);
        tcp->tcp_src = k->tp_src;
        tcp->tcp_dst = k->tp_dst;
        tcp->tcp_ctl = TCP_CTL(TCP_ACK, 5);
        packets[i] = p;
    }

    double start = now_sec();
    for (size_t i = 0; i < n; i++) {
        struct emu_flow_key key;

        emu_pipeline_parse(packets[i & (N_PACKETS - 1)], PORT, &key);
        emu_flow_table_lookup(table, PORT, &key);
    }
    double rate = n / (now_sec() - start);

    for (size_t i = 0; i < N_PACKETS; i++) {
        dp_packet_delete(packets[i]);
    }
    free(packets);
    return rate;
}

static double
run_dump(const struct emu_flow_table *table, size_t *n)
{
    struct emu_flow_dump dump;
    double start = now_sec();

    *n = 0;
    emu_flow_dump_init_port(&dump, PORT);
    while (emu_flow_dump_next(table, &dump)) {
        (*n)++;
    }
    return *n / (now_sec() - start);
}

/* Builds a table of 'n_rules', prints its figures and destroys it. */
static void
bench(size_t n_rules, size_t n_lookups, bool measure_memory)
{
    struct emu_flow_key *keys = make_keys(n_rules);
    size_t rss_before = rss_bytes();
    double insert_secs;
    struct emu_flow_table *table = fill_table(n_rules, &insert_secs);
    size_t rss_after = rss_bytes();
    size_t hits;

    printf("%zu rules:\n", n_rules);
    printf("  insert   %10.0f rules/s (%.2f s, table only)\n",
           n_rules / insert_secs, insert_secs);

    /* Warm up, then measure. */
    run_lookups(table, keys, N_KEYS, &hits);
    double rate = run_lookups(table, keys, n_lookups, &hits);
    printf("  lookup   %10.2f M lookups/s, one core (%.1f%% hits)",
           rate / 1e6, 100.0 * hits / n_lookups);
    if (n_rules == 65536) {
        printf("   target >= %.0f M/s: %s", TARGET_LOOKUPS_PER_SEC / 1e6,
               rate >= TARGET_LOOKUPS_PER_SEC ? "MET" : "MISSED");
    }
    printf("\n");
    printf("  parse+lookup %6.2f M frames/s\n",
           run_parse_lookups(table, keys, n_lookups / 2) / 1e6);

    size_t n_dumped;
    double dump_rate = run_dump(table, &n_dumped);
    printf("  dump     %10.0f rules/s (%zu rules)\n", dump_rate, n_dumped);

    if (measure_memory) {
        size_t delta = rss_after > rss_before ? rss_after - rss_before : 0;
        double per_mrules = (double) delta / n_rules * 1048576;

        printf("  memory   RSS +%.1f MiB, %.0f bytes/rule"
               "   target 1 M rules <= 1 GiB: %s (%.0f MiB per 1 M rules)\n",
               delta / 1048576.0, (double) delta / n_rules,
               per_mrules <= TARGET_BYTES_PER_MRULES ? "MET" : "MISSED",
               per_mrules / 1048576.0);
    }

    double start = now_sec();
    emu_flow_table_destroy(table);
    printf("  destroy  %10.2f s\n", now_sec() - start);
    free(keys);
}

int
main(int argc OVS_UNUSED, char *argv[])
{
    set_program_name(argv[0]);
    random_set_seed(12345);

    printf("sriov-nic-emu flow table benchmark: 10%% L2 dst, 80%% IPv4 "
           "5-tuple, 10%% IPv4 dst/24, 3 prios, 1 port\n");

    /* The largest table first, so that its memory is measured in a fresh
     * heap. */
    bench(1048576, 10 * 1000 * 1000, true);
    bench(65536, 20 * 1000 * 1000, false);
    bench(1024, 20 * 1000 * 1000, false);
    return 0;
}
