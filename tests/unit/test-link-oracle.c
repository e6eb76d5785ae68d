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

/* The link, devlink and nlctrl codecs against an oracle that nobody here
 * wrote: the bytes that iproute2's "ip link" and "devlink" send, and a few
 * that the kernel answers, captured by tests/data/capture-link-netlink.sh
 * into tests/data/link/ (whose header describes the format).
 *
 * Each request is decoded and its fields checked against its command line,
 * read here as iproute2 reads it; then the decoded request is encoded again
 * and must be the same bytes (given the same nlmsg_seq).  devlink requests
 * have two exceptions, both iproute2's: the genlmsghdr version, which
 * iproute2 6.1 leaves at 0 (see devlink-codec.h), and the alignment padding
 * of attributes, which libmnl 1.0.4 leaves uninitialized (the encoders here
 * zero it, as the kernel and iproute2's "ip" do).  Each kernel reply is
 * decoded and checked against what the capture recorded; the nlctrl one is
 * also re-encoded.
 *
 * The data is found in $ESW_TEST_SRCDIR/tests/data/link, or else relative
 * to this file's path as the compiler saw it (which works when the tests
 * run from the top of the build tree, as "make check-unit" runs them). */

#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "devlink-codec.h"
#include "esw-unittest.h"
#include "genl-ctrl-codec.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "util.h"

/* One captured message and what the capture says about it. */
struct oracle_case {
    char *name;                 /* File name without ".txt". */
    char *command;              /* "command:" */
    char *message;              /* "message:": "request" or "reply". */
    char *ifindex;              /* "ifindex:": "NAME=INDEX", or NULL. */
    char *genl_family;          /* "genl-family:": "devlink=ID", or NULL. */
    char *expect;               /* "expect:", or NULL. */
    uint64_t *msg;              /* The message, aligned. */
    size_t len;
};

static struct oracle_case *cases;
static size_t n_cases;

/* Every case that tests/data/capture-link-netlink.sh writes: none may go
 * missing unnoticed. */
static const char *const expected_cases[] = {
    "link-show-dump", "link-show-dev",
    "vf-mac", "vf-vlan", "vf-vlan-qos", "vf-vlan-8021q", "vf-vlan-8021ad",
    "vf-vlan-clear", "vf-rate", "vf-min-max-rate", "vf-spoofchk-on",
    "vf-spoofchk-off", "vf-query-rss", "vf-state-auto", "vf-state-enable",
    "vf-state-disable", "vf-trust-on", "vf-trust-off", "vf-all",
    "vf-all-8021ad",
    "devlink-getfamily", "devlink-dev-show-dump", "devlink-dev-show",
    "devlink-port-show-dump", "devlink-port-show", "devlink-eswitch-show",
    "devlink-eswitch-set-switchdev", "devlink-eswitch-set-legacy",
    "devlink-eswitch-set-all", "devlink-port-function-set",
    "devlink-port-function-set-hw-addr",
    "devlink-port-function-set-inactive",
    "genl-reply-nlctrl", "link-reply-eswlink0",
};

static char *
data_dir(void)
{
    const char *srcdir = getenv("ESW_TEST_SRCDIR");

    if (srcdir) {
        return xasprintf("%s/tests/data/link", srcdir);
    }

    /* __FILE__ is ".../tests/unit/test-link-oracle.c". */
    const char *unit = strstr(__FILE__, "unit/test-link-oracle.c");
    ovs_assert(unit);
    return xasprintf("%.*sdata/link", (int) (unit - __FILE__), __FILE__);
}

