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

/* utilities/esw-netlink-redirect.so, the LD_PRELOAD library that sends the
 * netlink sockets of iproute2's tools to sriov-nic-emu.
 *
 * Each test serves a fake emulator here: unix SOCK_SEQPACKET listeners
 * named as sriov-nic-emu names them, in a temporary directory, that answer
 * with canned replies built by the project's codecs and, like
 * sriov-nic-emu, put a port id of their own in nlmsg_pid.
 *
 * The first tests call the library's functions directly, looked up with
 * dlsym() in the dlopen()ed library (this process is not preloaded with
 * it), to check the socket semantics one by one.  The others run the real
 * "ip", "tc", "devlink" and "bash" with LD_PRELOAD, as users do, serving
 * them while they run, and check what they print.
 *
 * The library is $ESW_NETLINK_REDIRECT_SO if set, otherwise
 * ../utilities/esw-netlink-redirect.so relative to this program's
 * directory in the build tree (where "make check-unit", which builds it
 * first, leaves it). */

#include <config.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devlink-codec.h"
#include "esw-flower.h"
#include "esw-unittest.h"
#include "genl-ctrl-codec.h"
#include "nl-extack.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "rtnl-link-codec.h"
#include "tc-flower-codec.h"
#include "util.h"

extern char **environ;

/* The library's own functions. */
struct redirect_lib {
    void *handle;
    int (*socket)(int, int, int);
    int (*bind)(int, const struct sockaddr *, socklen_t);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    int (*getsockname)(int, struct sockaddr *, socklen_t *);
    int (*getpeername)(int, struct sockaddr *, socklen_t *);
    int (*setsockopt)(int, int, int, const void *, socklen_t);
    int (*getsockopt)(int, int, int, void *, socklen_t *);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    ssize_t (*sendto)(int, const void *, size_t, int,
                      const struct sockaddr *, socklen_t);
    ssize_t (*send)(int, const void *, size_t, int);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
                        socklen_t *);
    ssize_t (*recv)(int, void *, size_t, int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
    int (*close)(int);
    int (*dup)(int);
    int (*dup2)(int, int);
};

static char *library_path;
static struct redirect_lib lib;

/* What the fake emulator knows. */
#define REP_IFINDEX 7
#define REP_NAME "rep0"
#define REP_MAC "02:00:00:00:00:07"
#define DEVLINK_BUS "pci"
#define DEVLINK_DEV "0000:03:00.0"
#define DEVLINK_FAMILY_ID 20
#define FILTER_DST_MAC "02:00:00:00:00:02"

/* Port ids that the fake emulator gives its connections, as sriov-nic-emu
 * does. */
#define FAKE_FIRST_PORTID 0x40000000

/* The fake emulator. */

#define FAKE_MAX_CONNS 16

struct fake_conn {
    int fd;
    int protocol;               /* NETLINK_ROUTE or NETLINK_GENERIC. */
    uint32_t portid;
};

struct fake_emu {
    char *dir;
    int listeners[2];           /* rtnetlink.sock, genetlink.sock. */
    struct fake_conn conns[FAKE_MAX_CONNS];
    size_t n_conns;
    uint32_t next_portid;
    size_t n_requests;          /* Netlink requests answered. */
};

/* One reply datagram being built. */
struct reply {
    union {
        struct nlmsghdr nlh;
        uint64_t align[65536 / 8];
    } u;
    size_t size;
};

static int
listener_protocol(int i)
{
    return i ? NETLINK_GENERIC : NETLINK_ROUTE;
}

static int
open_listener(const char *dir, const char *name)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);

    ovs_assert(fd >= 0);
    ovs_assert(snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", dir,
                        name) < sizeof sun.sun_path);
    ovs_assert(!bind(fd, (struct sockaddr *) &sun, sizeof sun));
    ovs_assert(!listen(fd, 16));
    return fd;
}

static struct fake_emu *
fake_emu_start(void)
{
    struct fake_emu *emu = xzalloc(sizeof *emu);
    char template[] = "/tmp/esw-netlink-redirect-XXXXXX";

    ovs_assert(mkdtemp(template));
    emu->dir = xstrdup(template);
    emu->listeners[0] = open_listener(emu->dir, "rtnetlink.sock");
    emu->listeners[1] = open_listener(emu->dir, "genetlink.sock");
    emu->next_portid = FAKE_FIRST_PORTID;
    return emu;
}

static void
fake_emu_stop(struct fake_emu *emu)
{
    for (size_t i = 0; i < emu->n_conns; i++) {
        close(emu->conns[i].fd);
    }
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf("%s/%s", emu->dir,
                               i ? "genetlink.sock" : "rtnetlink.sock");

        close(emu->listeners[i]);
        unlink(path);
        free(path);
    }
    rmdir(emu->dir);
    free(emu->dir);
    free(emu);
}

/* Accepts the connections waiting on 'emu''s listeners.  Returns the last
 * one, or NULL if none was waiting. */
static struct fake_conn *
fake_emu_accept(struct fake_emu *emu)
{
    struct fake_conn *last = NULL;

    for (int i = 0; i < 2; i++) {
        int fd;

        while ((fd = accept4(emu->listeners[i], NULL, NULL,
                             SOCK_CLOEXEC)) >= 0) {
            ovs_assert(emu->n_conns < FAKE_MAX_CONNS);
            last = &emu->conns[emu->n_conns++];
            last->fd = fd;
            last->protocol = listener_protocol(i);
            last->portid = emu->next_portid++;
        }
    }
    return last;
}

static void
fake_emu_drop(struct fake_emu *emu, size_t i)
{
    close(emu->conns[i].fd);
    emu->conns[i] = emu->conns[--emu->n_conns];
}

/* Returns room for a message of up to 'size' bytes at the end of 'reply'.
 * The caller writes it there, then calls reply_commit(). */
static void *
reply_reserve(struct reply *reply, size_t size)
{
    size_t ofs = NLMSG_ALIGN(reply->size);

    ovs_assert(ofs + size <= sizeof reply->u);
    memset((uint8_t *) &reply->u + reply->size, 0, ofs + size - reply->size);
    return (uint8_t *) &reply->u + ofs;
}

static void
reply_commit(struct reply *reply, size_t len)
{
    reply->size = NLMSG_ALIGN(reply->size) + len;
}

