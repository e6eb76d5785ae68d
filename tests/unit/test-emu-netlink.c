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

/* sriov-nic-emu's netlink servers (emu-netlink.c) with their NETLINK_ROUTE
 * (emu-rtnl.c) and NETLINK_GENERIC (emu-genl.c) handlers, over real unix
 * sockets: a client in this process sends requests encoded by the codecs,
 * runs the server until the answer is there, and decodes it with the
 * codecs.  No daemon, no sleep: the server runs when the test calls
 * emu_nl_server_run(), a bounded number of times. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_mirred.h>

#include "devlink-codec.h"
#include "emu-flow-table.h"
#include "emu-genl.h"
#include "emu-netlink.h"
#include "emu-nic.h"
#include "emu-rtnl.h"
#include "esw-flower.h"
#include "esw-netlink.h"
#include "esw-unittest.h"
#include "genl-ctrl-codec.h"
#include "nl-extack.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "socket-util.h"
#include "tc-flower-codec.h"
#include "util.h"

/* The NIC most tests use: 4 VFs enabled out of 8, switchdev mode. */
#define NIC_NAME "pci/0000:03:00.0"
#define NIC_SPEC NIC_NAME ",vfs=4,mode=switchdev,pf=enp3s0f0"

/* How many times a client runs the server while waiting for one
 * datagram.  The server answers at once: this only bounds a failure. */
#define MAX_RUNS 100

/* Largest datagram the server sends (a non-dump reply). */
#define MAX_DATAGRAM 65536

/* A buffer for requests, aligned for netlink: room for a batch. */
union msg_buf {
    struct nlmsghdr nlh;
    uint8_t bytes[MAX_DATAGRAM];
};

/* A client connected to one server. */
struct client {
    struct emu_nl_server *server;
    int fd;
    uint32_t seq;
};

/* Messages a client received: whole datagrams, one after another, each
 * padded to netlink alignment, then an index of the messages. */
struct replies {
    struct ofpbuf buf;
    size_t n_datagrams;
    const struct nlmsghdr **msgs;
    size_t n;
};

/* What every test works with: a NIC, both servers, a client of each. */
struct fixture {
    char dir[32];
    char *rtnl_path;
    char *genl_path;
    struct emu_nic *nic;
    struct client rtnl;
    struct client genl;
    uint16_t devlink_id;        /* Resolved with CTRL_CMD_GETFAMILY. */
};

static union msg_buf request_buf;
static union msg_buf rx_buf;

/* Clients. */

static void
client_open(struct client *c, const char *path, int protocol,
            emu_nl_handler *handler)
{
    memset(c, 0, sizeof *c);
    c->fd = -1;
    c->seq = 1;
    CU_ASSERT_EQUAL_FATAL(emu_nl_server_open(path, protocol, handler, NULL,
                                             &c->server), 0);
    c->fd = make_unix_socket(SOCK_SEQPACKET, false, NULL, path);
    CU_ASSERT_FATAL(c->fd >= 0);
}

static void
client_close(struct client *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    emu_nl_server_close(c->server);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

/* Sends the 'size' bytes at 'data' as one datagram. */
static void
client_send(struct client *c, const void *data, size_t size)
{
    CU_ASSERT_EQUAL_FATAL(send(c->fd, data, size, 0), size);
}

/* Runs the server until a datagram is there for 'c' and receives it into
 * 'rx_buf'.  Returns its size, or 0 if none came. */
static size_t
client_recv(struct client *c)
{
    for (int i = 0; i < MAX_RUNS; i++) {
        emu_nl_server_run(c->server);

        ssize_t n = recv(c->fd, rx_buf.bytes, sizeof rx_buf.bytes,
                         MSG_DONTWAIT);
        if (n > 0) {
            return n;
        } else if (n == 0 || errno != EAGAIN) {
            return 0;
        }
    }
    return 0;
}

static void
replies_init(struct replies *r)
{
    memset(r, 0, sizeof *r);
    ofpbuf_init(&r->buf, 0);
}

static void
replies_uninit(struct replies *r)
{
    ofpbuf_uninit(&r->buf);
    free(r->msgs);
    r->msgs = NULL;
    r->n = 0;
}

/* Indexes the messages in 'r->buf', checking that each is whole. */
static void
replies_index(struct replies *r)
{
    const struct nlmsghdr *nlh = r->buf.data;
    int left = r->buf.size;
    size_t allocated = 0;

    r->n = 0;
    while (mnl_nlmsg_ok(nlh, left)) {
        if (r->n >= allocated) {
            r->msgs = x2nrealloc(r->msgs, &allocated, sizeof *r->msgs);
        }
        r->msgs[r->n++] = nlh;
        nlh = mnl_nlmsg_next(nlh, &left);
    }
    CU_ASSERT_EQUAL(left, 0);
}

/* Receives datagrams from 'c' into 'r' until 'n_ends' messages that end an
 * answer (NLMSG_ERROR, NLMSG_DONE) have come, then indexes the messages.
 * Returns true if they all came. */
static bool
client_collect(struct client *c, size_t n_ends, struct replies *r)
{
    size_t ends = 0;

    replies_init(r);
    while (ends < n_ends) {
        size_t size = client_recv(c);
        if (!size) {
            break;
        }
        r->n_datagrams++;

        const struct nlmsghdr *nlh = &rx_buf.nlh;
        int left = size;
        while (mnl_nlmsg_ok(nlh, left)) {
            if (nlh->nlmsg_type == NLMSG_ERROR
                || nlh->nlmsg_type == NLMSG_DONE) {
                ends++;
            }
            nlh = mnl_nlmsg_next(nlh, &left);
        }
        ofpbuf_put(&r->buf, rx_buf.bytes, size);
        ofpbuf_put_zeros(&r->buf, NLMSG_ALIGN(size) - size);
    }
    replies_index(r);
    return ends == n_ends;
}

/* Sends the message in 'request_buf' and collects its answer, which ends
 * with one NLMSG_ERROR or NLMSG_DONE, into 'r'. */
static void
transact(struct client *c, struct replies *r)
{
    client_send(c, request_buf.bytes, request_buf.nlh.nlmsg_len);
    CU_ASSERT_FATAL(client_collect(c, 1, r));
}

/* Checks that 'nlh' is NLMSG_ERROR with 'error' (0: an ACK) for 'seq' and,
 * for an error, a message that contains 'text'. */
static void
check_error(const struct nlmsghdr *nlh, int error, uint32_t seq,
            const char *text)
{
    int got_error;
    uint32_t got_seq;
    char *msg;

    CU_ASSERT_EQUAL_FATAL(nlh->nlmsg_type, NLMSG_ERROR);
    CU_ASSERT_EQUAL_FATAL(nl_extack_decode(nlh, nlh->nlmsg_len, &got_error,
                                           &got_seq, &msg), 0);
    CU_ASSERT_EQUAL(got_error, error);
    CU_ASSERT_EQUAL(got_seq, seq);
    if (error) {
        CU_ASSERT_PTR_NOT_NULL(msg);
        if (msg && !strstr(msg, text)) {
            fprintf(stderr, "extack \"%s\" lacks \"%s\"\n", msg, text);
            CU_FAIL("extack message does not say what is wrong");
        }
    } else {
        CU_ASSERT_PTR_NULL(msg);
    }
    free(msg);
}

/* Checks that 'r' is exactly one NLMSG_ERROR as check_error() says. */
static void
check_only_error(const struct replies *r, int error, uint32_t seq,
                 const char *text)
{
    CU_ASSERT_EQUAL_FATAL(r->n, 1);
    check_error(r->msgs[0], error, seq, text);
}

/* Checks that 'nlh' is NLMSG_DONE of a successful dump. */
static void
check_done(const struct nlmsghdr *nlh)
{
    CU_ASSERT_EQUAL_FATAL(nlh->nlmsg_type, NLMSG_DONE);
    CU_ASSERT_EQUAL_FATAL(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(int));
    CU_ASSERT_EQUAL(*(const int *) NLMSG_DATA(nlh), 0);
}

/* Fixture. */

static uint16_t resolve_family(struct client *, const char *name);

/* Creates the NIC 'spec', both servers in a new temporary directory, and
 * a client of each, and resolves the devlink family. */
static void
fixture_init(struct fixture *f, const char *spec)
{
    char *err = NULL;

    memset(f, 0, sizeof *f);
    f->rtnl.fd = f->genl.fd = -1;
    emu_nic_destroy_all();      /* In case a failed test left some. */

    ovs_strlcpy(f->dir, "/tmp/emu-netlink-XXXXXX", sizeof f->dir);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(f->dir));
    f->rtnl_path = xasprintf("%s/rtnl", f->dir);
    f->genl_path = xasprintf("%s/genl", f->dir);

    CU_ASSERT_EQUAL_FATAL(emu_nic_create(spec, &f->nic, &err), 0);
    CU_ASSERT_PTR_NULL(err);
    client_open(&f->rtnl, f->rtnl_path, NETLINK_ROUTE, emu_rtnl_handle);
    client_open(&f->genl, f->genl_path, NETLINK_GENERIC, emu_genl_handle);
    f->devlink_id = resolve_family(&f->genl, DEVLINK_GENL_NAME);
    CU_ASSERT_FATAL(f->devlink_id >= GENL_MIN_ID);
}

static void
fixture_destroy(struct fixture *f)
{
    client_close(&f->rtnl);
    client_close(&f->genl);
    emu_nic_destroy_all();
    CU_ASSERT_EQUAL(rmdir(f->dir), 0);
    free(f->rtnl_path);
    free(f->genl_path);
}

/* Links. */