static int
hex_digit(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

/* Parses the case in file 'path' into 'c'.  Returns false (after printing
 * why) if it is not in the capture's format. */
static bool
load_case(const char *path, struct oracle_case *c)
{
    struct ds hex = DS_EMPTY_INITIALIZER;
    FILE *stream = fopen(path, "r");
    char line[4096];
    bool ok = true;

    if (!stream) {
        fprintf(stderr, "%s: %s\n", path, ovs_strerror(errno));
        return false;
    }
    while (fgets(line, sizeof line, stream)) {
        char *value = strstr(line, ": ");

        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0]) {
            continue;
        } else if (!value) {
            fprintf(stderr, "%s: bad line \"%s\"\n", path, line);
            ok = false;
            break;
        }
        *value = '\0';
        value += 2;
        if (!strcmp(line, "command")) {
            c->command = xstrdup(value);
        } else if (!strcmp(line, "message")) {
            c->message = xstrdup(value);
        } else if (!strcmp(line, "ifindex")) {
            c->ifindex = xstrdup(value);
        } else if (!strcmp(line, "genl-family")) {
            c->genl_family = xstrdup(value);
        } else if (!strcmp(line, "expect")) {
            c->expect = xstrdup(value);
        } else if (!strcmp(line, "hex")) {
            ds_put_cstr(&hex, value);
        }
    }
    fclose(stream);

    c->len = hex.length / 2;
    c->msg = xzalloc(ROUND_UP(c->len, 8) + 8);
    uint8_t *bytes = (uint8_t *) c->msg;
    for (size_t i = 0; ok && i < c->len; i++) {
        int hi = hex_digit(hex.string[2 * i]);
        int lo = hex_digit(hex.string[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            fprintf(stderr, "%s: bad hex\n", path);
            ok = false;
        }
        bytes[i] = hi * 16 + lo;
    }
    if (ok && (!c->command || !c->message || hex.length % 2
               || c->len < MNL_NLMSG_HDRLEN
               || ((struct nlmsghdr *) (void *) c->msg)->nlmsg_len
                  != c->len)) {
        fprintf(stderr, "%s: incomplete case\n", path);
        ok = false;
    }
    ds_destroy(&hex);
    return ok;
}

static int
compare_cases(const void *a_, const void *b_)
{
    const struct oracle_case *a = a_, *b = b_;

    return strcmp(a->name, b->name);
}

static int
suite_init(void)
{
    char *dir_name = data_dir();
    DIR *dir = opendir(dir_name);
    size_t allocated = 0;
    struct dirent *de;

    if (!dir) {
        fprintf(stderr, "%s: %s (set ESW_TEST_SRCDIR to the source tree)\n",
                dir_name, ovs_strerror(errno));
        free(dir_name);
        return -1;
    }
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);

        if (len < 5 || strcmp(de->d_name + len - 4, ".txt")) {
            continue;
        }
        if (n_cases >= allocated) {
            cases = x2nrealloc(cases, &allocated, sizeof *cases);
        }

        struct oracle_case *c = &cases[n_cases];
        char *path = xasprintf("%s/%s", dir_name, de->d_name);
        memset(c, 0, sizeof *c);
        c->name = xmemdup0(de->d_name, len - 4);
        bool ok = load_case(path, c);
        free(path);
        if (!ok) {
            closedir(dir);
            free(dir_name);
            return -1;
        }
        n_cases++;
    }
    closedir(dir);
    free(dir_name);
    qsort(cases, n_cases, sizeof *cases, compare_cases);
    return 0;
}

static int
suite_clean(void)
{
    for (size_t i = 0; i < n_cases; i++) {
        struct oracle_case *c = &cases[i];

        free(c->name);
        free(c->command);
        free(c->message);
        free(c->ifindex);
        free(c->genl_family);
        free(c->expect);
        free(c->msg);
    }
    free(cases);
    cases = NULL;
    n_cases = 0;
    return 0;
}

static const struct nlmsghdr *
case_nlh(const struct oracle_case *c)
{
    return (const struct nlmsghdr *) (void *) c->msg;
}

/* Reports a failure of case 'c' at 'line', with 'why'. */
static void
case_check_at(int line, const struct oracle_case *c, bool ok,
              const char *why)
{
    if (!ok) {
        fprintf(stderr, "\n%s (%s): %s\n", c->name, c->command, why);
    }
    CU_assertImplementation(ok, line, why, __FILE__, "", CU_FALSE);
}
#define CASE_CHECK(C, OK, WHY) case_check_at(__LINE__, C, OK, WHY)