static void
put_done(struct reply *reply, const struct nlmsghdr *request,
         uint32_t portid)
{
    struct nlmsghdr *done = reply_reserve(reply, NLMSG_LENGTH(sizeof(int)));

    done->nlmsg_len = NLMSG_LENGTH(sizeof(int));
    done->nlmsg_type = NLMSG_DONE;
    done->nlmsg_flags = NLM_F_MULTI;
    done->nlmsg_seq = request->nlmsg_seq;
    done->nlmsg_pid = portid;
    reply_commit(reply, done->nlmsg_len);
}

/* Appends the NLMSG_ERROR for 'request' ('error' 0: an ACK). */
static void
put_error(struct reply *reply, const struct nlmsghdr *request,
          uint32_t portid, int error, const char *msg)
{
    size_t room = NLMSG_ALIGN(request->nlmsg_len) + 256;
    void *buf = reply_reserve(reply, room);
    size_t len;

    ovs_assert(!nl_extack_encode(buf, room, request, portid, error, msg,
                                 !error, &len));
    reply_commit(reply, len);
}

static void
put_ack_if_asked(struct reply *reply, const struct nlmsghdr *request,
                 uint32_t portid)
{
    if (request->nlmsg_flags & NLM_F_ACK) {
        put_error(reply, request, portid, 0, NULL);
    }
}

static void
make_rep_link(struct esw_link *link)
{
    memset(link, 0, sizeof *link);
    link->ifindex = REP_IFINDEX;
    link->type = ARPHRD_ETHER;
    link->flags = (IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING
                   | IFF_LOWER_UP);
    ovs_strlcpy(link->name, REP_NAME, sizeof link->name);
    link->operstate = IF_OPER_UP;
    link->mtu = 1500;
    link->has_mac = true;
    ovs_assert(eth_addr_from_string(REP_MAC, &link->mac));
    ovs_strlcpy(link->phys_port_name, "pf0vf0",
                sizeof link->phys_port_name);
}

static void
make_devlink_port(struct esw_devlink_port *port)
{
    memset(port, 0, sizeof *port);
    ovs_strlcpy(port->handle.bus_name, DEVLINK_BUS,
                sizeof port->handle.bus_name);
    ovs_strlcpy(port->handle.dev_name, DEVLINK_DEV,
                sizeof port->handle.dev_name);
    port->index = 1;
    port->type = DEVLINK_PORT_TYPE_ETH;
    port->netdev_ifindex = REP_IFINDEX;
    ovs_strlcpy(port->netdev_name, REP_NAME, sizeof port->netdev_name);
    port->has_flavour = true;
    port->flavour = DEVLINK_PORT_FLAVOUR_PCI_VF;
    port->vf_number = 0;
}

/* The filter that "tc filter show dev rep0 ingress" finds. */
static void
make_filter(struct esw_flower_rule *rule)
{
    esw_flower_rule_init(rule);
    rule->ifindex = REP_IFINDEX;
    rule->parent = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS);
    rule->prio = 1;
    rule->protocol = htons(ETH_TYPE_IP);
    rule->handle = 1;
    rule->flags = TCA_CLS_FLAGS_SKIP_SW | TCA_CLS_FLAGS_IN_HW;
    rule->in_hw_count = 1;
    rule->key.eth_type = htons(ETH_TYPE_IP);
    rule->mask.eth_type = OVS_BE16_MAX;
    ovs_assert(eth_addr_from_string(FILTER_DST_MAC, &rule->key.eth_dst));
    rule->mask.eth_dst = eth_addr_exact;
    rule->n_actions = 1;
    rule->actions[0].type = ESW_FLOWER_ACT_GACT;
    rule->actions[0].control = TC_ACT_SHOT;
    rule->actions[0].index = 1;
}