/* Dumps the links that 'f''s rtnetlink server reports, with 'ext_mask',
 * into the 'max' elements of 'links'.  Returns how many there are. */
static size_t
dump_links(struct fixture *f, uint32_t ext_mask, struct esw_link *links,
           size_t max)
{
    struct esw_link_request req = {
        .dump = true,
        .ext_mask = ext_mask,
    };
    struct replies r;
    size_t n = 0;

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              f->rtnl.seq++, &req), 0);
    transact(&f->rtnl, &r);
    CU_ASSERT_FATAL(r.n >= 1);
    for (size_t i = 0; i + 1 < r.n; i++) {
        char *err = NULL;

        CU_ASSERT_EQUAL(r.msgs[i]->nlmsg_type, RTM_NEWLINK);
        CU_ASSERT(r.msgs[i]->nlmsg_flags & NLM_F_MULTI);
        CU_ASSERT_FATAL(n < max);
        CU_ASSERT_EQUAL(esw_rtnl_link_decode_link(r.msgs[i], &links[n],
                                                  &err), 0);
        CU_ASSERT_PTR_NULL(err);
        free(err);
        n++;
    }
    check_done(r.msgs[r.n - 1]);
    replies_uninit(&r);
    return n;
}

static void
test_getlink_dump(void)
{
    struct esw_link *links = xmalloc(8 * sizeof *links);
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    size_t n = dump_links(&f, 0, links, 8);
    CU_ASSERT_EQUAL_FATAL(n, 5);

    /* The PF first, then pf0vf0...pf0vf3's representors. */
    CU_ASSERT_STRING_EQUAL(links[0].name, "enp3s0f0");
    CU_ASSERT_STRING_EQUAL(links[0].phys_port_name, "p0");
    CU_ASSERT_STRING_EQUAL(links[0].parent_bus_name, "pci");
    CU_ASSERT_STRING_EQUAL(links[0].parent_dev_name, "0000:03:00.0");
    CU_ASSERT_EQUAL(links[0].ifindex, f.nic->uplink.rep_ifindex);
    for (int vf = 0; vf < 4; vf++) {
        const struct esw_link *link = &links[vf + 1];
        char name[IFNAMSIZ], port_name[IFNAMSIZ];

        snprintf(name, sizeof name, "enp3s0f0_%d", vf);
        snprintf(port_name, sizeof port_name, "pf0vf%d", vf);
        CU_ASSERT_STRING_EQUAL(link->name, name);
        CU_ASSERT_STRING_EQUAL(link->phys_port_name, port_name);
        CU_ASSERT_EQUAL(link->ifindex, f.nic->vfs[vf].rep_ifindex);
        CU_ASSERT_FALSE(link->has_num_vf);
    }
    for (size_t i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(links[i].phys_switch_id.len, f.nic->switch_id.len);
        CU_ASSERT_EQUAL(memcmp(links[i].phys_switch_id.id,
                               f.nic->switch_id.id, f.nic->switch_id.len),
                        0);
    }

    fixture_destroy(&f);
    free(links);
}

/* Sends "ip link set dev PF vf VF mac MAC vlan VLAN" for 'f''s PF, or for
 * the device 'ifindex' if nonzero, and checks the answer. */
static void
set_vf(struct fixture *f, int ifindex, uint32_t vf, struct eth_addr mac,
       uint16_t vlan, int error, const char *text)
{
    struct esw_vf_request req = {
        .ifindex = ifindex ? ifindex : f->nic->uplink.rep_ifindex,
        .config = {
            .vf = vf,
            .set_mac = true,
            .mac = mac,
            .set_vlan = true,
            .vlan = vlan,
            .vlan_proto = htons(ETH_P_8021Q),
        },
    };
    uint32_t seq = f->rtnl.seq++;
    struct replies r;

    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_vf_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              seq, &req), 0);
    transact(&f->rtnl, &r);
    check_only_error(&r, error, seq, text);
    replies_uninit(&r);
}

static void
test_vf_config(void)
{
    const struct eth_addr mac = ETH_ADDR_C(02, 00, 00, 00, 00, 22);
    struct esw_link *links = xmalloc(8 * sizeof *links);
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    set_vf(&f, 0, 2, mac, 100, 0, NULL);
    CU_ASSERT(eth_addr_equals(f.nic->vfs[2].vf_info.mac, mac));
    CU_ASSERT_EQUAL(f.nic->vfs[2].vf_info.vlan, 100);

    /* The PF reports it to a dump with RTEXT_FILTER_VF. */
    size_t n = dump_links(&f, RTEXT_FILTER_VF, links, 8);
    CU_ASSERT_EQUAL_FATAL(n, 5);
    CU_ASSERT(links[0].has_num_vf);
    CU_ASSERT_EQUAL(links[0].num_vf, 4);
    CU_ASSERT_FATAL(links[0].has_vfinfo_list);
    CU_ASSERT_EQUAL_FATAL(links[0].n_vfs, 4);
    CU_ASSERT_EQUAL(links[0].vfs[2].vf, 2);
    CU_ASSERT(eth_addr_equals(links[0].vfs[2].mac, mac));
    CU_ASSERT_EQUAL(links[0].vfs[2].vlan, 100);
    CU_ASSERT(eth_addr_is_zero(links[0].vfs[1].mac));
    CU_ASSERT_EQUAL(links[0].vfs[1].vlan, 0);

    /* A VF that is not enabled, and a representor instead of the PF. */
    set_vf(&f, 0, 6, mac, 0, EINVAL, "VF 6 does not exist");
    set_vf(&f, f.nic->vfs[0].rep_ifindex, 0, mac, 0, EOPNOTSUPP,
           "not a PF");
    CU_ASSERT(eth_addr_is_zero(f.nic->vfs[0].vf_info.mac));

    fixture_destroy(&f);
    free(links);
}

/* Generic netlink control. */

/* Sends CTRL_CMD_GETFAMILY for 'name' or, if 'name' is NULL, 'id', into
 * 'r'. */
static uint32_t
get_family(struct client *c, const char *name, uint16_t id,
           struct replies *r)
{
    struct esw_genl_ctrl_request req = { .id = name ? 0 : id };
    uint32_t seq = c->seq++;

    if (name) {
        ovs_strlcpy(req.name, name, sizeof req.name);
    }
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              seq, &req), 0);
    transact(c, r);
    return seq;
}

/* Resolves family 'name' as iproute2 does, and returns its ID, or 0. */
static uint16_t
resolve_family(struct client *c, const char *name)
{
    struct esw_genl_family *family = xmalloc(sizeof *family);
    struct replies r;
    uint16_t id = 0;

    uint32_t seq = get_family(c, name, 0, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    if (!esw_genl_ctrl_decode_family(r.msgs[0], family, NULL)) {
        id = family->id;
    }
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);
    free(family);
    return id;
}

static void
test_genl_family(void)
{
    struct esw_genl_family *family = xmalloc(sizeof *family);
    struct replies r;
    struct fixture f;
    char *err = NULL;

    fixture_init(&f, NIC_SPEC);

    /* devlink by name: the reply and then the ACK that NLM_F_ACK asks. */
    uint32_t seq = get_family(&f.genl, DEVLINK_GENL_NAME, 0, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.msgs[0]->nlmsg_seq, seq);
    CU_ASSERT_EQUAL(r.msgs[0]->nlmsg_flags & NLM_F_MULTI, 0);
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_decode_family(r.msgs[0], family,
                                                      &err), 0);
    CU_ASSERT_STRING_EQUAL(family->name, "devlink");
    CU_ASSERT_EQUAL(family->id, EMU_GENL_DEVLINK_ID);
    CU_ASSERT_EQUAL(family->id, f.devlink_id);
    CU_ASSERT_EQUAL(family->version, DEVLINK_GENL_VERSION);
    CU_ASSERT_EQUAL(family->hdrsize, 0);
    CU_ASSERT_EQUAL(family->maxattr, DEVLINK_ATTR_MAX);
    const struct esw_genl_mcgrp *grp
        = esw_genl_family_find_mcgrp(family, DEVLINK_GENL_MCGRP_CONFIG_NAME);
    CU_ASSERT_PTR_NOT_NULL_FATAL(grp);
    CU_ASSERT_EQUAL(grp->id, EMU_GENL_DEVLINK_MCGRP_CONFIG_ID);
    const struct esw_genl_op *op
        = esw_genl_family_find_op(family, DEVLINK_CMD_PORT_GET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(op);
    CU_ASSERT_EQUAL(op->flags & (GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP),
                    GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP);
    CU_ASSERT_PTR_NOT_NULL(esw_genl_family_find_op(family,
                                                   DEVLINK_CMD_PORT_SET));
    CU_ASSERT_PTR_NULL(esw_genl_family_find_op(family, DEVLINK_CMD_SB_GET));
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);

    /* By ID, and nlctrl itself. */
    get_family(&f.genl, NULL, f.devlink_id, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_family(r.msgs[0], family, NULL), 0);
    CU_ASSERT_STRING_EQUAL(family->name, "devlink");
    replies_uninit(&r);
    CU_ASSERT_EQUAL(resolve_family(&f.genl, "nlctrl"), GENL_ID_CTRL);

    /* Unknown families. */
    seq = get_family(&f.genl, "ovs_datapath", 0, &r);
    check_only_error(&r, ENOENT, seq, "\"ovs_datapath\" not found");
    replies_uninit(&r);
    seq = get_family(&f.genl, NULL, 0x77, &r);
    check_only_error(&r, ENOENT, seq, "0x77");
    replies_uninit(&r);

    /* A dump: both families, then NLMSG_DONE. */
    struct esw_genl_ctrl_request dump = { .dump = true };
    CU_ASSERT_EQUAL_FATAL(esw_genl_ctrl_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              f.genl.seq++, &dump), 0);
    transact(&f.genl, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    CU_ASSERT(r.msgs[0]->nlmsg_flags & NLM_F_MULTI);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_family(r.msgs[0], family, NULL), 0);
    CU_ASSERT_STRING_EQUAL(family->name, "nlctrl");
    CU_ASSERT_EQUAL(family->id, GENL_ID_CTRL);
    CU_ASSERT_PTR_NOT_NULL(esw_genl_family_find_mcgrp(family, "notify"));
    CU_ASSERT(r.msgs[1]->nlmsg_flags & NLM_F_MULTI);
    CU_ASSERT_EQUAL(esw_genl_ctrl_decode_family(r.msgs[1], family, NULL), 0);
    CU_ASSERT_STRING_EQUAL(family->name, "devlink");
    check_done(r.msgs[2]);
    replies_uninit(&r);

    fixture_destroy(&f);
    free(family);
    free(err);
}