/* Marks in 'skip' (indexed by offset in the message, 'base' being the
 * offset of 'attrs') the alignment padding of the attributes in the 'len'
 * bytes at 'attrs' and, recursively, of those nested in attributes marked
 * NLA_F_NESTED.  libmnl 1.0.4, on which devlink is built, does not clear
 * padding, which then holds whatever an earlier message left in devlink's
 * buffer. */
static void
mark_padding(const void *attrs, size_t len, size_t base, bool skip[])
{
    const struct nlattr *attr;

    mnl_attr_for_each_payload (attrs, len) {
        size_t offset = base + ((const char *) attr - (const char *) attrs);
        size_t end = offset + attr->nla_len;

        for (size_t i = end; i < offset + MNL_ALIGN(attr->nla_len); i++) {
            skip[i] = true;
        }
        if (attr->nla_type & NLA_F_NESTED) {
            mark_padding(mnl_attr_get_payload(attr),
                         mnl_attr_get_payload_len(attr),
                         offset + MNL_ATTR_HDRLEN, skip);
        }
    }
}

/* Checks that the message at 'encoded' has the bytes of case 'c', except
 * where 'skip' (NULL to skip nothing) says. */
static void
check_bytes_at(int line, const struct oracle_case *c, const void *encoded,
               const bool skip[])
{
    const struct nlmsghdr *nlh = encoded;
    const uint8_t *a = (const uint8_t *) c->msg, *b = encoded;
    size_t len = nlh->nlmsg_len;
    bool same = len == c->len;

    for (size_t i = 0; same && i < len; i++) {
        same = a[i] == b[i] || (skip && skip[i]);
    }
    if (!same) {
        struct ds s = DS_EMPTY_INITIALIZER;

        ds_put_format(&s, "re-encoded bytes differ\n  captured:");
        for (size_t i = 0; i < c->len; i++) {
            ds_put_format(&s, "%02x", a[i]);
        }
        ds_put_format(&s, "\n  encoded: ");
        for (size_t i = 0; i < len; i++) {
            ds_put_format(&s, "%02x", b[i]);
        }
        case_check_at(line, c, false, ds_cstr(&s));
        ds_destroy(&s);
    } else {
        case_check_at(line, c, true, "re-encoded bytes are the same");
    }
}
#define CHECK_BYTES(C, ENCODED, SKIP) \
    check_bytes_at(__LINE__, C, ENCODED, SKIP)

/* Splits 'command' into words: returns their number and stores them in
 * 'words' (at most 'max'), pointing into '*copyp' (to free). */
static size_t
split_command(const char *command, char **copyp, char *words[], size_t max)
{
    char *save_ptr = NULL;
    size_t n = 0;

    *copyp = xstrdup(command);
    for (char *w = strtok_r(*copyp, " ", &save_ptr); w && n < max;
         w = strtok_r(NULL, " ", &save_ptr)) {
        words[n++] = w;
    }
    return n;
}

/* Returns the number after "NAME=" in 'value' ("eswlink0=3"). */
static long
value_number(const char *value)
{
    const char *equals = value ? strchr(value, '=') : NULL;

    return equals ? strtol(equals + 1, NULL, 0) : -1;
}

static bool
on_off(const char *word)
{
    return !strcmp(word, "on");
}

/* ip link. */

/* Fills 'request' as iproute2 builds it from "ip link set dev NAME vf N
 * ..." in 'words' (of 'n'), for a device whose ifindex is 'ifindex'.
 * Returns false if the command line has a word it does not know. */
static bool
vf_request_from_command(char *words[], size_t n, int ifindex,
                        struct esw_vf_request *request)
{
    struct esw_vf_config *c = &request->config;