static void
answer_route(const struct nlmsghdr *request, uint32_t portid,
             struct reply *reply)
{
    bool dump = (request->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    char *error_msg = NULL;
    int error;

    if (request->nlmsg_type == RTM_GETLINK) {
        struct esw_link_request req;
        struct esw_link link;

        error = esw_rtnl_link_decode_request(request, &req, &error_msg);
        if (!error && !dump && req.ifindex != REP_IFINDEX
            && strcmp(req.name, REP_NAME)) {
            error = ENODEV;
        }
        if (!error) {
            size_t room = sizeof reply->u / 2;

            make_rep_link(&link);
            void *buf = reply_reserve(reply, room);
            ovs_assert(!esw_rtnl_link_encode_link(buf, room,
                                                  request->nlmsg_seq,
                                                  portid, dump,
                                                  req.ext_mask, &link));
            reply_commit(reply, ((struct nlmsghdr *) buf)->nlmsg_len);
        }
    } else if (request->nlmsg_type == RTM_GETTFILTER && dump) {
        int ifindex;
        uint32_t parent;
        bool terse;

        error = tc_flower_decode_dump_request(request, request->nlmsg_len,
                                              &ifindex, &parent, &terse,
                                              &error_msg);
        if (!error && ifindex == REP_IFINDEX) {
            struct esw_flower_rule rule;
            size_t room = sizeof reply->u / 2;
            void *buf = reply_reserve(reply, room);
            size_t len;

            make_filter(&rule);
            ovs_assert(!tc_flower_encode_reply(buf, room, &rule,
                                               NLM_F_MULTI,
                                               request->nlmsg_seq, portid,
                                               terse, &len));
            reply_commit(reply, len);
        }
    } else {
        error = EOPNOTSUPP;
        error_msg = xstrdup("not served by the test's fake emulator");
    }

    if (error) {
        put_error(reply, request, portid, error, error_msg);
    } else if (dump) {
        put_done(reply, request, portid);
    } else {
        put_ack_if_asked(reply, request, portid);
    }
    free(error_msg);
}

static void
answer_generic(const struct nlmsghdr *request, uint32_t portid,
               struct reply *reply)
{
    bool dump = (request->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    size_t room = sizeof reply->u / 2;
    char *error_msg = NULL;
    int error;

    if (request->nlmsg_type == GENL_ID_CTRL) {
        struct esw_genl_ctrl_request req;

        error = esw_genl_ctrl_decode_request(request, &req, &error_msg);
        if (!error && (dump || strcmp(req.name, DEVLINK_GENL_NAME))) {
            error = ENOENT;
        }
        if (!error) {
            static struct esw_genl_family family;
            void *buf = reply_reserve(reply, room);

            memset(&family, 0, sizeof family);
            family.id = DEVLINK_FAMILY_ID;
            ovs_strlcpy(family.name, DEVLINK_GENL_NAME, sizeof family.name);
            family.version = DEVLINK_GENL_VERSION;
            family.maxattr = DEVLINK_ATTR_MAX;
            ovs_assert(!esw_genl_ctrl_encode_family(buf, room,
                                                    request->nlmsg_seq,
                                                    portid, false,
                                                    &family));
            reply_commit(reply, ((struct nlmsghdr *) buf)->nlmsg_len);
        }
    } else if (request->nlmsg_type == DEVLINK_FAMILY_ID) {
        struct esw_devlink_request req;

        error = esw_devlink_decode_request(request, DEVLINK_FAMILY_ID, &req,
                                           &error_msg);
        if (!error && req.cmd == DEVLINK_CMD_GET && req.dump) {
            struct esw_devlink_dev dev;
            void *buf = reply_reserve(reply, room);

            memset(&dev, 0, sizeof dev);
            ovs_strlcpy(dev.handle.bus_name, DEVLINK_BUS,
                        sizeof dev.handle.bus_name);
            ovs_strlcpy(dev.handle.dev_name, DEVLINK_DEV,
                        sizeof dev.handle.dev_name);
            ovs_assert(!esw_devlink_encode_dev(buf, room, DEVLINK_FAMILY_ID,
                                               request->nlmsg_seq, portid,
                                               true, &dev));
            reply_commit(reply, ((struct nlmsghdr *) buf)->nlmsg_len);
        } else if (!error && req.cmd == DEVLINK_CMD_PORT_GET && req.dump) {
            struct esw_devlink_port port;
            void *buf = reply_reserve(reply, room);

            make_devlink_port(&port);
            ovs_assert(!esw_devlink_encode_port(buf, room,
                                                DEVLINK_FAMILY_ID,
                                                request->nlmsg_seq, portid,
                                                true, &port));
            reply_commit(reply, ((struct nlmsghdr *) buf)->nlmsg_len);
        } else if (!error) {
            error = EOPNOTSUPP;
            error_msg = xstrdup("not served by the test's fake emulator");
        }
    } else {
        error = ENOENT;
    }

    if (error) {
        put_error(reply, request, portid, error, error_msg);
    } else if (dump) {
        put_done(reply, request, portid);
    } else {
        put_ack_if_asked(reply, request, portid);
    }
    free(error_msg);
}

/* Reads one request datagram on 'conn' and answers each of its messages
 * with one reply datagram.  Returns false if the client is gone. */
static bool
fake_emu_serve(struct fake_emu *emu, const struct fake_conn *conn)
{
    static struct reply request;
    static struct reply reply;
    ssize_t n = recv(conn->fd, &request.u, sizeof request.u, MSG_DONTWAIT);

    if (n <= 0) {
        return n < 0 && errno == EAGAIN;
    }

    size_t ofs = 0;
    while (n - ofs >= NLMSG_HDRLEN) {
        const struct nlmsghdr *nlh = ALIGNED_CAST(
            const struct nlmsghdr *, (uint8_t *) &request.u + ofs);

        if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > n - ofs) {
            break;
        }
        reply.size = 0;
        emu->n_requests++;
        if (conn->protocol == NETLINK_ROUTE) {
            answer_route(nlh, conn->portid, &reply);
        } else {
            answer_generic(nlh, conn->portid, &reply);
        }
        if (reply.size) {
            ovs_assert(send(conn->fd, &reply.u, reply.size, MSG_NOSIGNAL)
                       == reply.size);
        }
        ofs += NLMSG_ALIGN(nlh->nlmsg_len);
    }
    return true;
}

/* Running the real tools. */

struct tool_run {
    int status;                 /* From waitpid(). */
    struct ds out;              /* What it wrote on stdout. */
    struct ds err;              /* What it wrote on stderr. */
};

static bool
starts_with(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* Returns the environment for a tool: ours, with the library preloaded and
 * ESW_NETLINK_DIR set to 'dir' (if nonnull). */
static char **
tool_environment(const char *dir)
{
    size_t n = 0;

    while (environ[n]) {
        n++;
    }

    char **env = xcalloc(n + 3, sizeof *env);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (!starts_with(environ[i], "LD_PRELOAD=")
            && !starts_with(environ[i], "ESW_NETLINK_DIR=")) {
            env[j++] = xstrdup(environ[i]);
        }
    }
    env[j++] = xasprintf("LD_PRELOAD=%s", library_path);
    if (dir) {
        env[j++] = xasprintf("ESW_NETLINK_DIR=%s", dir);
    }
    env[j] = NULL;
    return env;
}

static void
free_environment(char **env)
{
    for (size_t i = 0; env[i]; i++) {
        free(env[i]);
    }
    free(env);
}

/* Appends what is waiting on pipe '*fdp' to 'ds', and closes it (setting
 * '*fdp' to -1) at end of file. */
static void
drain_pipe(int *fdp, struct ds *ds)
{
    char buf[4096];
    ssize_t n = read(*fdp, buf, sizeof buf);

    if (n > 0) {
        ds_put_buffer(ds, buf, n);
    } else if (n == 0 || errno != EINTR) {
        close(*fdp);
        *fdp = -1;
    }
}

/* Runs 'argv' (found in $PATH) with the library preloaded and
 * ESW_NETLINK_DIR set to 'dir' (if nonnull), serving 'emu' (if nonnull)
 * until the tool exits, and stores its exit status and output in 'run'.
 * A tool that is still running after 60 seconds without output or requests
 * is killed. */
static void
run_tool(struct fake_emu *emu, const char *dir, char *const argv[],
         struct tool_run *run)
{
    posix_spawn_file_actions_t actions;
    int out[2], err[2];
    char **env = tool_environment(dir);
    pid_t pid;