/* devlink. */

/* Sends devlink request 'req' and collects its answer into 'r'.  Returns
 * the request's sequence number. */
static uint32_t
devlink_transact(struct fixture *f, const struct esw_devlink_request *req,
                 struct replies *r)
{
    uint32_t seq = f->genl.seq++;

    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              f->devlink_id, seq, req), 0);
    transact(&f->genl, r);
    return seq;
}

/* Sends devlink request 'req' and checks that its answer is just the
 * NLMSG_ERROR that check_error() describes. */
static void
devlink_expect(struct fixture *f, const struct esw_devlink_request *req,
               int error, const char *text)
{
    struct replies r;

    uint32_t seq = devlink_transact(f, req, &r);
    check_only_error(&r, error, seq, text);
    replies_uninit(&r);
}

static void
handle_of(const char *name, struct esw_devlink_handle *handle)
{
    const char *slash = strchr(name, '/');

    memset(handle, 0, sizeof *handle);
    memcpy(handle->bus_name, name, slash - name);
    ovs_strlcpy(handle->dev_name, slash + 1, sizeof handle->dev_name);
}

static void
test_devlink_dev(void)
{
    struct esw_devlink_request req = { .cmd = DEVLINK_CMD_GET };
    struct esw_devlink_dev dev;
    struct emu_nic *nic2;
    struct replies r;
    struct fixture f;
    char *err;

    fixture_init(&f, NIC_SPEC);
    CU_ASSERT_EQUAL_FATAL(emu_nic_create("pci/0000:81:00.1,vfs=2", &nic2,
                                         &err), 0);

    /* A dump: both NICs, in creation order. */
    req.dump = true;
    devlink_transact(&f, &req, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    CU_ASSERT(r.msgs[0]->nlmsg_flags & NLM_F_MULTI);
    CU_ASSERT_EQUAL(esw_devlink_decode_dev(r.msgs[0], f.devlink_id, &dev,
                                           NULL), 0);
    CU_ASSERT_STRING_EQUAL(dev.handle.bus_name, "pci");
    CU_ASSERT_STRING_EQUAL(dev.handle.dev_name, "0000:03:00.0");
    CU_ASSERT_EQUAL(esw_devlink_decode_dev(r.msgs[1], f.devlink_id, &dev,
                                           NULL), 0);
    CU_ASSERT_STRING_EQUAL(dev.handle.dev_name, "0000:81:00.1");
    check_done(r.msgs[2]);
    replies_uninit(&r);

    /* One by handle. */
    req.dump = false;
    handle_of("pci/0000:81:00.1", &req.handle);
    uint32_t seq = devlink_transact(&f, &req, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.msgs[0]->nlmsg_flags & NLM_F_MULTI, 0);
    CU_ASSERT_EQUAL(esw_devlink_decode_dev(r.msgs[0], f.devlink_id, &dev,
                                           NULL), 0);
    CU_ASSERT_STRING_EQUAL(dev.handle.dev_name, "0000:81:00.1");
    CU_ASSERT_FALSE(dev.reload_failed);
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);

    /* An unknown device. */
    handle_of("pci/0000:99:00.0", &req.handle);
    devlink_expect(&f, &req, ENODEV, "Cannot find device "
                   "\"pci/0000:99:00.0\"");

    fixture_destroy(&f);
}

/* Dumps every devlink port into the 'max' elements of 'ports' and returns
 * how many there are. */
static size_t
dump_ports(struct fixture *f, struct esw_devlink_port *ports, size_t max)
{
    struct esw_devlink_request req = {
        .cmd = DEVLINK_CMD_PORT_GET,
        .dump = true,
    };
    struct replies r;
    size_t n = 0;

    devlink_transact(f, &req, &r);
    CU_ASSERT_FATAL(r.n >= 1);
    for (size_t i = 0; i + 1 < r.n; i++) {
        char *err = NULL;

        CU_ASSERT_FATAL(n < max);
        CU_ASSERT(r.msgs[i]->nlmsg_flags & NLM_F_MULTI);
        CU_ASSERT_EQUAL(esw_devlink_decode_port(r.msgs[i], f->devlink_id,
                                                &ports[n], &err), 0);
        CU_ASSERT_PTR_NULL(err);
        free(err);
        n++;
    }
    check_done(r.msgs[r.n - 1]);
    replies_uninit(&r);
    return n;
}

static void
check_vf_port(const struct fixture *f, const struct esw_devlink_port *port,
              uint16_t vf)
{
    const struct emu_vport *vport = &f->nic->vfs[vf];

    CU_ASSERT_STRING_EQUAL(port->handle.dev_name, "0000:03:00.0");
    CU_ASSERT_EQUAL(port->index, EMU_GENL_PORT_VF(vf));
    CU_ASSERT_EQUAL(port->index, vf + 1);
    CU_ASSERT_EQUAL(port->type, DEVLINK_PORT_TYPE_ETH);
    CU_ASSERT(port->has_flavour);
    CU_ASSERT_EQUAL(port->flavour, DEVLINK_PORT_FLAVOUR_PCI_VF);
    CU_ASSERT_EQUAL(port->pf_number, 0);
    CU_ASSERT_EQUAL(port->vf_number, vf);
    CU_ASSERT_FALSE(port->external);
    CU_ASSERT_EQUAL(port->netdev_ifindex, vport->rep_ifindex);
    CU_ASSERT_STRING_EQUAL(port->netdev_name, vport->rep_name);
    CU_ASSERT(port->function.has_hw_addr);
    CU_ASSERT(eth_addr_equals(port->function.hw_addr, vport->vf_info.mac));
    CU_ASSERT(port->function.has_state);
    CU_ASSERT_EQUAL(port->function.state, vport->fn_state);
    CU_ASSERT(port->function.has_opstate);
    CU_ASSERT_EQUAL(port->function.opstate,
                    DEVLINK_PORT_FN_OPSTATE_DETACHED);
}

static void
test_devlink_ports(void)
{
    struct esw_devlink_port *ports = xmalloc(16 * sizeof *ports);
    struct emu_nic *nic2;
    struct fixture f;
    char *err;

    fixture_init(&f, NIC_SPEC);
    CU_ASSERT_EQUAL_FATAL(emu_nic_create("pci/0000:81:00.1,vfs=2,pf=eth9",
                                         &nic2, &err), 0);

    /* Switchdev: the PF port, 4 VF ports, the uplink; then the legacy
     * NIC's uplink alone. */
    size_t n = dump_ports(&f, ports, 16);
    CU_ASSERT_EQUAL_FATAL(n, 7);

    CU_ASSERT_EQUAL(ports[0].index, EMU_GENL_PORT_PF);
    CU_ASSERT_EQUAL(ports[0].flavour, DEVLINK_PORT_FLAVOUR_PCI_PF);
    CU_ASSERT_EQUAL(ports[0].pf_number, 0);
    CU_ASSERT_EQUAL(ports[0].netdev_ifindex, 0);
    for (uint16_t vf = 0; vf < 4; vf++) {
        check_vf_port(&f, &ports[vf + 1], vf);
    }
    CU_ASSERT_EQUAL(ports[5].index, EMU_GENL_PORT_UPLINK);
    CU_ASSERT_EQUAL(ports[5].flavour, DEVLINK_PORT_FLAVOUR_PHYSICAL);
    CU_ASSERT_EQUAL(ports[5].port_number, 0);
    CU_ASSERT_EQUAL(ports[5].netdev_ifindex, f.nic->uplink.rep_ifindex);
    CU_ASSERT_STRING_EQUAL(ports[5].netdev_name, "enp3s0f0");
    CU_ASSERT_FALSE(ports[5].function.has_hw_addr);
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_STRING_EQUAL(ports[i].handle.bus_name, "pci");
        CU_ASSERT_STRING_EQUAL(ports[i].handle.dev_name, "0000:03:00.0");
    }
    CU_ASSERT_STRING_EQUAL(ports[6].handle.dev_name, "0000:81:00.1");
    CU_ASSERT_EQUAL(ports[6].index, EMU_GENL_PORT_UPLINK);
    CU_ASSERT_EQUAL(ports[6].flavour, DEVLINK_PORT_FLAVOUR_PHYSICAL);
    CU_ASSERT_STRING_EQUAL(ports[6].netdev_name, "eth9");

    /* One port. */
    struct esw_devlink_request req = {
        .cmd = DEVLINK_CMD_PORT_GET,
        .port_index = EMU_GENL_PORT_VF(2),
    };
    struct replies r;
    handle_of(NIC_NAME, &req.handle);
    uint32_t seq = devlink_transact(&f, &req, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(esw_devlink_decode_port(r.msgs[0], f.devlink_id,
                                            &ports[0], NULL), 0);
    check_vf_port(&f, &ports[0], 2);
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);

    /* VF 4 is not enabled; the legacy NIC has no VF port; no port 0x20. */
    req.port_index = EMU_GENL_PORT_VF(4);
    devlink_expect(&f, &req, ENODEV, "has no port 5");
    req.port_index = 0x20;
    devlink_expect(&f, &req, ENODEV, "has no port 32");
    handle_of("pci/0000:81:00.1", &req.handle);
    req.port_index = EMU_GENL_PORT_VF(0);
    devlink_expect(&f, &req, ENODEV, "legacy mode");
    handle_of("pci/0000:82:00.0", &req.handle);
    devlink_expect(&f, &req, ENODEV, "Cannot find device");

    fixture_destroy(&f);
    free(ports);
}