    memset(request, 0, sizeof *request);
    request->ifindex = ifindex;
    if (n < 8 || strcmp(words[5], "vf")) {
        return false;
    }
    c->vf = atoi(words[6]);
    for (size_t i = 7; i + 1 < n; i += 2) {
        const char *key = words[i], *value = words[i + 1];

        if (!strcmp(key, "mac")) {
            c->set_mac = eth_addr_from_string(value, &c->mac);
        } else if (!strcmp(key, "vlan")) {
            c->set_vlan = true;
            c->vlan = atoi(value);
            c->vlan_proto = htons(ETH_P_8021Q);
        } else if (!strcmp(key, "qos")) {
            c->qos = atoi(value);
        } else if (!strcmp(key, "proto")) {
            c->vlan_proto = htons(!strcmp(value, "802.1ad") ? ETH_P_8021AD
                                  : ETH_P_8021Q);
        } else if (!strcmp(key, "rate")) {
            c->set_tx_rate = true;
            c->tx_rate = atoi(value);
        } else if (!strcmp(key, "min_tx_rate")) {
            c->set_rate = true;
            c->min_tx_rate = atoi(value);
        } else if (!strcmp(key, "max_tx_rate")) {
            c->set_rate = true;
            c->max_tx_rate = atoi(value);
        } else if (!strcmp(key, "spoofchk")) {
            c->set_spoofchk = true;
            c->spoofchk = on_off(value);
        } else if (!strcmp(key, "query_rss")) {
            c->set_rss_query_en = true;
            c->rss_query_en = on_off(value);
        } else if (!strcmp(key, "trust")) {
            c->set_trust = true;
            c->trust = on_off(value);
        } else if (!strcmp(key, "state")) {
            c->set_link_state = true;
            c->link_state = (!strcmp(value, "enable")
                             ? IFLA_VF_LINK_STATE_ENABLE
                             : !strcmp(value, "disable")
                             ? IFLA_VF_LINK_STATE_DISABLE
                             : IFLA_VF_LINK_STATE_AUTO);
        } else {
            return false;
        }
    }
    return true;
}

static void
check_vf_case(const struct oracle_case *c)
{
    struct esw_vf_request expected, decoded;
    char *words[64], *copy, *error_msg;
    uint64_t buf[1024];

    size_t n = split_command(c->command, &copy, words, ARRAY_SIZE(words));
    bool known = vf_request_from_command(words, n, value_number(c->ifindex),
                                         &expected);
    free(copy);
    CASE_CHECK(c, known, "command line understood");

    int error = esw_rtnl_link_decode_vf_request(case_nlh(c), &decoded,
                                                &error_msg);
    CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
    free(error_msg);
    if (error) {
        return;
    }
    CASE_CHECK(c, !memcmp(&decoded, &expected, sizeof decoded),
               "decoded as the command line says");

    error = esw_rtnl_link_encode_vf_request(buf, sizeof buf,
                                            case_nlh(c)->nlmsg_seq, &decoded);
    CASE_CHECK(c, !error, "re-encoded");
    if (!error) {
        CHECK_BYTES(c, buf, NULL);
    }
}

static void
check_link_show_case(const struct oracle_case *c)
{
    struct esw_link_request expected = {
        .family = AF_PACKET, .ext_mask = RTEXT_FILTER_VF,
    };
    struct esw_link_request decoded;
    char *words[8], *copy, *error_msg;
    uint64_t buf[128];

    /* "ip link show" dumps; "ip link show dev NAME" asks for NAME. */
    size_t n = split_command(c->command, &copy, words, ARRAY_SIZE(words));
    if (n == 5 && !strcmp(words[3], "dev")) {
        ovs_strlcpy(expected.name, words[4], sizeof expected.name);
    } else {
        CASE_CHECK(c, n == 3, "command line understood");
        expected.dump = true;
    }
    free(copy);

    int error = esw_rtnl_link_decode_request(case_nlh(c), &decoded,
                                             &error_msg);
    CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
    free(error_msg);
    if (error) {
        return;
    }
    CASE_CHECK(c, !memcmp(&decoded, &expected, sizeof decoded),
               "decoded as the command line says");

    error = esw_rtnl_link_encode_request(buf, sizeof buf,
                                         case_nlh(c)->nlmsg_seq, &decoded);
    CASE_CHECK(c, !error, "re-encoded");
    if (!error) {
        CHECK_BYTES(c, buf, NULL);
    }
}