    ds_init(&run->out);
    ds_init(&run->err);
    ovs_assert(!pipe2(out, O_CLOEXEC) && !pipe2(err, O_CLOEXEC));
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                     O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    int error = posix_spawnp(&pid, argv[0], &actions, NULL, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    free_environment(env);
    close(out[1]);
    close(err[1]);
    if (error) {
        close(out[0]);
        close(err[0]);
        run->status = -1;
        ds_put_format(&run->err, "%s: %s", argv[0], ovs_strerror(error));
        return;
    }

    int fds[2] = { out[0], err[0] };
    int idle = 0;
    while (fds[0] >= 0 || fds[1] >= 0) {
        struct pollfd pfds[4 + FAKE_MAX_CONNS];
        size_t n_pfds = 0;

        for (int i = 0; i < 2; i++) {
            pfds[n_pfds++] = (struct pollfd) { .fd = fds[i],
                                               .events = POLLIN };
        }
        if (emu) {
            for (int i = 0; i < 2; i++) {
                pfds[n_pfds++] = (struct pollfd) { .fd = emu->listeners[i],
                                                   .events = POLLIN };
            }
            for (size_t i = 0; i < emu->n_conns; i++) {
                pfds[n_pfds++] = (struct pollfd) { .fd = emu->conns[i].fd,
                                                   .events = POLLIN };
            }
        }

        int retval = poll(pfds, n_pfds, 1000);
        if (retval == 0) {
            if (++idle == 60) {
                kill(pid, SIGKILL);
                CU_FAIL("tool hung");
            }
            continue;
        }
        idle = 0;

        struct ds *sinks[2] = { &run->out, &run->err };
        for (int i = 0; i < 2; i++) {
            if (fds[i] >= 0 && pfds[i].revents) {
                drain_pipe(&fds[i], sinks[i]);
            }
        }
        if (emu) {
            size_t n_conns = emu->n_conns;

            /* Serve the connections polled, newest first so that dropping
             * one (which moves the last into its slot) skips none. */
            for (size_t i = n_conns; i-- > 0;) {
                if (pfds[4 + i].revents
                    && !fake_emu_serve(emu, &emu->conns[i])) {
                    fake_emu_drop(emu, i);
                }
            }
            fake_emu_accept(emu);
        }
    }
    while (waitpid(pid, &run->status, 0) < 0 && errno == EINTR) {
        continue;
    }
}

static void
tool_run_destroy(struct tool_run *run)
{
    ds_destroy(&run->out);
    ds_destroy(&run->err);
}

/* Asserts that 'run' exited with status 0 and printed 'expected' on
 * stdout; prints what it did otherwise. */
static void
check_tool_output(const char *command, const struct tool_run *run,
                  const char *expected)
{
    bool ok = (WIFEXITED(run->status) && !WEXITSTATUS(run->status)
               && strstr(ds_cstr_ro(&run->out), expected));

    if (!ok) {
        fprintf(stderr, "\n%s: status %d, expected \"%s\" in stdout:\n"
                "%s\nstderr:\n%s\n", command, run->status, expected,
                ds_cstr_ro(&run->out), ds_cstr_ro(&run->err));
    }
    CU_ASSERT(ok);
}

/* Calling the library directly. */

/* Opens a socket with the library's socket(AF_NETLINK, 'type', 'protocol')
 * directed at 'emu', and returns it with the fake emulator's end of the
 * connection in '*connp'. */
static int
open_client(struct fake_emu *emu, int type, int protocol,
            struct fake_conn **connp)
{
    setenv("ESW_NETLINK_DIR", emu->dir, 1);
    int fd = lib.socket(AF_NETLINK, type, protocol);
    unsetenv("ESW_NETLINK_DIR");