static void
get_eswitch(struct fixture *f, struct esw_devlink_eswitch *esw)
{
    struct esw_devlink_request req = { .cmd = DEVLINK_CMD_ESWITCH_GET };
    struct replies r;

    handle_of(NIC_NAME, &req.handle);
    uint32_t seq = devlink_transact(f, &req, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(esw_devlink_decode_eswitch(r.msgs[0], f->devlink_id, esw,
                                               NULL), 0);
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);
}

/* Adds an ingress qdisc to 'ifindex', expecting an ACK. */
static void
add_qdisc(struct fixture *f, int ifindex)
{
    uint32_t seq = f->rtnl.seq++;
    struct replies r;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_qdisc_encode(request_buf.bytes,
                                          sizeof request_buf.bytes, true,
                                          ifindex, TC_QDISC_INGRESS, seq,
                                          &len), 0);
    transact(&f->rtnl, &r);
    check_only_error(&r, 0, seq, NULL);
    replies_uninit(&r);
}

/* Returns a flower filter on the ingress of 'from' that redirects IPv4
 * packets to 'dst' to 'to', with 'handle' (0: let the NIC choose). */
static struct esw_flower_rule *
redirect_rule(int from, int to, uint32_t handle, uint32_t dst)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);

    esw_flower_rule_init(rule);
    rule->ifindex = from;
    rule->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    rule->prio = 1;
    rule->protocol = htons(ETH_P_IP);
    rule->handle = handle;
    rule->flags = TCA_CLS_FLAGS_SKIP_SW;
    rule->key.eth_type = htons(ETH_P_IP);
    rule->mask.eth_type = OVS_BE16_MAX;
    rule->key.ipv4_dst = htonl(dst);
    rule->mask.ipv4_dst = OVS_BE32_MAX;

    struct esw_flower_action *a = &rule->actions[rule->n_actions++];
    a->type = ESW_FLOWER_ACT_MIRRED;
    a->control = TC_ACT_STOLEN;
    a->mirred.eaction = TCA_EGRESS_REDIR;
    a->mirred.ifindex = to;
    return rule;
}

/* Encodes "tc filter add" (with 'nlm_flags') of 'rule' with 'seq' at the
 * end of 'buf', which holds 'size' bytes, and returns the new size. */
static size_t
append_filter_add(union msg_buf *buf, size_t size,
                  const struct esw_flower_rule *rule, uint16_t nlm_flags,
                  uint32_t seq)
{
    size_t ofs = NLMSG_ALIGN(size);
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_new(&buf->bytes[ofs],
                                               sizeof buf->bytes - ofs, rule,
                                               nlm_flags, seq, &len), 0);
    return ofs + len;
}

/* Sends "tc filter add" of 'rule' and checks the answer. */
static void
add_filter(struct fixture *f, const struct esw_flower_rule *rule,
           int error, const char *text)
{
    uint32_t seq = f->rtnl.seq++;
    struct replies r;

    append_filter_add(&request_buf, 0, rule, NLM_F_CREATE | NLM_F_EXCL, seq);
    transact(&f->rtnl, &r);
    check_only_error(&r, error, seq, text);
    replies_uninit(&r);
}

static void
test_devlink_eswitch(void)
{
    struct esw_link *links = xmalloc(8 * sizeof *links);
    struct esw_devlink_port *ports = xmalloc(8 * sizeof *ports);
    struct esw_devlink_eswitch esw;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    get_eswitch(&f, &esw);
    CU_ASSERT_STRING_EQUAL(esw.handle.dev_name, "0000:03:00.0");
    CU_ASSERT(esw.has_mode);
    CU_ASSERT_EQUAL(esw.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    CU_ASSERT(esw.has_inline_mode);
    CU_ASSERT_EQUAL(esw.inline_mode, DEVLINK_ESWITCH_INLINE_MODE_NONE);
    CU_ASSERT(esw.has_encap_mode);
    CU_ASSERT_EQUAL(esw.encap_mode, DEVLINK_ESWITCH_ENCAP_MODE_NONE);

    /* A rule, which legacy mode will remove with the representors. */
    struct emu_vport *vf0 = &f.nic->vfs[0], *vf1 = &f.nic->vfs[1];
    add_qdisc(&f, vf0->rep_ifindex);
    struct esw_flower_rule *rule = redirect_rule(vf0->rep_ifindex,
                                                 vf1->rep_ifindex, 1,
                                                 0x0a000001);
    add_filter(&f, rule, 0, NULL);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 1);

    /* Unsupported inline and encap modes: refused, and a mode change in
     * the same request is not applied either. */
    struct esw_devlink_request req = {
        .cmd = DEVLINK_CMD_ESWITCH_SET,
        .eswitch = {
            .has_mode = true,
            .mode = DEVLINK_ESWITCH_MODE_LEGACY,
            .has_inline_mode = true,
            .inline_mode = DEVLINK_ESWITCH_INLINE_MODE_LINK,
        },
    };
    handle_of(NIC_NAME, &req.handle);
    devlink_expect(&f, &req, EOPNOTSUPP, "inline mode 1 is not supported");
    req.eswitch.inline_mode = DEVLINK_ESWITCH_INLINE_MODE_NONE;
    req.eswitch.has_encap_mode = true;
    req.eswitch.encap_mode = DEVLINK_ESWITCH_ENCAP_MODE_BASIC;
    devlink_expect(&f, &req, EOPNOTSUPP, "encap mode 1 is not supported");
    CU_ASSERT_EQUAL(f.nic->mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 1);

    /* Legacy, with the current inline and encap modes. */
    req.eswitch.encap_mode = DEVLINK_ESWITCH_ENCAP_MODE_NONE;
    devlink_expect(&f, &req, 0, NULL);
    CU_ASSERT_EQUAL(f.nic->mode, DEVLINK_ESWITCH_MODE_LEGACY);
    get_eswitch(&f, &esw);
    CU_ASSERT_EQUAL(esw.mode, DEVLINK_ESWITCH_MODE_LEGACY);

    /* The representors are gone from rtnetlink and devlink, and the rule
     * from the table. */
    size_t n = dump_links(&f, 0, links, 8);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_STRING_EQUAL(links[0].name, "enp3s0f0");
    CU_ASSERT_STRING_EQUAL(links[0].phys_port_name, "");
    CU_ASSERT_EQUAL(links[0].phys_switch_id.len, 0);
    n = dump_ports(&f, ports, 8);
    CU_ASSERT_EQUAL_FATAL(n, 1);
    CU_ASSERT_EQUAL(ports[0].flavour, DEVLINK_PORT_FLAVOUR_PHYSICAL);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 0);

    /* Back to switchdev (mode only): they are back. */
    memset(&req.eswitch, 0, sizeof req.eswitch);
    req.eswitch.has_mode = true;
    req.eswitch.mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
    devlink_expect(&f, &req, 0, NULL);
    CU_ASSERT_EQUAL(dump_links(&f, 0, links, 8), 5);
    CU_ASSERT_EQUAL(dump_ports(&f, ports, 8), 6);

    /* An unknown device. */
    handle_of("pci/0000:99:00.0", &req.handle);
    devlink_expect(&f, &req, ENODEV, "Cannot find device");

    fixture_destroy(&f);
    free(rule);
    free(ports);
    free(links);
}