static bool
is_request(const struct oracle_case *c, const char *prefix)
{
    return (!strcmp(c->message, "request")
            && !strncmp(c->command, prefix, strlen(prefix)));
}

static void
test_ip_link_set_vf(void)
{
    size_t n = 0;

    for (size_t i = 0; i < n_cases; i++) {
        if (is_request(&cases[i], "ip link set ")) {
            check_vf_case(&cases[i]);
            n++;
        }
    }
    CU_ASSERT(n >= 18);
}

static void
test_ip_link_show(void)
{
    size_t n = 0;

    for (size_t i = 0; i < n_cases; i++) {
        if (is_request(&cases[i], "ip link show")) {
            check_link_show_case(&cases[i]);
            n++;
        }
    }
    CU_ASSERT_EQUAL(n, 2);
}

/* devlink. */

/* Parses "BUS/DEV" or, if 'port_index' is nonnull, "BUS/DEV/PORT". */
static bool
parse_devlink_handle(const char *s, struct esw_devlink_handle *handle,
                     uint32_t *port_index)
{
    const char *slash = strchr(s, '/');
    const char *last = strrchr(s, '/');

    if (!slash || (port_index && last == slash)) {
        return false;
    }
    memset(handle, 0, sizeof *handle);
    ovs_strlcpy(handle->bus_name, s,
                MIN(sizeof handle->bus_name, slash - s + 1));
    if (port_index) {
        ovs_strlcpy(handle->dev_name, slash + 1,
                    MIN(sizeof handle->dev_name, last - slash));
        *port_index = atoi(last + 1);
    } else {
        ovs_strlcpy(handle->dev_name, slash + 1, sizeof handle->dev_name);
    }
    return true;
}

/* Returns the index of 'word' in 'names' (of 'n'), or -1. */
static int
name_index(const char *word, const char *const names[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(word, names[i])) {
            return i;
        }
    }
    return -1;
}

/* Fills 'r' as iproute2's devlink builds it from the command line in
 * 'words' (of 'n').  Returns false for a command line it does not know. */
static bool
devlink_request_from_command(char *words[], size_t n,
                             struct esw_devlink_request *r)
{
    static const char *const modes[] = { "legacy", "switchdev" };
    static const char *const inline_modes[] = { "none", "link", "network",
                                                "transport" };
    static const char *const encap_modes[] = { "none", "basic" };
    static const char *const states[] = { "inactive", "active" };