    CU_ASSERT_FATAL(fd >= 0);
    *connp = fake_emu_accept(emu);
    CU_ASSERT_FATAL(*connp != NULL);
    CU_ASSERT_EQUAL((*connp)->protocol, protocol);
    return fd;
}

static uint32_t
local_portid(int fd)
{
    struct sockaddr_nl nl;
    socklen_t len = sizeof nl;

    CU_ASSERT_EQUAL(lib.getsockname(fd, (struct sockaddr *) &nl, &len), 0);
    CU_ASSERT_EQUAL(len, sizeof nl);
    CU_ASSERT_EQUAL(nl.nl_family, AF_NETLINK);
    return nl.nl_pid;
}

/* Writes into 'buf' a netlink message of 'len' bytes (at least
 * NLMSG_HDRLEN) with 'pid', whose payload bytes are 'fill'. */
static void
put_test_msg(uint8_t *buf, size_t len, uint32_t pid, uint8_t fill)
{
    struct nlmsghdr nlh = {
        .nlmsg_len = len,
        .nlmsg_type = RTM_NEWLINK,
        .nlmsg_flags = NLM_F_MULTI,
        .nlmsg_seq = 5,
        .nlmsg_pid = pid,
    };

    memcpy(buf, &nlh, sizeof nlh);
    memset(buf + sizeof nlh, fill, len - sizeof nlh);
}

static uint32_t
get_test_msg_pid(const uint8_t *buf)
{
    struct nlmsghdr nlh;

    memcpy(&nlh, buf, sizeof nlh);
    return nlh.nlmsg_pid;
}

static int
real_socket_domain(int fd)
{
    int domain = -1;
    socklen_t len = sizeof domain;

    CU_ASSERT_EQUAL(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len), 0);
    return domain;
}

static void
test_socket_connects_to_emulator(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;

    /* NETLINK_ROUTE goes to rtnetlink.sock, NETLINK_GENERIC to
     * genetlink.sock (open_client() checks which one accepted). */
    int route = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    int genl = open_client(emu, SOCK_DGRAM, NETLINK_GENERIC, &conn);

    /* Underneath, unix sockets; on top, netlink sockets. */
    CU_ASSERT_EQUAL(real_socket_domain(route), AF_UNIX);
    for (int i = 0; i < 2; i++) {
        int fd = i ? genl : route;
        int value = -1;
        socklen_t len = sizeof value;

        CU_ASSERT_EQUAL(lib.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value,
                                       &len), 0);
        CU_ASSERT_EQUAL(value, AF_NETLINK);
        CU_ASSERT_EQUAL(lib.getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &value,
                                       &len), 0);
        CU_ASSERT_EQUAL(value, i ? NETLINK_GENERIC : NETLINK_ROUTE);
        CU_ASSERT_EQUAL(lib.getsockopt(fd, SOL_SOCKET, SO_TYPE, &value,
                                       &len), 0);
        CU_ASSERT_EQUAL(value, i ? SOCK_DGRAM : SOCK_RAW);
    }

    /* Neither has SOCK_CLOEXEC nor SOCK_NONBLOCK. */
    CU_ASSERT_EQUAL(fcntl(route, F_GETFD) & FD_CLOEXEC, 0);
    CU_ASSERT_EQUAL(fcntl(route, F_GETFL) & O_NONBLOCK, 0);

    /* Both flags are kept. */
    int both = open_client(emu, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
                           NETLINK_ROUTE, &conn);
    CU_ASSERT(fcntl(both, F_GETFD) & FD_CLOEXEC);
    CU_ASSERT(fcntl(both, F_GETFL) & O_NONBLOCK);

    /* Nonblocking: nothing to read yet. */
    char buf[16];
    CU_ASSERT_EQUAL(lib.recv(both, buf, sizeof buf, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    lib.close(route);
    lib.close(genl);
    lib.close(both);
    fake_emu_stop(emu);
}

static void
test_bind_and_getsockname(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;
    int a = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    int b = open_client(emu, SOCK_RAW, NETLINK_GENERIC, &conn);
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

    /* bind() to port 0 keeps the made-up port ids, which differ. */
    CU_ASSERT_EQUAL(lib.bind(a, (struct sockaddr *) &nl, sizeof nl), 0);
    uint32_t portid_a = local_portid(a);

    /* Bound, a socket can be bound again only to its port id. */
    CU_ASSERT_EQUAL(lib.bind(a, (struct sockaddr *) &nl, sizeof nl), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    nl.nl_pid = portid_a;
    CU_ASSERT_EQUAL(lib.bind(a, (struct sockaddr *) &nl, sizeof nl), 0);
    nl.nl_pid = 0;
    uint32_t portid_b = local_portid(b);
    CU_ASSERT_NOT_EQUAL(portid_a, 0);
    CU_ASSERT_NOT_EQUAL(portid_b, 0);
    CU_ASSERT_NOT_EQUAL(portid_a, portid_b);

    /* The port id and groups that bind() chooses are reported. */
    nl.nl_pid = 4242;
    nl.nl_groups = 1;
    CU_ASSERT_EQUAL(lib.bind(b, (struct sockaddr *) &nl, sizeof nl), 0);
    struct sockaddr_nl name;
    socklen_t len = sizeof name;
    CU_ASSERT_EQUAL(lib.getsockname(b, (struct sockaddr *) &name, &len), 0);
    CU_ASSERT_EQUAL(len, sizeof name);
    CU_ASSERT_EQUAL(name.nl_family, AF_NETLINK);
    CU_ASSERT_EQUAL(name.nl_pid, 4242);
    CU_ASSERT_EQUAL(name.nl_groups, 1);

    /* Binding again to another port id is EINVAL, as in the kernel. */
    nl.nl_pid = 4343;
    CU_ASSERT_EQUAL(lib.bind(b, (struct sockaddr *) &nl, sizeof nl), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(local_portid(b), 4242);

    /* Not a netlink address. */
    nl.nl_family = AF_INET;
    CU_ASSERT_EQUAL(lib.bind(a, (struct sockaddr *) &nl, sizeof nl), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    nl.nl_family = AF_NETLINK;
    CU_ASSERT_EQUAL(lib.bind(a, (struct sockaddr *) &nl, 4), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    /* A short buffer gets what fits, and the full length. */
    struct sockaddr_storage small = { .ss_family = AF_UNSPEC };
    len = 2;
    CU_ASSERT_EQUAL(lib.getsockname(a, (struct sockaddr *) &small, &len),
                    0);
    CU_ASSERT_EQUAL(len, sizeof(struct sockaddr_nl));
    CU_ASSERT_EQUAL(small.ss_family, AF_NETLINK);

    /* connect() to the kernel succeeds, to another port it does not;
     * the peer is the kernel. */
    nl = (struct sockaddr_nl) { .nl_family = AF_NETLINK };
    CU_ASSERT_EQUAL(lib.connect(a, (struct sockaddr *) &nl, sizeof nl), 0);
    nl.nl_pid = 99;
    CU_ASSERT_EQUAL(lib.connect(a, (struct sockaddr *) &nl, sizeof nl), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    len = sizeof name;
    memset(&name, 0xff, sizeof name);
    CU_ASSERT_EQUAL(lib.getpeername(a, (struct sockaddr *) &name, &len), 0);
    CU_ASSERT_EQUAL(name.nl_family, AF_NETLINK);
    CU_ASSERT_EQUAL(name.nl_pid, 0);
    CU_ASSERT_EQUAL(name.nl_groups, 0);

    lib.close(a);
    lib.close(b);
    fake_emu_stop(emu);
}

static void
test_socket_options(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;
    int fd = open_client(emu, SOCK_RAW, NETLINK_GENERIC, &conn);
    int one = 1, zero = 0, value;
    socklen_t len;

    /* What iproute2 and libmnl set. */
    static const int flags[] = {
        NETLINK_EXT_ACK, NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK,
    };
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_NETLINK, flags[i], &one,
                                       sizeof one), 0);
        len = sizeof value;
        value = -1;
        CU_ASSERT_EQUAL(lib.getsockopt(fd, SOL_NETLINK, flags[i], &value,
                                       &len), 0);
        CU_ASSERT_EQUAL(value, 1);
        CU_ASSERT_EQUAL(len, sizeof value);
    }
    CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &zero,
                                   sizeof zero), 0);
    len = sizeof value;
    CU_ASSERT_EQUAL(lib.getsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &value,
                                   &len), 0);
    CU_ASSERT_EQUAL(value, 0);
    CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                                   &one, sizeof one), 0);

    /* Unknown options and levels. */
    CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_NETLINK, 99, &one, sizeof one),
                    -1);
    CU_ASSERT_EQUAL(errno, ENOPROTOOPT);
    CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_IP, IP_TOS, &one, sizeof one),
                    -1);
    CU_ASSERT_EQUAL(errno, ENOPROTOOPT);

    /* Buffer sizes go to the unix socket. */
    int size = 262144;
    CU_ASSERT_EQUAL(lib.setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
                                   sizeof size), 0);
    len = sizeof value;
    CU_ASSERT_EQUAL(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &value, &len), 0);
    CU_ASSERT(value >= size);

    lib.close(fd);
    fake_emu_stop(emu);
}