static void
test_devlink_port_function(void)
{
    const struct eth_addr mac = ETH_ADDR_C(02, 11, 22, 33, 44, 55);
    struct esw_link *links = xmalloc(8 * sizeof *links);
    struct esw_devlink_port *ports = xmalloc(8 * sizeof *ports);
    struct fixture f;

    fixture_init(&f, NIC_SPEC);

    /* "devlink port function set pci/0000:03:00.0/2 hw_addr MAC". */
    struct esw_devlink_request req = {
        .cmd = DEVLINK_CMD_PORT_SET,
        .port_index = EMU_GENL_PORT_VF(1),
        .function = {
            .has_hw_addr = true,
            .hw_addr = mac,
        },
    };
    handle_of(NIC_NAME, &req.handle);
    devlink_expect(&f, &req, 0, NULL);
    CU_ASSERT(eth_addr_equals(f.nic->vfs[1].vf_info.mac, mac));
    CU_ASSERT_EQUAL(f.nic->vfs[1].fn_state, DEVLINK_PORT_FN_STATE_ACTIVE);

    /* It is the VF's MAC for rtnetlink too, and the port shows it. */
    CU_ASSERT_EQUAL_FATAL(dump_links(&f, RTEXT_FILTER_VF, links, 8), 5);
    CU_ASSERT_EQUAL_FATAL(links[0].n_vfs, 4);
    CU_ASSERT(eth_addr_equals(links[0].vfs[1].mac, mac));
    CU_ASSERT_EQUAL_FATAL(dump_ports(&f, ports, 8), 6);
    CU_ASSERT(eth_addr_equals(ports[2].function.hw_addr, mac));

    /* "... state inactive". */
    memset(&req.function, 0, sizeof req.function);
    req.function.has_state = true;
    req.function.state = DEVLINK_PORT_FN_STATE_INACTIVE;
    devlink_expect(&f, &req, 0, NULL);
    CU_ASSERT_EQUAL(f.nic->vfs[1].fn_state, DEVLINK_PORT_FN_STATE_INACTIVE);
    CU_ASSERT(eth_addr_equals(f.nic->vfs[1].vf_info.mac, mac));
    CU_ASSERT_EQUAL_FATAL(dump_ports(&f, ports, 8), 6);
    CU_ASSERT_EQUAL(ports[2].function.state,
                    DEVLINK_PORT_FN_STATE_INACTIVE);

    /* Refused: a multicast address (with a state change, which is not
     * applied either), the physical and PF ports. */
    req.function.has_hw_addr = true;
    req.function.hw_addr = eth_addr_broadcast;
    req.function.state = DEVLINK_PORT_FN_STATE_ACTIVE;
    devlink_expect(&f, &req, EINVAL, "not a unicast address");
    CU_ASSERT_EQUAL(f.nic->vfs[1].fn_state, DEVLINK_PORT_FN_STATE_INACTIVE);
    CU_ASSERT(eth_addr_equals(f.nic->vfs[1].vf_info.mac, mac));

    req.function.hw_addr = mac;
    req.port_index = EMU_GENL_PORT_UPLINK;
    devlink_expect(&f, &req, EOPNOTSUPP,
                   "port function is not supported on a physical port");
    req.port_index = EMU_GENL_PORT_PF;
    devlink_expect(&f, &req, EOPNOTSUPP,
                   "port function is not supported on a PCI PF port");
    req.port_index = EMU_GENL_PORT_VF(7);
    devlink_expect(&f, &req, ENODEV, "has no port 8");

    fixture_destroy(&f);
    free(ports);
    free(links);
}

static void
test_genl_refusals(void)
{
    struct esw_nl_msg msg;
    struct replies r;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);

    /* A devlink command that is not emulated. */
    uint32_t seq = f.genl.seq++;
    esw_genl_msg_init(&msg, request_buf.bytes, sizeof request_buf.bytes,
                      f.devlink_id, NLM_F_REQUEST | NLM_F_ACK, seq, 0,
                      DEVLINK_CMD_SB_GET, DEVLINK_GENL_VERSION);
    esw_nl_put_string(&msg, DEVLINK_ATTR_BUS_NAME, "pci");
    esw_nl_put_string(&msg, DEVLINK_ATTR_DEV_NAME, "0000:03:00.0");
    CU_ASSERT_EQUAL_FATAL(esw_nl_msg_finish(&msg), 0);
    transact(&f.genl, &r);
    check_only_error(&r, EOPNOTSUPP, seq, "command 11 is not supported");
    replies_uninit(&r);

    /* A family ID that nobody has. */
    seq = f.genl.seq++;
    esw_genl_msg_init(&msg, request_buf.bytes, sizeof request_buf.bytes,
                      0x33, NLM_F_REQUEST | NLM_F_ACK, seq, 0, 1, 1);
    CU_ASSERT_EQUAL_FATAL(esw_nl_msg_finish(&msg), 0);
    transact(&f.genl, &r);
    check_only_error(&r, ENOENT, seq, "no generic netlink family has ID "
                     "0x33");
    replies_uninit(&r);

    /* A devlink message too short for its genlmsghdr. */
    seq = f.genl.seq++;
    esw_nl_msg_init(&msg, request_buf.bytes, sizeof request_buf.bytes,
                    f.devlink_id, NLM_F_REQUEST | NLM_F_ACK, seq, 0, 0);
    CU_ASSERT_EQUAL_FATAL(esw_nl_msg_finish(&msg), 0);
    request_buf.nlh.nlmsg_len = NLMSG_HDRLEN + 2;
    transact(&f.genl, &r);
    check_only_error(&r, EINVAL, seq, "too short");
    replies_uninit(&r);

    /* A bad attribute: a device name without its null terminator. */
    struct esw_devlink_request req = { .cmd = DEVLINK_CMD_ESWITCH_GET };
    handle_of(NIC_NAME, &req.handle);
    seq = f.genl.seq++;
    CU_ASSERT_EQUAL_FATAL(esw_devlink_encode_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              f.devlink_id, seq, &req), 0);
    struct nlattr *attr = mnl_nlmsg_get_payload_offset(&request_buf.nlh,
                                                       GENL_HDRLEN);
    CU_ASSERT_EQUAL_FATAL(mnl_attr_get_type(attr), DEVLINK_ATTR_BUS_NAME);
    CU_ASSERT_EQUAL_FATAL(mnl_attr_get_payload_len(attr), 4);
    ((char *) mnl_attr_get_payload(attr))[3] = 'x';
    transact(&f.genl, &r);
    check_only_error(&r, EINVAL, seq, "DEVLINK_ATTR_BUS_NAME");
    replies_uninit(&r);

    /* The server is still there for the same client. */
    CU_ASSERT_EQUAL(emu_nl_server_n_clients(f.genl.server), 1);
    CU_ASSERT_EQUAL(resolve_family(&f.genl, DEVLINK_GENL_NAME),
                    f.devlink_id);

    fixture_destroy(&f);
}

/* TC. */

/* Checking that a filter dump is grouped as a kernel dump is.
 *
 * The kernel (tcf_chain_dump()) dumps filters one (chain, priority) at a
 * time and starts each with a header message: what tcf_fill_node() makes
 * without a filter, an RTM_NEWTFILTER with NLM_F_MULTI, tcm_handle 0,
 * tcm_info TC_H_MAKE(prio << 16, protocol), the dump's ifindex and parent,
 * TCA_KIND and TCA_CHAIN, and no TCA_OPTIONS.  A dump that spans several
 * datagrams does not repeat the header of a priority it already started:
 * the next datagram may start with that priority's filters. */
struct dump_groups {
    int ifindex;                /* Dump's ifindex and parent, which every */
    uint32_t parent;            /* message repeats. */
    uint32_t seq;               /* Dump request's sequence number. */

    /* (chain, priority) of every header so far, in order: the last is the
     * group that the next filter belongs to. */
    struct dump_group {
        uint32_t chain;
        uint16_t prio;
        ovs_be16 protocol;
        size_t n_filters;
    } *groups;
    size_t n_groups, allocated_groups;

    size_t n_filters;           /* Filters, over all groups. */
};

static void
dump_groups_init(struct dump_groups *g, int ifindex, uint32_t parent,
                 uint32_t seq)
{
    memset(g, 0, sizeof *g);
    g->ifindex = ifindex;
    g->parent = parent;
    g->seq = seq;
}

/* Returns true if 'nlh' is a priority's header rather than a filter: it
 * has handle 0 or no TCA_OPTIONS.  check_filter_header() then checks that
 * it is all of what a header is. */
static bool
is_filter_header(const struct nlmsghdr *nlh)
{
    const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *attr;

    CU_ASSERT_FATAL(nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof *tcm);
    if (!tcm->tcm_handle) {
        return true;
    }
    mnl_attr_for_each (attr, nlh, sizeof *tcm) {
        if (mnl_attr_get_type(attr) == TCA_OPTIONS) {
            return false;
        }
    }
    return true;
}

/* Returns the TCA_CHAIN of the filter message 'nlh', UINT32_MAX if it has
 * none. */
static uint32_t
msg_chain(const struct nlmsghdr *nlh)
{
    const struct nlattr *attr;

    mnl_attr_for_each (attr, nlh, sizeof(struct tcmsg)) {
        if (mnl_attr_get_type(attr) == TCA_CHAIN
            && !mnl_attr_validate(attr, MNL_TYPE_U32)) {
            return mnl_attr_get_u32(attr);
        }
    }
    return UINT32_MAX;
}

/* Checks that the header 'nlh' is exactly what the kernel sends for a
 * flower priority of 'g''s dump and starts a group that the dump did not
 * start before, and makes it the group of the filters that follow. */