    memset(r, 0, sizeof *r);
    if (n >= 3 && !strcmp(words[1], "dev") && !strcmp(words[2], "show")) {
        r->cmd = DEVLINK_CMD_GET;
        r->dump = n == 3;
        return n == 3 || (n == 4 && parse_devlink_handle(words[3],
                                                         &r->handle, NULL));
    } else if (n >= 3 && !strcmp(words[1], "port")
               && !strcmp(words[2], "show")) {
        r->cmd = DEVLINK_CMD_PORT_GET;
        r->dump = n == 3;
        return n == 3 || (n == 4 && parse_devlink_handle(words[3],
                                                         &r->handle,
                                                         &r->port_index));
    } else if (n == 5 && !strcmp(words[1], "dev")
               && !strcmp(words[2], "eswitch") && !strcmp(words[3], "show")) {
        r->cmd = DEVLINK_CMD_ESWITCH_GET;
        return parse_devlink_handle(words[4], &r->handle, NULL);
    } else if (n >= 5 && !strcmp(words[1], "dev")
               && !strcmp(words[2], "eswitch") && !strcmp(words[3], "set")) {
        struct esw_devlink_eswitch *esw = &r->eswitch;

        r->cmd = DEVLINK_CMD_ESWITCH_SET;
        if (!parse_devlink_handle(words[4], &r->handle, NULL)) {
            return false;
        }
        esw->handle = r->handle;
        for (size_t i = 5; i + 1 < n; i += 2) {
            int mode;

            if (!strcmp(words[i], "mode")) {
                mode = name_index(words[i + 1], modes, ARRAY_SIZE(modes));
                esw->has_mode = true;
                esw->mode = mode;
            } else if (!strcmp(words[i], "inline-mode")) {
                mode = name_index(words[i + 1], inline_modes,
                                  ARRAY_SIZE(inline_modes));
                esw->has_inline_mode = true;
                esw->inline_mode = mode;
            } else if (!strcmp(words[i], "encap-mode")) {
                mode = name_index(words[i + 1], encap_modes,
                                  ARRAY_SIZE(encap_modes));
                esw->has_encap_mode = true;
                esw->encap_mode = mode;
            } else {
                return false;
            }
            if (mode < 0) {
                return false;
            }
        }
        return true;
    } else if (n >= 5 && !strcmp(words[1], "port")
               && !strcmp(words[2], "function") && !strcmp(words[3], "set")) {
        struct esw_devlink_port_fn *fn = &r->function;

        r->cmd = DEVLINK_CMD_PORT_SET;
        if (!parse_devlink_handle(words[4], &r->handle, &r->port_index)) {
            return false;
        }
        for (size_t i = 5; i + 1 < n; i += 2) {
            if (!strcmp(words[i], "hw_addr")) {
                fn->has_hw_addr = eth_addr_from_string(words[i + 1],
                                                       &fn->hw_addr);
            } else if (!strcmp(words[i], "state")) {
                int state = name_index(words[i + 1], states,
                                       ARRAY_SIZE(states));
                if (state < 0) {
                    return false;
                }
                fn->has_state = true;
                fn->state = state;
            } else {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* The offset of the genlmsghdr version byte, which iproute2 6.1 leaves at
 * 0 in devlink requests. */
#define GENL_VERSION_OFFSET (MNL_NLMSG_HDRLEN + 1)

static void
check_devlink_case(const struct oracle_case *c)
{
    uint16_t family = value_number(c->genl_family);
    struct esw_devlink_request expected, decoded;
    char *words[32], *copy, *error_msg;
    uint64_t buf[128];

    CASE_CHECK(c, c->genl_family && !strncmp(c->genl_family, "devlink=", 8),
               "the capture gives the devlink family ID");
    size_t n = split_command(c->command, &copy, words, ARRAY_SIZE(words));
    bool known = devlink_request_from_command(words, n, &expected);
    free(copy);
    CASE_CHECK(c, known, "command line understood");

    int error = esw_devlink_decode_request(case_nlh(c), family, &decoded,
                                           &error_msg);
    CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
    free(error_msg);
    if (error) {
        return;
    }
    CASE_CHECK(c, !memcmp(&decoded, &expected, sizeof decoded),
               "decoded as the command line says");

    error = esw_devlink_encode_request(buf, sizeof buf, family,
                                       case_nlh(c)->nlmsg_seq, &decoded);
    CASE_CHECK(c, !error, "re-encoded");
    if (!error) {
        const uint8_t *captured = (const uint8_t *) c->msg;
        const uint8_t *encoded = (const uint8_t *) buf;
        bool *skip = xzalloc(c->len);

        skip[GENL_VERSION_OFFSET] = true;
        mark_padding(captured + MNL_NLMSG_HDRLEN + GENL_HDRLEN,
                     c->len - MNL_NLMSG_HDRLEN - GENL_HDRLEN,
                     MNL_NLMSG_HDRLEN + GENL_HDRLEN, skip);
        CHECK_BYTES(c, buf, skip);
        free(skip);
        CASE_CHECK(c, (captured[GENL_VERSION_OFFSET] == 0
                       || captured[GENL_VERSION_OFFSET]
                          == DEVLINK_GENL_VERSION),
                   "iproute2's genlmsghdr version is 0 or 1");
        CASE_CHECK(c, encoded[GENL_VERSION_OFFSET] == DEVLINK_GENL_VERSION,
                   "our genlmsghdr version is DEVLINK_GENL_VERSION");
    }
}

/* The CTRL_CMD_GETFAMILY that every devlink command sends first. */
static void
check_getfamily_case(const struct oracle_case *c)
{
    struct esw_genl_ctrl_request decoded;
    char *error_msg;
    uint64_t buf[64];

    int error = esw_genl_ctrl_decode_request(case_nlh(c), &decoded,
                                             &error_msg);
    CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
    free(error_msg);
    if (error) {
        return;
    }
    CASE_CHECK(c, !strcmp(decoded.name, DEVLINK_GENL_NAME) && !decoded.id
                  && !decoded.dump,
               "asks for the devlink family by name");

    error = esw_genl_ctrl_encode_request(buf, sizeof buf,
                                         case_nlh(c)->nlmsg_seq, &decoded);
    CASE_CHECK(c, !error, "re-encoded");
    if (!error) {
        CHECK_BYTES(c, buf, NULL);
    }
}

static void
test_devlink(void)
{
    size_t n = 0, n_getfamily = 0;

    for (size_t i = 0; i < n_cases; i++) {
        const struct oracle_case *c = &cases[i];

        if (!is_request(c, "devlink ")) {
            continue;
        }
        if (case_nlh(c)->nlmsg_type == GENL_ID_CTRL) {
            check_getfamily_case(c);
            n_getfamily++;
        } else {
            check_devlink_case(c);
            n++;
        }
    }
    CU_ASSERT(n >= 11);
    CU_ASSERT_EQUAL(n_getfamily, 1);
}

/* Kernel replies. */

static void
test_kernel_nlctrl_reply(void)
{
    struct esw_genl_family *family = xmalloc(sizeof *family);
    uint64_t buf[256];
    size_t n = 0;

    for (size_t i = 0; i < n_cases; i++) {
        const struct oracle_case *c = &cases[i];
        const struct nlmsghdr *nlh = case_nlh(c);
        char *error_msg;

        if (strcmp(c->message, "reply") || strncmp(c->command, "genl ", 5)) {
            continue;
        }
        n++;

        int error = esw_genl_ctrl_decode_family(nlh, family, &error_msg);
        CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
        free(error_msg);
        if (error) {
            continue;
        }
        CASE_CHECK(c, (!strcmp(family->name, "nlctrl")
                       && family->id == GENL_ID_CTRL
                       && esw_genl_family_find_op(family, CTRL_CMD_GETFAMILY)
                       && esw_genl_family_find_mcgrp(family, "notify")),
                   "nlctrl, with CTRL_CMD_GETFAMILY and group \"notify\"");

        /* Every attribute of the kernel's reply is in the model: the reply
         * re-encodes byte for byte. */
        error = esw_genl_ctrl_encode_family(buf, sizeof buf, nlh->nlmsg_seq,
                                            nlh->nlmsg_pid,
                                            nlh->nlmsg_flags & NLM_F_MULTI,
                                            family);
        CASE_CHECK(c, !error, "re-encoded");
        if (!error) {
            CHECK_BYTES(c, buf, NULL);
        }
    }
    CU_ASSERT_EQUAL(n, 1);
    free(family);
}

/* Returns the IFF_* flag that "ip link" calls 'name', every flag it knows
 * for "ALL", or 0. */
static uint32_t
iff_flag(const char *name)
{
    static const struct {
        const char *name;
        uint32_t flag;
    } flags[] = {
        { "UP", IFF_UP }, { "BROADCAST", IFF_BROADCAST },
        { "DEBUG", IFF_DEBUG }, { "LOOPBACK", IFF_LOOPBACK },
        { "POINTOPOINT", IFF_POINTOPOINT }, { "NOTRAILERS", IFF_NOTRAILERS },
        { "NOARP", IFF_NOARP }, { "PROMISC", IFF_PROMISC },
        { "ALLMULTI", IFF_ALLMULTI }, { "MULTICAST", IFF_MULTICAST },
        { "DYNAMIC", IFF_DYNAMIC }, { "LOWER_UP", 1 << 16 },
        { "DORMANT", 1 << 17 },
    };

    uint32_t all = 0;

    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        if (!strcmp(name, flags[i].name)) {
            return flags[i].flag;
        }
        all |= flags[i].flag;
    }
    return !strcmp(name, "ALL") ? all : 0;
}

static void
check_link_reply_case(const struct oracle_case *c, struct esw_link *link)
{
    char *words[16], *copy, *error_msg;

    int error = esw_rtnl_link_decode_link(case_nlh(c), link, &error_msg);
    CASE_CHECK(c, !error, error_msg ? error_msg : "decoded");
    free(error_msg);
    if (error) {
        return;
    }
    CASE_CHECK(c, link->ifindex == value_number(c->ifindex),
               "ifindex as captured");
    CASE_CHECK(c, c->expect != NULL, "the capture says what to expect");

    size_t n = split_command(c->expect ? c->expect : "", &copy, words,
                             ARRAY_SIZE(words));
    for (size_t i = 0; i < n; i++) {
        char *value = strchr(words[i], '=');

        if (!value) {
            continue;
        }
        *value++ = '\0';
        if (!strcmp(words[i], "name")) {
            CASE_CHECK(c, !strcmp(link->name, value), "name as ip says");
        } else if (!strcmp(words[i], "mtu")) {
            CASE_CHECK(c, link->mtu == strtoul(value, NULL, 10),
                       "MTU as ip says");
        } else if (!strcmp(words[i], "mac")) {
            struct eth_addr mac;
            CASE_CHECK(c, (eth_addr_from_string(value, &mac)
                           && link->has_mac && eth_addr_equals(mac,
                                                               link->mac)),
                       "MAC as ip says");
        } else if (!strcmp(words[i], "state")) {
            static const char *const states[] = {
                "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
                "TESTING", "DORMANT", "UP",
            };
            CASE_CHECK(c, (link->operstate < ARRAY_SIZE(states)
                           && !strcmp(states[link->operstate], value)),
                       "operational state as ip says");
        } else if (!strcmp(words[i], "flags")) {
            /* "<BROADCAST,MULTICAST,M-DOWN>": M-DOWN and the like are not
             * flags of the link itself. */
            uint32_t expected = 0;
            char *save_ptr = NULL;

            for (char *f = strtok_r(value, "<,>", &save_ptr); f;
                 f = strtok_r(NULL, "<,>", &save_ptr)) {
                expected |= iff_flag(f);
            }
            CASE_CHECK(c, (link->flags & iff_flag("ALL")) == expected,
                       "flags as ip says");
        }
    }
    free(copy);
}

static void
test_kernel_link_reply(void)
{
    struct esw_link *link = xmalloc(sizeof *link);
    size_t n = 0;

    for (size_t i = 0; i < n_cases; i++) {
        const struct oracle_case *c = &cases[i];

        if (!strcmp(c->message, "reply")
            && !strncmp(c->command, "ip link show", 12)) {
            check_link_reply_case(c, link);
            n++;
        }
    }
    CU_ASSERT_EQUAL(n, 1);
    free(link);
}

static void
test_every_case_is_there(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(expected_cases); i++) {
        struct oracle_case key = { .name = CONST_CAST(char *,
                                                      expected_cases[i]) };

        if (!bsearch(&key, cases, n_cases, sizeof *cases, compare_cases)) {
            fprintf(stderr, "\n%s: missing from tests/data/link\n",
                    expected_cases[i]);
            CU_FAIL("captured case missing");
        }
    }
    CU_ASSERT_EQUAL(n_cases, ARRAY_SIZE(expected_cases));
}

CU_pSuite
test_link_oracle_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
        { "every captured case is there", test_every_case_is_there },
        { "ip link set ... vf ...", test_ip_link_set_vf },
        { "ip link show", test_ip_link_show },
        { "devlink", test_devlink },
        { "kernel nlctrl reply", test_kernel_nlctrl_reply },
        { "kernel RTM_NEWLINK reply", test_kernel_link_reply },
    };
    CU_pSuite suite = CU_add_suite("link-oracle", suite_init, suite_clean);

    if (!suite) {
        return NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
        if (!CU_add_test(suite, tests[i].name, tests[i].func)) {
            return NULL;
        }
    }
    return suite;
}