static void
test_sendmsg_sends_one_datagram(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;
    int fd = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    uint8_t msg[40];
    uint8_t got[128];

    /* sendmsg(): three iovecs, the header split across two, make one
     * datagram; the netlink address is not sent. */
    put_test_msg(msg, sizeof msg, 0, 0xab);
    struct iovec iov[3] = {
        { .iov_base = msg, .iov_len = 6 },
        { .iov_base = msg + 6, .iov_len = 20 },
        { .iov_base = msg + 26, .iov_len = sizeof msg - 26 },
    };
    struct msghdr mh = {
        .msg_name = &kernel,
        .msg_namelen = sizeof kernel,
        .msg_iov = iov,
        .msg_iovlen = 3,
    };
    CU_ASSERT_EQUAL(lib.sendmsg(fd, &mh, 0), sizeof msg);
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT),
                    sizeof msg);
    CU_ASSERT(!memcmp(got, msg, sizeof msg));
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    /* sendto() to the kernel, send(), write(): one datagram each. */
    CU_ASSERT_EQUAL(lib.sendto(fd, msg, 20, 0, (struct sockaddr *) &kernel,
                               sizeof kernel), 20);
    CU_ASSERT_EQUAL(lib.send(fd, msg, 24, 0), 24);
    CU_ASSERT_EQUAL(lib.write(fd, msg, 28), 28);
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT), 20);
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT), 24);
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT), 28);

    /* Another port, or not a netlink address: refused, nothing sent. */
    struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = 77 };
    CU_ASSERT_EQUAL(lib.sendto(fd, msg, 20, 0, (struct sockaddr *) &other,
                               sizeof other), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    struct sockaddr_in sin = { .sin_family = AF_INET };
    CU_ASSERT_EQUAL(lib.sendto(fd, msg, 20, 0, (struct sockaddr *) &sin,
                               sizeof sin), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(lib.sendto(fd, msg, 20, 0, (struct sockaddr *) &kernel,
                               4), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    /* An empty payload sends nothing (the server would read it as end of
     * file). */
    CU_ASSERT_EQUAL(lib.send(fd, msg, 0, 0), 0);
    CU_ASSERT_EQUAL(recv(conn->fd, got, sizeof got, MSG_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    /* The server gone: ECONNREFUSED, as netlink answers a send to a port
     * that is gone, rather than the unix socket's EPIPE. */
    fake_emu_drop(emu, 0);
    CU_ASSERT_EQUAL(lib.send(fd, msg, 20, 0), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);

    lib.close(fd);
    fake_emu_stop(emu);
}

static void
test_recv_like_netlink(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;
    int fd = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    uint32_t portid = local_portid(fd);
    uint8_t dgram[3000];
    uint8_t buf[4096];

    /* Three messages: from the server's port (which becomes ours), a
     * notification (port 0), and one from another port. */
    put_test_msg(dgram, 20, conn->portid, 1);
    put_test_msg(dgram + 20, 20, 0, 2);
    put_test_msg(dgram + 40, sizeof dgram - 40, 0x12345, 3);
    ovs_assert(send(conn->fd, dgram, sizeof dgram, 0) == sizeof dgram);

    /* iproute2 peeks with MSG_PEEK | MSG_TRUNC and no buffer to learn the
     * datagram's length. */
    struct iovec iov[2] = { { NULL, 0 } };
    struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 1 };
    CU_ASSERT_EQUAL(lib.recvmsg(fd, &mh, MSG_PEEK | MSG_TRUNC),
                    sizeof dgram);
    CU_ASSERT(mh.msg_flags & MSG_TRUNC);

    /* Then reads it whole, with the kernel's address, into two iovecs that
     * split the first nlmsg_pid. */
    struct sockaddr_nl from;
    memset(&from, 0xff, sizeof from);
    iov[0] = (struct iovec) { .iov_base = buf, .iov_len = 14 };
    iov[1] = (struct iovec) { .iov_base = buf + 14,
                              .iov_len = sizeof buf - 14 };
    mh = (struct msghdr) {
        .msg_name = &from,
        .msg_namelen = sizeof from,
        .msg_iov = iov,
        .msg_iovlen = 2,
    };
    CU_ASSERT_EQUAL(lib.recvmsg(fd, &mh, 0), sizeof dgram);
    CU_ASSERT_EQUAL(mh.msg_flags, 0);
    CU_ASSERT_EQUAL(mh.msg_namelen, sizeof from);
    CU_ASSERT_EQUAL(from.nl_family, AF_NETLINK);
    CU_ASSERT_EQUAL(from.nl_pid, 0);
    CU_ASSERT_EQUAL(from.nl_groups, 0);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf), portid);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf + 20), 0);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf + 40), 0x12345);
    CU_ASSERT_EQUAL(buf[16], 1);
    CU_ASSERT_EQUAL(buf[2999], 3);

    /* recvfrom(), read() and recv() too; the server's port id is
     * remembered. */
    ovs_assert(send(conn->fd, dgram + 40, 100, 0) == 100);
    put_test_msg(dgram + 40, 100, conn->portid, 4);
    ovs_assert(send(conn->fd, dgram + 40, 100, 0) == 100);
    ovs_assert(send(conn->fd, dgram + 40, 100, 0) == 100);
    ovs_assert(send(conn->fd, dgram + 40, 100, 0) == 100);
    socklen_t fromlen = sizeof from;
    memset(&from, 0xff, sizeof from);
    CU_ASSERT_EQUAL(lib.recvfrom(fd, buf, sizeof buf, 0,
                                 (struct sockaddr *) &from, &fromlen), 100);
    CU_ASSERT_EQUAL(fromlen, sizeof from);
    CU_ASSERT_EQUAL(from.nl_family, AF_NETLINK);
    CU_ASSERT_EQUAL(from.nl_pid, 0);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf), 0x12345);
    CU_ASSERT_EQUAL(lib.read(fd, buf, sizeof buf), 100);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf), portid);
    CU_ASSERT_EQUAL(lib.recv(fd, buf, sizeof buf, 0), 100);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf), portid);

    /* The entry point of recv() in programs built with _FORTIFY_SOURCE. */
    memset(buf, 0, sizeof buf);
    CU_ASSERT_EQUAL(lib.recv_chk(fd, buf, sizeof buf, sizeof buf, 0), 100);
    CU_ASSERT_EQUAL(get_test_msg_pid(buf), portid);

    /* A datagram longer than the buffer is truncated and its rest dropped,
     * as netlink does; with MSG_TRUNC the full length is returned. */
    ovs_assert(send(conn->fd, dgram, 200, 0) == 200);
    ovs_assert(send(conn->fd, dgram, 300, 0) == 300);
    iov[0] = (struct iovec) { .iov_base = buf, .iov_len = 100 };
    mh = (struct msghdr) { .msg_iov = iov, .msg_iovlen = 1 };
    CU_ASSERT_EQUAL(lib.recvmsg(fd, &mh, 0), 100);
    CU_ASSERT(mh.msg_flags & MSG_TRUNC);
    CU_ASSERT_EQUAL(lib.recv(fd, buf, 100, MSG_TRUNC), 300);
    CU_ASSERT_EQUAL(lib.recv(fd, buf, sizeof buf, MSG_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    lib.close(fd);
    fake_emu_stop(emu);
}

static void
test_dup_and_close(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct fake_conn *conn;
    int fd = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    uint32_t portid = local_portid(fd);
    struct sockaddr_storage ss;
    socklen_t len;

    /* A duplicate is the same netlink socket. */
    int copy = lib.dup(fd);
    CU_ASSERT_FATAL(copy >= 0);
    CU_ASSERT_EQUAL(local_portid(copy), portid);
    CU_ASSERT_EQUAL(lib.close(fd), 0);
    CU_ASSERT_EQUAL(local_portid(copy), portid);

    /* Closed, the descriptor is forgotten: reused for a unix socket (here
     * behind the library's back), it is that unix socket. */
    CU_ASSERT_EQUAL(lib.close(copy), 0);
    int unix_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ovs_assert(unix_fd >= 0);
    if (unix_fd != copy) {
        ovs_assert(dup2(unix_fd, copy) == copy);
        close(unix_fd);
    }
    len = sizeof ss;
    CU_ASSERT_EQUAL(lib.getsockname(copy, (struct sockaddr *) &ss, &len), 0);
    CU_ASSERT_EQUAL(ss.ss_family, AF_UNIX);
    close(copy);

    /* dup2() makes a netlink socket, or overwrites one. */
    int sv[2];
    ovs_assert(!socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
    fd = open_client(emu, SOCK_RAW, NETLINK_ROUTE, &conn);
    CU_ASSERT_EQUAL(lib.dup2(fd, sv[0]), sv[0]);
    CU_ASSERT_EQUAL(local_portid(sv[0]), local_portid(fd));
    CU_ASSERT_EQUAL(lib.dup2(sv[1], fd), fd);
    len = sizeof ss;
    CU_ASSERT_EQUAL(lib.getsockname(fd, (struct sockaddr *) &ss, &len), 0);
    CU_ASSERT_EQUAL(ss.ss_family, AF_UNIX);

    lib.close(fd);
    lib.close(sv[0]);
    lib.close(sv[1]);
    fake_emu_stop(emu);
}

static void
test_other_sockets_untouched(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct sockaddr_storage ss;
    socklen_t len;

    /* Other netlink protocols are the kernel's. */
    setenv("ESW_NETLINK_DIR", emu->dir, 1);
    int diag = lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
                          NETLINK_SOCK_DIAG);
    CU_ASSERT_FATAL(diag >= 0);
    CU_ASSERT_EQUAL(real_socket_domain(diag), AF_NETLINK);
    CU_ASSERT_PTR_NULL(fake_emu_accept(emu));

    /* UDP works as ever, through the library's functions. */
    int udp = lib.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    CU_ASSERT_FATAL(udp >= 0);
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    CU_ASSERT_EQUAL(lib.bind(udp, (struct sockaddr *) &sin, sizeof sin), 0);
    len = sizeof sin;
    CU_ASSERT_EQUAL(lib.getsockname(udp, (struct sockaddr *) &sin, &len), 0);
    CU_ASSERT_EQUAL(sin.sin_family, AF_INET);
    CU_ASSERT_NOT_EQUAL(sin.sin_port, 0);
    CU_ASSERT_EQUAL(lib.sendto(udp, "hello", 5, 0, (struct sockaddr *) &sin,
                               sizeof sin), 5);
    char buf[16];
    len = sizeof ss;
    CU_ASSERT_EQUAL(lib.recvfrom(udp, buf, sizeof buf, 0,
                                 (struct sockaddr *) &ss, &len), 5);
    CU_ASSERT(!memcmp(buf, "hello", 5));
    CU_ASSERT_EQUAL(len, sizeof sin);
    CU_ASSERT_EQUAL(ss.ss_family, AF_INET);
    unsetenv("ESW_NETLINK_DIR");

    /* Without ESW_NETLINK_DIR, NETLINK_ROUTE is the kernel's. */
    int route = lib.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
                           NETLINK_ROUTE);
    CU_ASSERT_FATAL(route >= 0);
    CU_ASSERT_EQUAL(real_socket_domain(route), AF_NETLINK);
    CU_ASSERT_PTR_NULL(fake_emu_accept(emu));

    lib.close(diag);
    lib.close(udp);
    lib.close(route);
    fake_emu_stop(emu);
}