static void
check_filter_header(struct dump_groups *g, const struct nlmsghdr *nlh)
{
    const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
    const struct nlattr *attr;
    const char *kind = NULL;
    bool has_chain = false;
    uint32_t chain = 0;

    CU_ASSERT_EQUAL(nlh->nlmsg_flags, NLM_F_MULTI);
    CU_ASSERT_EQUAL(nlh->nlmsg_seq, g->seq);
    CU_ASSERT_EQUAL(tcm->tcm_family, AF_UNSPEC);
    CU_ASSERT_EQUAL(tcm->tcm_ifindex, g->ifindex);
    CU_ASSERT_EQUAL(tcm->tcm_parent, g->parent);
    CU_ASSERT_EQUAL(tcm->tcm_handle, 0);
    mnl_attr_for_each (attr, nlh, sizeof *tcm) {
        switch (mnl_attr_get_type(attr)) {
        case TCA_KIND:
            CU_ASSERT_PTR_NULL(kind);
            CU_ASSERT_EQUAL_FATAL(
                mnl_attr_validate(attr, MNL_TYPE_NUL_STRING), 0);
            kind = mnl_attr_get_str(attr);
            break;
        case TCA_CHAIN:
            CU_ASSERT_FALSE(has_chain);
            CU_ASSERT_EQUAL_FATAL(mnl_attr_validate(attr, MNL_TYPE_U32), 0);
            chain = mnl_attr_get_u32(attr);
            has_chain = true;
            break;
        default:
            /* Above all no TCA_OPTIONS: a header carries no filter. */
            fprintf(stderr, "filter dump header with attribute %"PRIu16"\n",
                    mnl_attr_get_type(attr));
            CU_FAIL("filter dump header has more than TCA_KIND and "
                    "TCA_CHAIN");
            break;
        }
    }
    CU_ASSERT_PTR_NOT_NULL(kind);
    CU_ASSERT(kind && !strcmp(kind, "flower"));
    CU_ASSERT(has_chain);

    uint16_t prio = TC_H_MAJ(tcm->tcm_info) >> 16;
    ovs_be16 protocol = (OVS_FORCE ovs_be16) TC_H_MIN(tcm->tcm_info);
    CU_ASSERT_NOT_EQUAL(prio, 0);
    for (size_t i = 0; i < g->n_groups; i++) {
        if (g->groups[i].chain == chain && g->groups[i].prio == prio) {
            fprintf(stderr, "header of chain %"PRIu32" prio %"PRIu16" "
                    "again, after %"PRIuSIZE" of its filters\n", chain,
                    prio, g->groups[i].n_filters);
            CU_FAIL("a filter dump repeats a priority's header");
        }
    }
    if (g->n_groups) {
        /* The group that this header ends had filters: a priority with
         * none is not there, and has no header. */
        CU_ASSERT_NOT_EQUAL(g->groups[g->n_groups - 1].n_filters, 0);
    }
    if (g->n_groups >= g->allocated_groups) {
        g->groups = x2nrealloc(g->groups, &g->allocated_groups,
                               sizeof *g->groups);
    }
    g->groups[g->n_groups++] = (struct dump_group) {
        .chain = chain,
        .prio = prio,
        .protocol = protocol,
    };
}

/* Checks the message 'nlh' of 'g''s dump, other than the final
 * NLMSG_DONE: a header (checked with check_filter_header()) or a filter of
 * the group the last header started, which it decodes into 'rule'.
 * Returns true for a filter, false for a header. */
static bool
dump_groups_next(struct dump_groups *g, const struct nlmsghdr *nlh,
                 struct esw_flower_rule *rule)
{
    char *err = NULL;

    CU_ASSERT_EQUAL_FATAL(nlh->nlmsg_type, RTM_NEWTFILTER);
    if (is_filter_header(nlh)) {
        check_filter_header(g, nlh);
        return false;
    }

    CU_ASSERT(nlh->nlmsg_flags & NLM_F_MULTI);
    CU_ASSERT_EQUAL(nlh->nlmsg_seq, g->seq);
    CU_ASSERT_EQUAL(tc_flower_decode(nlh, nlh->nlmsg_len, rule, &err), 0);
    if (err) {
        fprintf(stderr, "%s\n", err);
        free(err);
    }
    if (!g->n_groups) {
        CU_FAIL("a filter dump has a filter before any header");
    } else {
        struct dump_group *group = &g->groups[g->n_groups - 1];

        if (rule->chain != group->chain || rule->prio != group->prio
            || rule->protocol != group->protocol) {
            fprintf(stderr, "filter of chain %"PRIu32" prio %"PRIu16" "
                    "protocol %#"PRIx16" after the header of chain "
                    "%"PRIu32" prio %"PRIu16" protocol %#"PRIx16"\n",
                    rule->chain, rule->prio, ntohs(rule->protocol),
                    group->chain, group->prio, ntohs(group->protocol));
            CU_FAIL("a filter dump has a filter without its header");
        }
        group->n_filters++;
    }
    g->n_filters++;
    return true;
}

/* Checks the end of 'g''s dump (the last group had filters too), and frees
 * what 'g' holds.  Returns the number of headers the dump had. */
static size_t
dump_groups_finish(struct dump_groups *g)
{
    size_t n_headers = g->n_groups;

    if (n_headers) {
        CU_ASSERT_NOT_EQUAL(g->groups[n_headers - 1].n_filters, 0);
    }
    free(g->groups);
    memset(g, 0, sizeof *g);
    return n_headers;
}

/* Dumps the filters of 'ifindex''s ingress into 'r', checking that it
 * ends well and is grouped as a kernel dump is (see struct dump_groups),
 * and returns the number of filters decoded into the 'max' elements of
 * 'rules' (which may be NULL if 'max' is 0: then the filters are only
 * counted).  Stores in '*n_headers' the number of priority headers, one
 * per (chain, priority) that has filters. */
static size_t
dump_filters(struct fixture *f, int ifindex, bool terse,
             struct esw_flower_rule *rules, size_t max, struct replies *r,
             size_t *n_headers)
{
    struct esw_flower_rule *rule = xmalloc(sizeof *rule);
    const uint32_t parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    uint32_t seq = f->rtnl.seq++;
    struct dump_groups g;
    size_t len;
    size_t n = 0;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_dump_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              ifindex, parent, terse, seq, &len), 0);
    transact(&f->rtnl, r);
    CU_ASSERT_FATAL(r->n >= 1);
    dump_groups_init(&g, ifindex, parent, seq);
    for (size_t i = 0; i + 1 < r->n; i++) {
        if (dump_groups_next(&g, r->msgs[i], rule)) {
            if (n < max) {
                rules[n] = *rule;
            }
            n++;
        }
    }
    check_done(r->msgs[r->n - 1]);
    *n_headers = dump_groups_finish(&g);
    free(rule);
    return n;
}

static void
test_tc_filter(void)
{
    struct esw_flower_rule *got = xmalloc(3 * sizeof *got);
    struct replies r;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    struct esw_flower_rule *rule = redirect_rule(rep0, rep1, 1, 0x0a000001);

    /* No qdisc yet. */
    add_filter(&f, rule, EINVAL, "Parent Qdisc doesn't exists");
    add_qdisc(&f, rep0);

    /* "tc filter add ... skip_sw ... action mirred egress redirect dev
     * REP1" with NLM_F_ECHO: the reply is the rule as installed. */
    uint32_t seq = f.rtnl.seq++;
    append_filter_add(&request_buf, 0, rule,
                      NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, seq);
    transact(&f.rtnl, &r);
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.msgs[0]->nlmsg_type, RTM_NEWTFILTER);
    CU_ASSERT_EQUAL(r.msgs[0]->nlmsg_seq, seq);
    CU_ASSERT_EQUAL_FATAL(tc_flower_decode(r.msgs[0], r.msgs[0]->nlmsg_len,
                                           &got[0], NULL), 0);
    CU_ASSERT(esw_flower_rule_same_match(&got[0], rule));
    CU_ASSERT_EQUAL(got[0].handle, 1);
    CU_ASSERT_EQUAL(got[0].parent, rule->parent);
    CU_ASSERT(got[0].flags & TCA_CLS_FLAGS_SKIP_SW);
    CU_ASSERT(got[0].flags & TCA_CLS_FLAGS_IN_HW);
    CU_ASSERT_EQUAL(got[0].in_hw_count, 1);
    CU_ASSERT_EQUAL_FATAL(got[0].n_actions, 1);
    CU_ASSERT_EQUAL(got[0].actions[0].type, ESW_FLOWER_ACT_MIRRED);
    CU_ASSERT_EQUAL(got[0].actions[0].control, TC_ACT_STOLEN);
    CU_ASSERT_EQUAL(got[0].actions[0].mirred.eaction, TCA_EGRESS_REDIR);
    CU_ASSERT_EQUAL(got[0].actions[0].mirred.ifindex, rep1);
    check_error(r.msgs[1], 0, seq, NULL);
    replies_uninit(&r);

    /* The same again, exclusively. */
    add_filter(&f, rule, EEXIST, "Filter already exists");

    /* Two more, one with a handle the NIC chooses. */
    struct esw_flower_rule *rule2 = redirect_rule(rep0, rep1, 7, 0x0a000002);
    struct esw_flower_rule *rule3 = redirect_rule(rep0, rep1, 0, 0x0a000003);
    add_filter(&f, rule2, 0, NULL);
    add_filter(&f, rule3, 0, NULL);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 3);

    /* Full dump, in handle order: 1, 2 (chosen), 7, after the header of
     * their priority: 5 messages with NLMSG_DONE. */
    size_t n_headers;
    CU_ASSERT_EQUAL_FATAL(dump_filters(&f, rep0, false, got, 3, &r,
                                       &n_headers), 3);
    CU_ASSERT_EQUAL(n_headers, 1);
    CU_ASSERT_EQUAL(r.n, 5);
    CU_ASSERT_EQUAL(r.n_datagrams, 1);
    replies_uninit(&r);
    CU_ASSERT_EQUAL(got[0].handle, 1);
    CU_ASSERT_EQUAL(got[1].handle, 2);
    CU_ASSERT_EQUAL(got[2].handle, 7);
    CU_ASSERT(esw_flower_rule_same_match(&got[0], rule));
    CU_ASSERT(esw_flower_rule_same_match(&got[1], rule3));
    CU_ASSERT(esw_flower_rule_same_match(&got[2], rule2));
    CU_ASSERT_EQUAL(got[2].actions[0].mirred.ifindex, rep1);

    /* Terse dump: identities and flags, no keys, no mirred target; the
     * same header, as the kernel's terse dump has. */
    CU_ASSERT_EQUAL_FATAL(dump_filters(&f, rep0, true, got, 3, &r,
                                       &n_headers), 3);
    CU_ASSERT_EQUAL(n_headers, 1);
    CU_ASSERT_EQUAL(r.n, 5);
    replies_uninit(&r);
    CU_ASSERT_EQUAL(got[1].handle, 2);
    CU_ASSERT(got[1].flags & TCA_CLS_FLAGS_IN_HW);
    CU_ASSERT_EQUAL(got[1].mask.ipv4_dst, 0);
    CU_ASSERT_EQUAL_FATAL(got[1].n_actions, 1);
    CU_ASSERT_EQUAL(got[1].actions[0].type, ESW_FLOWER_ACT_MIRRED);
    CU_ASSERT_EQUAL(got[1].actions[0].mirred.ifindex, 0);

    /* "tc filter del ... handle 7", twice. */
    size_t len;
    seq = f.rtnl.seq++;
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_del(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule2, seq, &len), 0);
    transact(&f.rtnl, &r);
    check_only_error(&r, 0, seq, NULL);
    replies_uninit(&r);
    seq = f.rtnl.seq++;
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_del(request_buf.bytes,
                                               sizeof request_buf.bytes,
                                               rule2, seq, &len), 0);
    transact(&f.rtnl, &r);
    check_only_error(&r, ENOENT, seq, "not found");
    replies_uninit(&r);
    CU_ASSERT_EQUAL(dump_filters(&f, rep0, false, got, 3, &r,
                                 &n_headers), 2);
    CU_ASSERT_EQUAL(n_headers, 1);
    replies_uninit(&r);
    CU_ASSERT_EQUAL(got[0].handle, 1);
    CU_ASSERT_EQUAL(got[1].handle, 2);

    /* Filters in priority 2 of chain 0 and in priority 1 of chain 1: one
     * header each, and the dump goes chain by chain, priority by
     * priority. */
    rule2->handle = 1;
    rule2->prio = 2;
    rule3->handle = 1;
    rule3->chain = 1;
    add_filter(&f, rule2, 0, NULL);
    add_filter(&f, rule3, 0, NULL);
    CU_ASSERT_EQUAL(dump_filters(&f, rep0, false, NULL, 0, &r, &n_headers),
                    4);
    CU_ASSERT_EQUAL(n_headers, 3);
    CU_ASSERT_EQUAL_FATAL(r.n, 8);
    static const struct {
        bool header;
        uint32_t chain;
        uint16_t prio;
    } expected[] = {
        { true, 0, 1 }, { false, 0, 1 }, { false, 0, 1 },
        { true, 0, 2 }, { false, 0, 2 },
        { true, 1, 1 }, { false, 1, 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
        const struct nlmsghdr *nlh = r.msgs[i];
        const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

        CU_ASSERT_EQUAL(is_filter_header(nlh), expected[i].header);
        CU_ASSERT_EQUAL(!tcm->tcm_handle, expected[i].header);
        CU_ASSERT_EQUAL(TC_H_MAJ(tcm->tcm_info) >> 16, expected[i].prio);
        CU_ASSERT_EQUAL(TC_H_MIN(tcm->tcm_info),
                        (OVS_FORCE uint16_t) htons(ETH_P_IP));
        CU_ASSERT_EQUAL(msg_chain(nlh), expected[i].chain);
    }
    replies_uninit(&r);

    fixture_destroy(&f);
    free(rule);
    free(rule2);
    free(rule3);
    free(got);
}