static void
test_unreachable_emulator(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *nowhere = xasprintf("%s/nowhere", emu->dir);
    char message[512] = "";
    int pipefd[2];

    /* Catch the message on stderr. */
    ovs_assert(!pipe2(pipefd, O_CLOEXEC | O_NONBLOCK));
    int saved_stderr = dup(STDERR_FILENO);
    ovs_assert(saved_stderr >= 0);
    ovs_assert(dup2(pipefd[1], STDERR_FILENO) == STDERR_FILENO);

    setenv("ESW_NETLINK_DIR", nowhere, 1);
    int fd = lib.socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
    int error = errno;
    unsetenv("ESW_NETLINK_DIR");

    ovs_assert(dup2(saved_stderr, STDERR_FILENO) == STDERR_FILENO);
    close(saved_stderr);
    ssize_t n = read(pipefd[0], message, sizeof message - 1);
    message[MAX(n, 0)] = '\0';
    close(pipefd[0]);
    close(pipefd[1]);

    CU_ASSERT_EQUAL(fd, -1);
    CU_ASSERT_EQUAL(error, ECONNREFUSED);
    char *expected = xasprintf("esw-netlink-redirect: cannot reach "
                               "sriov-nic-emu at %s/genetlink.sock: No such "
                               "file or directory\n", nowhere);
    CU_ASSERT_STRING_EQUAL(message, expected);

    free(expected);
    free(nowhere);
    fake_emu_stop(emu);
}

/* The real tools. */

static void
test_ip_link_show(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *argv[] = { "ip", "link", "show", NULL };
    struct tool_run run;

    run_tool(emu, emu->dir, argv, &run);
    check_tool_output("ip link show", &run, "7: " REP_NAME ": ");
    check_tool_output("ip link show", &run, "link/ether " REP_MAC);
    CU_ASSERT(emu->n_requests > 0);
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

static void
test_tc_filter_show(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *argv[] = { "tc", "filter", "show", "dev", REP_NAME, "ingress",
                     NULL };
    struct tool_run run;

    /* tc looks "rep0" up with RTM_GETLINK, then dumps its filters. */
    run_tool(emu, emu->dir, argv, &run);
    check_tool_output("tc filter show", &run,
                      "filter protocol ip pref 1 flower chain 0 handle 0x1");
    check_tool_output("tc filter show", &run, "dst_mac " FILTER_DST_MAC);
    check_tool_output("tc filter show", &run, "skip_sw");
    check_tool_output("tc filter show", &run, "action drop");
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

static void
test_devlink_dev_show(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *argv[] = { "devlink", "dev", "show", NULL };
    struct tool_run run;

    /* devlink resolves its family through nlctrl first. */
    run_tool(emu, emu->dir, argv, &run);
    check_tool_output("devlink dev show", &run,
                      DEVLINK_BUS "/" DEVLINK_DEV "\n");
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

static void
test_devlink_port_show(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *argv[] = { "devlink", "port", "show", NULL };
    struct tool_run run;

    run_tool(emu, emu->dir, argv, &run);
    check_tool_output("devlink port show", &run,
                      DEVLINK_BUS "/" DEVLINK_DEV "/1: type eth netdev "
                      REP_NAME " flavour pcivf");
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

static void
test_preloaded_udp(void)
{
    struct fake_emu *emu = fake_emu_start();
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    socklen_t len = sizeof sin;
    int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    ovs_assert(udp >= 0);
    ovs_assert(!bind(udp, (struct sockaddr *) &sin, sizeof sin));
    ovs_assert(!getsockname(udp, (struct sockaddr *) &sin, &len));

    /* bash's /dev/udp: socket(), connect() and write() on a UDP socket in
     * a preloaded process. */
    char *script = xasprintf("echo hello >/dev/udp/127.0.0.1/%d",
                             ntohs(sin.sin_port));
    char *argv[] = { "bash", "-c", script, NULL };
    struct tool_run run;
    run_tool(emu, emu->dir, argv, &run);
    CU_ASSERT(WIFEXITED(run.status) && !WEXITSTATUS(run.status));

    char buf[16];
    CU_ASSERT_EQUAL(recv(udp, buf, sizeof buf, MSG_DONTWAIT), 6);
    CU_ASSERT(!memcmp(buf, "hello\n", 6));
    CU_ASSERT_PTR_NULL(fake_emu_accept(emu));

    close(udp);
    free(script);
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

static void
test_ip_link_show_unreachable(void)
{
    struct fake_emu *emu = fake_emu_start();
    char *nowhere = xasprintf("%s/nowhere", emu->dir);
    char *argv[] = { "ip", "link", "show", NULL };
    struct tool_run run;

    run_tool(NULL, nowhere, argv, &run);
    CU_ASSERT(WIFEXITED(run.status) && WEXITSTATUS(run.status));

    char *expected = xasprintf("esw-netlink-redirect: cannot reach "
                               "sriov-nic-emu at %s/rtnetlink.sock: ",
                               nowhere);
    if (!strstr(ds_cstr_ro(&run.err), expected)) {
        fprintf(stderr, "\nexpected \"%s\" in stderr:\n%s\n", expected,
                ds_cstr_ro(&run.err));
        CU_FAIL("no clear message");
    }

    free(expected);
    free(nowhere);
    tool_run_destroy(&run);
    fake_emu_stop(emu);
}

/* The suite. */

static char *
find_library(void)
{
    const char *path = getenv("ESW_NETLINK_REDIRECT_SO");
    char exe[4096];

    if (path && path[0]) {
        return xstrdup(path);
    }

    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n < 0) {
        return NULL;
    }
    exe[n] = '\0';

    char *dir = dir_name(exe);
    char *lib_path = xasprintf("%s/../utilities/esw-netlink-redirect.so",
                               dir);
    free(dir);
    return lib_path;
}

static void *
lib_symbol(const char *name)
{
    void *sym = dlsym(lib.handle, name);

    if (!sym) {
        fprintf(stderr, "%s: no %s(): %s\n", library_path, name, dlerror());
    }
    return sym;
}

static int
suite_init(void)
{
    library_path = find_library();
    if (!library_path) {
        fprintf(stderr, "cannot find esw-netlink-redirect.so (set "
                "ESW_NETLINK_REDIRECT_SO)\n");
        return -1;
    }
    lib.handle = dlopen(library_path, RTLD_NOW | RTLD_LOCAL);
    if (!lib.handle) {
        fprintf(stderr, "%s (set ESW_NETLINK_REDIRECT_SO)\n", dlerror());
        return -1;
    }

    lib.socket = lib_symbol("socket");
    lib.bind = lib_symbol("bind");
    lib.connect = lib_symbol("connect");
    lib.getsockname = lib_symbol("getsockname");
    lib.getpeername = lib_symbol("getpeername");
    lib.setsockopt = lib_symbol("setsockopt");
    lib.getsockopt = lib_symbol("getsockopt");
    lib.sendmsg = lib_symbol("sendmsg");
    lib.sendto = lib_symbol("sendto");
    lib.send = lib_symbol("send");
    lib.write = lib_symbol("write");
    lib.recvmsg = lib_symbol("recvmsg");
    lib.recvfrom = lib_symbol("recvfrom");
    lib.recv = lib_symbol("recv");
    lib.read = lib_symbol("read");
    lib.recv_chk = lib_symbol("__recv_chk");
    lib.close = lib_symbol("close");
    lib.dup = lib_symbol("dup");
    lib.dup2 = lib_symbol("dup2");
    return (lib.socket && lib.bind && lib.connect && lib.getsockname
            && lib.getpeername && lib.setsockopt && lib.getsockopt
            && lib.sendmsg && lib.sendto && lib.send && lib.write
            && lib.recvmsg && lib.recvfrom && lib.recv && lib.read
            && lib.recv_chk && lib.close && lib.dup && lib.dup2) ? 0 : -1;
}

static int
suite_cleanup(void)
{
    if (lib.handle) {
        dlclose(lib.handle);
    }
    memset(&lib, 0, sizeof lib);
    free(library_path);
    library_path = NULL;
    return 0;
}

CU_pSuite
test_netlink_redirect_suite(void)
{
    static const struct {
        const char *name;
        CU_TestFunc func;
    } tests[] = {
#define T(FUNC) { #FUNC, test_##FUNC }
        T(socket_connects_to_emulator), T(bind_and_getsockname),
        T(socket_options), T(sendmsg_sends_one_datagram),
        T(recv_like_netlink), T(dup_and_close),
        T(other_sockets_untouched), T(unreachable_emulator),
        T(ip_link_show), T(tc_filter_show), T(devlink_dev_show),
        T(devlink_port_show), T(preloaded_udp),
        T(ip_link_show_unreachable),
#undef T
    };
    CU_pSuite suite = CU_add_suite("netlink_redirect", suite_init,
                                   suite_cleanup);

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