static void
test_tc_capacity_and_faults(void)
{
    struct fixture f;

    fixture_init(&f, NIC_NAME ",vfs=2,mode=switchdev,capacity=2");
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    struct esw_flower_rule *rules[4];
    for (int i = 0; i < 4; i++) {
        rules[i] = redirect_rule(rep0, rep1, i + 1, 0x0a000001 + i);
    }
    add_qdisc(&f, rep0);

    /* A fault fails the next rule operation only, with its errno. */
    emu_nic_inject_faults(f.nic, 1, EIO);
    add_filter(&f, rules[0], EIO, "injected fault");
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 0);
    add_filter(&f, rules[0], 0, NULL);

    /* The table holds 2 rules. */
    add_filter(&f, rules[1], 0, NULL);
    add_filter(&f, rules[2], ENOSPC, "flow table full (2 rules)");
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 2);

    /* Faults take precedence, and stop after 'n'. */
    emu_nic_inject_faults(f.nic, 2, EBUSY);
    add_filter(&f, rules[3], EBUSY, "injected fault");
    add_filter(&f, rules[3], EBUSY, "injected fault");
    add_filter(&f, rules[3], ENOSPC, "flow table full");

    fixture_destroy(&f);
    for (int i = 0; i < 4; i++) {
        free(rules[i]);
    }
}

static void
test_batch(void)
{
    struct esw_flower_rule *rules[5];
    struct replies r;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    add_qdisc(&f, rep0);

    /* Five filter adds in one datagram; the fourth duplicates the
     * second. */
    uint32_t seq0 = f.rtnl.seq;
    size_t size = 0;
    for (int i = 0; i < 5; i++) {
        rules[i] = redirect_rule(rep0, rep1, i == 3 ? 2 : i + 1,
                                 0x0a000001 + (i == 3 ? 1 : i));
        size = append_filter_add(&request_buf, size, rules[i],
                                 NLM_F_CREATE | NLM_F_EXCL, f.rtnl.seq++);
    }
    client_send(&f.rtnl, request_buf.bytes, size);

    /* One answer each, in order. */
    CU_ASSERT_FATAL(client_collect(&f.rtnl, 5, &r));
    CU_ASSERT_EQUAL_FATAL(r.n, 5);
    for (int i = 0; i < 5; i++) {
        check_error(r.msgs[i], i == 3 ? EEXIST : 0, seq0 + i,
                    "Filter already exists");
    }
    replies_uninit(&r);
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 4);

    fixture_destroy(&f);
    for (int i = 0; i < 5; i++) {
        free(rules[i]);
    }
}

static void
test_malformed(void)
{
    struct esw_link *links = xmalloc(8 * sizeof *links);
    struct replies r;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    struct esw_flower_rule *rule = redirect_rule(rep0, rep1, 1, 0x0a000001);
    add_qdisc(&f, rep0);

    /* A datagram that ends inside its message: dropped, as the kernel
     * drops it, without an answer. */
    uint32_t seq = f.rtnl.seq++;
    size_t size = append_filter_add(&request_buf, 0, rule,
                                    NLM_F_CREATE | NLM_F_EXCL, seq);
    client_send(&f.rtnl, request_buf.bytes, size / 2);
    CU_ASSERT_EQUAL(client_recv(&f.rtnl), 0);
    CU_ASSERT_EQUAL(emu_nl_server_n_clients(f.rtnl.server), 1);

    /* A message whose nlmsg_len leaves out most of its tcmsg. */
    seq = f.rtnl.seq++;
    append_filter_add(&request_buf, 0, rule, NLM_F_CREATE | NLM_F_EXCL, seq);
    request_buf.nlh.nlmsg_len = NLMSG_HDRLEN + 4;
    transact(&f.rtnl, &r);
    check_only_error(&r, EINVAL, seq, "too short for tcmsg");
    replies_uninit(&r);

    /* A message whose last attribute claims more bytes than there are. */
    seq = f.rtnl.seq++;
    size = append_filter_add(&request_buf, 0, rule,
                             NLM_F_CREATE | NLM_F_EXCL, seq);
    request_buf.nlh.nlmsg_len = NLMSG_ALIGN(size);
    struct nlattr *bad = mnl_nlmsg_get_payload_tail(&request_buf.nlh);
    bad->nla_type = TCA_OPTIONS;
    bad->nla_len = 200;
    request_buf.nlh.nlmsg_len += sizeof *bad;
    transact(&f.rtnl, &r);
    check_only_error(&r, EINVAL, seq, "truncated attribute");
    replies_uninit(&r);

    /* A VF request whose IFLA_VF_TRUST (the last attribute, nested in
     * IFLA_VFINFO_LIST/IFLA_VF_INFO) is shorter than its structure. */
    struct esw_vf_request vf_req = {
        .ifindex = f.nic->uplink.rep_ifindex,
        .config = { .vf = 1, .set_trust = true, .trust = true },
    };
    seq = f.rtnl.seq++;
    CU_ASSERT_EQUAL_FATAL(esw_rtnl_link_encode_vf_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              seq, &vf_req), 0);
    size_t trust_ofs = (request_buf.nlh.nlmsg_len
                        - NLA_ALIGN(sizeof(struct nlattr)
                                    + sizeof(struct ifla_vf_trust)));
    struct nlattr *last = ALIGNED_CAST(struct nlattr *,
                                       &request_buf.bytes[trust_ofs]);
    CU_ASSERT_EQUAL_FATAL(last->nla_type & NLA_TYPE_MASK, IFLA_VF_TRUST);
    last->nla_len = sizeof *last + 4;
    transact(&f.rtnl, &r);
    check_only_error(&r, EINVAL, seq, "IFLA_VF_TRUST");
    replies_uninit(&r);
    CU_ASSERT_EQUAL(f.nic->vfs[1].vf_info.trust, ESW_VF_SETTING_OFF);

    /* Nothing was installed, and the server still answers. */
    CU_ASSERT_EQUAL(emu_flow_table_count(f.nic->table), 0);
    CU_ASSERT_EQUAL(emu_nl_server_n_clients(f.rtnl.server), 1);
    add_filter(&f, rule, 0, NULL);
    CU_ASSERT_EQUAL(dump_links(&f, 0, links, 8), 5);

    fixture_destroy(&f);
    free(rule);
    free(links);
}

static void
test_big_dump(void)
{
    enum { N_RULES = 5000, N_PRIOS = 4 };
    struct replies r;
    struct fixture f;

    fixture_init(&f, NIC_SPEC);
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    add_qdisc(&f, rep0);

    /* Install the rules in batches that fill a datagram, in N_PRIOS
     * priorities of N_RULES / N_PRIOS rules each, so that the dump of each
     * priority spans several datagrams. */
    struct esw_flower_rule *rule = redirect_rule(rep0, rep1, 0, 0);
    size_t n_sent = 0;
    while (n_sent < N_RULES) {
        size_t size = 0, n = 0;

        while (n_sent + n < N_RULES
               && NLMSG_ALIGN(size) + 1024 < sizeof request_buf.bytes) {
            rule->handle = n_sent + n + 1;
            rule->prio = 1 + (n_sent + n) / (N_RULES / N_PRIOS);
            rule->key.ipv4_dst = htonl(0x0a000000 + n_sent + n);
            size = append_filter_add(&request_buf, size, rule,
                                     NLM_F_CREATE | NLM_F_EXCL,
                                     f.rtnl.seq++);
            n++;
        }
        client_send(&f.rtnl, request_buf.bytes, size);
        CU_ASSERT_FATAL(client_collect(&f.rtnl, n, &r));
        for (size_t i = 0; i < r.n; i++) {
            CU_ASSERT_EQUAL(r.msgs[i]->nlmsg_type, NLMSG_ERROR);
            CU_ASSERT_EQUAL(((const struct nlmsgerr *)
                             NLMSG_DATA(r.msgs[i]))->error, 0);
        }
        replies_uninit(&r);
        n_sent += n;
    }
    CU_ASSERT_EQUAL_FATAL(emu_flow_table_count(f.nic->table), N_RULES);

    /* The dump spans several datagrams and has every rule once, and one
     * header per priority: a datagram that goes on with a priority that
     * an earlier one started does not repeat its header. */
    uint8_t *seen = xzalloc(N_RULES);
    uint32_t seq = f.rtnl.seq++;
    struct dump_groups g;
    size_t len;
    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_dump_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              rep0, rule->parent, false, seq, &len), 0);
    transact(&f.rtnl, &r);
    CU_ASSERT(r.n_datagrams > N_PRIOS);
    CU_ASSERT_EQUAL_FATAL(r.n, N_PRIOS + N_RULES + 1);
    dump_groups_init(&g, rep0, rule->parent, seq);
    for (size_t i = 0; i < N_PRIOS + N_RULES; i++) {
        if (!dump_groups_next(&g, r.msgs[i], rule)) {
            continue;
        }
        CU_ASSERT_FATAL(rule->handle >= 1 && rule->handle <= N_RULES);
        CU_ASSERT_EQUAL(ntohl(rule->key.ipv4_dst),
                        0x0a000000 + rule->handle - 1);
        CU_ASSERT_EQUAL(rule->prio,
                        1 + (rule->handle - 1) / (N_RULES / N_PRIOS));
        seen[rule->handle - 1]++;
    }
    CU_ASSERT_EQUAL(g.n_filters, N_RULES);
    for (size_t i = 0; i < g.n_groups; i++) {
        CU_ASSERT_EQUAL(g.groups[i].chain, 0);
        CU_ASSERT_EQUAL(g.groups[i].prio, i + 1);
        CU_ASSERT_EQUAL(g.groups[i].n_filters, N_RULES / N_PRIOS);
    }
    CU_ASSERT_EQUAL(dump_groups_finish(&g), N_PRIOS);
    check_done(r.msgs[N_PRIOS + N_RULES]);
    for (size_t i = 0; i < N_RULES; i++) {
        if (seen[i] != 1) {
            CU_FAIL("a rule is missing from the dump or repeated");
            break;
        }
    }
    replies_uninit(&r);

    fixture_destroy(&f);
    free(seen);
    free(rule);
}

/* Appends to 'tokens' what 'nlh', a message of a filter dump checked into
 * 'g', is: "H<prio> " for a header, "F<prio> " for a filter (decoded into
 * 'rule'), "D " for NLMSG_DONE. */
static void
put_dump_token(struct ds *tokens, struct dump_groups *g,
               const struct nlmsghdr *nlh, struct esw_flower_rule *rule)
{
    if (nlh->nlmsg_type == NLMSG_DONE) {
        check_done(nlh);
        ds_put_cstr(tokens, "D ");
    } else if (dump_groups_next(g, nlh, rule)) {
        ds_put_format(tokens, "F%"PRIu16" ", rule->prio);
    } else {
        ds_put_format(tokens, "H%"PRIu16" ",
                      g->groups[g->n_groups - 1].prio);
    }
}

/* A dump datagram can end with a priority's header, when the header fits
 * and that priority's first filter does not: the next datagram goes on
 * with that priority's filters without its header, as the kernel's dump
 * does (cb->args[1] remembers that the header went). */
static void
test_dump_resumes_after_header(void)
{
    const uint32_t parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    struct replies r;
    struct fixture f;
    size_t n_headers;

    fixture_init(&f, NIC_SPEC);
    int rep0 = f.nic->vfs[0].rep_ifindex;
    int rep1 = f.nic->vfs[1].rep_ifindex;
    add_qdisc(&f, rep0);

    /* The sizes of a header and of a filter, from the dump of one. */
    struct esw_flower_rule *rule = redirect_rule(rep0, rep1, 1, 0x0a000001);
    add_filter(&f, rule, 0, NULL);
    CU_ASSERT_EQUAL_FATAL(dump_filters(&f, rep0, false, NULL, 0, &r,
                                       &n_headers), 1);
    CU_ASSERT_EQUAL(n_headers, 1);
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    size_t header_len = r.msgs[0]->nlmsg_len;
    size_t filter_len = r.msgs[1]->nlmsg_len;
    replies_uninit(&r);

    /* So many filters in priority 1 that the first datagram holds its
     * header, them and the header of priority 2, but no more filter: with
     * aligned sizes, n1 = (DATAGRAM - 2 * HEADER) / FILTER leaves room
     * for less than an aligned filter, so (all being multiples of 4) for
     * less than a filter. */
    size_t n1 = ((EMU_NL_DUMP_CHUNK_ROUTE - 2 * NLMSG_ALIGN(header_len))
                 / NLMSG_ALIGN(filter_len));
    CU_ASSERT_FATAL(n1 > 1);
    for (uint32_t handle = 2; handle <= n1; handle++) {
        rule->handle = handle;
        rule->key.ipv4_dst = htonl(0x0a000000 + handle);
        add_filter(&f, rule, 0, NULL);
    }
    /* Then 3 filters in priority 2 and 2 in priority 3. */
    for (uint32_t i = 0; i < 5; i++) {
        rule->prio = i < 3 ? 2 : 3;
        rule->handle = i + 1;
        rule->key.ipv4_dst = htonl(0x0b000000 + i);
        add_filter(&f, rule, 0, NULL);
    }
    CU_ASSERT_EQUAL_FATAL(emu_flow_table_count(f.nic->table), n1 + 5);

    /* The dump, datagram by datagram. */
    struct ds tokens[3];
    uint32_t seq = f.rtnl.seq++;
    size_t n_datagrams = 0;
    struct dump_groups g;
    bool done = false;
    size_t len;

    CU_ASSERT_EQUAL_FATAL(tc_flower_encode_dump_request(
                              request_buf.bytes, sizeof request_buf.bytes,
                              rep0, parent, false, seq, &len), 0);
    client_send(&f.rtnl, request_buf.bytes, request_buf.nlh.nlmsg_len);
    dump_groups_init(&g, rep0, parent, seq);
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
        ds_init(&tokens[i]);
    }
    while (!done && n_datagrams < ARRAY_SIZE(tokens)) {
        size_t size = client_recv(&f.rtnl);
        const struct nlmsghdr *nlh = &rx_buf.nlh;
        int left = size;

        CU_ASSERT_FATAL(size > 0);
        CU_ASSERT(size <= EMU_NL_DUMP_CHUNK_ROUTE);
        for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
            CU_ASSERT_FALSE(done);
            put_dump_token(&tokens[n_datagrams], &g, nlh, rule);
            if (nlh->nlmsg_type == NLMSG_DONE) {
                done = true;
            } else {
                /* What the sizes above assume. */
                CU_ASSERT_EQUAL(nlh->nlmsg_len,
                                is_filter_header(nlh) ? header_len
                                : filter_len);
            }
        }
        CU_ASSERT_EQUAL(left, 0);
        n_datagrams++;
    }
    CU_ASSERT(done);
    CU_ASSERT_EQUAL(n_datagrams, 2);
    CU_ASSERT_EQUAL(dump_groups_finish(&g), 3);

    /* The first datagram ends with the header of priority 2, whose filters
     * start the second. */
    struct ds expected = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&expected, "H1 ");
    for (size_t i = 0; i < n1; i++) {
        ds_put_cstr(&expected, "F1 ");
    }
    ds_put_cstr(&expected, "H2 ");
    CU_ASSERT_STRING_EQUAL(ds_cstr(&tokens[0]), ds_cstr(&expected));
    CU_ASSERT_STRING_EQUAL(ds_cstr(&tokens[1]), "F2 F2 F2 H3 F3 F3 D ");
    ds_destroy(&expected);
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
        ds_destroy(&tokens[i]);
    }

    fixture_destroy(&f);
    free(rule);
}

CU_pSuite
test_emu_netlink_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(getlink_dump), T(vf_config), T(genl_family), T(devlink_dev),
        T(devlink_ports), T(devlink_eswitch), T(devlink_port_function),
        T(genl_refusals), T(tc_filter), T(tc_capacity_and_faults),
        T(batch), T(malformed), T(big_dump), T(dump_resumes_after_header),
#undef T
    };
    CU_pSuite suite = CU_add_suite("emu_netlink", NULL, NULL);

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
