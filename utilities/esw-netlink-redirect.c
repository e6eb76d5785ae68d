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

/* esw-netlink-redirect.so: lets unmodified programs (iproute2's "ip", "tc"
 * and "devlink") talk netlink to sriov-nic-emu instead of the kernel, when
 * preloaded with LD_PRELOAD (utilities/esw-nl does that).
 *
 * An exception to the project's rule that every .c file starts with
 * <config.h>: this library is loaded into foreign processes, so it uses
 * nothing from Open vSwitch (neither its config.h nor its library), only
 * libc.
 *
 * Redirection.  When the environment has ESW_NETLINK_DIR=DIR (nonempty),
 * socket(AF_NETLINK, SOCK_RAW or SOCK_DGRAM, NETLINK_ROUTE or
 * NETLINK_GENERIC) returns a unix SOCK_SEQPACKET socket connected to
 * DIR/rtnetlink.sock or DIR/genetlink.sock, where sriov-nic-emu serves
 * netlink (see emu/emu-netlink.h), keeping SOCK_CLOEXEC and SOCK_NONBLOCK.
 * If it cannot connect, socket() prints one line that names the path on
 * stderr and fails with ECONNREFUSED.  Every other socket, and every socket
 * when ESW_NETLINK_DIR is unset or empty, is libc's, untouched.
 *
 * On a redirected socket, the calls behave as on a netlink socket that
 * talks to the kernel:
 *
 *   - bind() takes a struct sockaddr_nl and records its nl_pid (if
 *     nonzero) and nl_groups; binding again to another port id (0
 *     included) is EINVAL, as in the kernel.  getsockname() reports them,
 *     or the port id that socket() made up if bind() gave none: the
 *     process id for the first socket of a process, then (uint32_t) -4096,
 *     -4097, ..., as the kernel autobinds.  (The kernel reports port 0
 *     until a socket is bound or sends; here the port id exists from the
 *     start.)  connect() to the kernel (nl_pid 0) or AF_UNSPEC succeeds;
 *     getpeername() reports the kernel.
 *
 *   - setsockopt(SOL_NETLINK) accepts the options that the kernel accepts,
 *     and getsockopt(SOL_NETLINK) reports the on/off ones as they were set
 *     (NETLINK_LIST_MEMBERSHIPS reports none); none of them changes what
 *     sriov-nic-emu sends.  SOL_SOCKET options go to the unix socket
 *     (buffer sizes, filters...), except that SO_DOMAIN, SO_PROTOCOL and
 *     SO_TYPE report the netlink socket.
 *
 *   - sendmsg(), sendto(), send(), write() and writev() send their whole
 *     payload, gathered from every iovec, as one datagram, which is what
 *     one netlink sendmsg() carries.  The destination, if any, must be a
 *     struct sockaddr_nl (else EINVAL) for the kernel, nl_pid 0 (else
 *     ECONNREFUSED: there is no other port); its nl_groups are ignored.  An
 *     empty payload sends nothing.  A send after sriov-nic-emu went away
 *     fails with ECONNREFUSED (not EPIPE), and never raises SIGPIPE.
 *
 *   - recvmsg(), recvfrom(), recv(), read() and readv() (and their
 *     _FORTIFY_SOURCE variants __recvfrom_chk(), __recv_chk() and
 *     __read_chk()) receive one datagram, as netlink does: MSG_PEEK,
 *     MSG_TRUNC (the datagram's full length) and MSG_DONTWAIT work, a
 *     datagram longer than the buffer is truncated and its rest dropped
 *     (msg_flags has MSG_TRUNC).  The sender address, if asked for, is the
 *     kernel's: struct sockaddr_nl {AF_NETLINK, nl_pid 0, nl_groups 0}.
 *     No control messages are received.
 *
 *   - close(), close_range(), dup(), dup2() and dup3() keep track of the
 *     redirected descriptors; fcntl() goes to libc (a descriptor duplicated
 *     with F_DUPFD is a plain unix socket).
 *
 * Port ids.  sriov-nic-emu gives each connection a port id of its own and
 * puts it in the nlmsg_pid of its replies, but it cannot know the port id
 * that the client's getsockname() reported, with which iproute2 and libmnl
 * compare nlmsg_pid.  So the first nonzero nlmsg_pid received on a socket
 * is taken as sriov-nic-emu's port id for it, and in every message
 * received, an nlmsg_pid equal to that is replaced by the socket's own port
 * id, as if the kernel had addressed it.  Other nlmsg_pid values (0 for
 * notifications) are left alone.
 *
 * Not emulated: multicast (no notifications arrive; bind() and
 * NETLINK_ADD_MEMBERSHIP accept groups silently), sendmmsg()/recvmmsg(),
 * and the effect of NETLINK_CAP_ACK and NETLINK_EXT_ACK on what the server
 * sends.  A redirected descriptor closed other than by close(),
 * close_range(), dup2() or dup3() (for example by fclose() of an fdopen()ed
 * stream) stays marked as redirected.
 *
 * Thread safety: the redirected descriptors are a fixed table indexed by
 * descriptor (descriptors of MAX_FDS or more are refused with EMFILE).  An
 * entry is in use when its port id is nonzero; the I/O calls look it up
 * with lock-free atomic loads, so the calls on other descriptors cost one
 * atomic load.  socket(), bind(), close() and dup*() change entries while
 * holding 'table_mutex', so that they are ordered with each other and an
 * entry is never filled for a descriptor that is being closed.  The peer's
 * port id is learnt with a compare-and-swap. */

#define _GNU_SOURCE 1           /* RTLD_NEXT, dup3(), close_range(). */
#undef _FORTIFY_SOURCE          /* Its inline read() and recv() would clash
                                 * with the definitions here. */

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

/* Descriptors from 0 to MAX_FDS - 1 may be redirected. */
#define MAX_FDS 65536

/* Names of the sockets on which sriov-nic-emu serves each protocol. */
#define RTNETLINK_SOCKET "rtnetlink.sock"
#define GENETLINK_SOCKET "genetlink.sock"

#define PROGRAM "esw-netlink-redirect"

/* The fortified entry points, which glibc declares only with
 * _FORTIFY_SOURCE. */
ssize_t __read_chk(int fd, void *buf, size_t nbytes, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen,
                       int flags, struct sockaddr *addr,
                       socklen_t *addrlen);
void __chk_fail(void) __attribute__((__noreturn__));

/* The functions that this library replaces, as the next object (libc)
 * defines them. */
struct libc_functions {
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
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
                        socklen_t *);
    ssize_t (*recv)(int, void *, size_t, int);
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*read_chk)(int, void *, size_t, size_t);
    ssize_t (*recv_chk)(int, void *, size_t, size_t, int);
    ssize_t (*recvfrom_chk)(int, void *, size_t, size_t, int,
                            struct sockaddr *, socklen_t *);
    int (*close)(int);
    int (*close_range)(unsigned int, unsigned int, int);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
};

static struct libc_functions libc_fns;
static pthread_once_t libc_once = PTHREAD_ONCE_INIT;

/* The state of one descriptor. */
struct redirect {
    _Atomic uint32_t portid;    /* Our port id; 0: not redirected. */
    _Atomic uint32_t peer_portid; /* sriov-nic-emu's port id for us, or 0
                                   * until its first reply. */
    _Atomic uint32_t groups;    /* nl_groups given to bind(). */
    _Atomic uint32_t options;   /* Bit N: on/off SOL_NETLINK option N on. */
    _Atomic int protocol;       /* NETLINK_ROUTE or NETLINK_GENERIC. */
    _Atomic int type;           /* SOCK_RAW or SOCK_DGRAM. */
    _Atomic bool bound;         /* bind() has been called. */
};

static struct redirect redirects[MAX_FDS];
static pthread_mutex_t table_mutex = PTHREAD_MUTEX_INITIALIZER;

/* Port ids made up by socket(); protected by 'table_mutex'. */
static pid_t pid_portid_owner;  /* Process that used its id as a port id. */
static uint32_t portid_rover = (uint32_t) -4096;

/* Looking up libc. */

static void *
next_symbol(const char *name, bool required)
{
    void *sym = dlsym(RTLD_NEXT, name);

    if (!sym && required) {
        /* No ovs_abort() here: this library does not use OVS's. */
        fprintf(stderr, PROGRAM ": cannot find %s() in libc: %s\n", name,
                dlerror());
        abort();
    }
    return sym;
}

static void
resolve_libc(void)
{
    struct libc_functions *f = &libc_fns;

    f->socket = next_symbol("socket", true);
    f->bind = next_symbol("bind", true);
    f->connect = next_symbol("connect", true);
    f->getsockname = next_symbol("getsockname", true);
    f->getpeername = next_symbol("getpeername", true);
    f->setsockopt = next_symbol("setsockopt", true);
    f->getsockopt = next_symbol("getsockopt", true);
    f->sendmsg = next_symbol("sendmsg", true);
    f->sendto = next_symbol("sendto", true);
    f->send = next_symbol("send", true);
    f->write = next_symbol("write", true);
    f->writev = next_symbol("writev", true);
    f->recvmsg = next_symbol("recvmsg", true);
    f->recvfrom = next_symbol("recvfrom", true);
    f->recv = next_symbol("recv", true);
    f->read = next_symbol("read", true);
    f->readv = next_symbol("readv", true);
    f->read_chk = next_symbol("__read_chk", true);
    f->recv_chk = next_symbol("__recv_chk", true);
    f->recvfrom_chk = next_symbol("__recvfrom_chk", true);
    f->close = next_symbol("close", true);
    f->close_range = next_symbol("close_range", false);
    f->dup = next_symbol("dup", true);
    f->dup2 = next_symbol("dup2", true);
    f->dup3 = next_symbol("dup3", true);
}

static const struct libc_functions *
libc(void)
{
    pthread_once(&libc_once, resolve_libc);
    return &libc_fns;
}

/* The table of redirected descriptors. */

/* Returns the state of 'fd' if it is a redirected socket, otherwise
 * NULL. */
static struct redirect *
lookup(int fd)
{
    if (fd >= 0 && fd < MAX_FDS
        && atomic_load_explicit(&redirects[fd].portid,
                                memory_order_acquire)) {
        return &redirects[fd];
    }
    return NULL;
}

/* Makes up a port id for a new socket.  The caller holds 'table_mutex'. */
static uint32_t
new_portid(void)
{
    pid_t pid = getpid();

    if (pid_portid_owner != pid) {
        pid_portid_owner = pid;
        return pid;
    }
    if (portid_rover == (uint32_t) pid || !portid_rover) {
        portid_rover--;
    }
    return portid_rover--;
}

/* Marks 'fd' as not redirected.  The caller holds 'table_mutex'. */
static void
forget_locked(int fd)
{
    if (fd >= 0 && fd < MAX_FDS) {
        struct redirect *r = &redirects[fd];

        atomic_store_explicit(&r->portid, 0, memory_order_release);
        atomic_store(&r->peer_portid, 0);
        atomic_store(&r->groups, 0);
        atomic_store(&r->options, 0);
        atomic_store(&r->protocol, 0);
        atomic_store(&r->type, 0);
        atomic_store(&r->bound, false);
    }
}

/* Makes 'dst' a redirected socket in the state of 'src' (both valid
 * descriptors, 'src' redirected or not).  The caller holds
 * 'table_mutex'. */
static void
copy_locked(int dst, int src)
{
    const struct redirect *s = lookup(src);

    forget_locked(dst);
    if (s && dst >= 0 && dst < MAX_FDS) {
        struct redirect *d = &redirects[dst];

        atomic_store(&d->peer_portid, atomic_load(&s->peer_portid));
        atomic_store(&d->groups, atomic_load(&s->groups));
        atomic_store(&d->options, atomic_load(&s->options));
        atomic_store(&d->protocol, atomic_load(&s->protocol));
        atomic_store(&d->type, atomic_load(&s->type));
        atomic_store(&d->bound, atomic_load(&s->bound));
        atomic_store_explicit(&d->portid, atomic_load(&s->portid),
                              memory_order_release);
    }
}

static void
forget(int fd)
{
    pthread_mutex_lock(&table_mutex);
    forget_locked(fd);
    pthread_mutex_unlock(&table_mutex);
}

/* Helpers. */

static void
put_nl_address(struct sockaddr *addr, socklen_t *lenp, uint32_t portid,
               uint32_t groups)
{
    struct sockaddr_nl nl = {
        .nl_family = AF_NETLINK,
        .nl_pid = portid,
        .nl_groups = groups,
    };

    if (addr) {
        memcpy(addr, &nl, *lenp < sizeof nl ? *lenp : sizeof nl);
    }
    *lenp = sizeof nl;
}

/* Checks that the 'len' bytes at 'addr' are a netlink address for the
 * kernel, or no address at all ('len' 0, as the kernel reads it).  Returns
 * 0 or a positive errno. */
static int
check_destination(const void *addr, socklen_t len)
{
    struct sockaddr_nl nl;

    if (!len) {
        return 0;
    } else if (!addr || len < sizeof nl) {
        return EINVAL;
    }
    memcpy(&nl, addr, sizeof nl);
    return (nl.nl_family != AF_NETLINK ? EINVAL
            : nl.nl_pid ? ECONNREFUSED
            : 0);
}

static size_t
iov_size(const struct iovec *iov, size_t iovcnt)
{
    size_t size = 0;

    for (size_t i = 0; i < iovcnt; i++) {
        size += iov[i].iov_len;
    }
    return size;
}

/* Copies 'n' bytes at offset 'ofs' of the data scattered over 'iov' to
 * 'dst' ('to_iov' false) or from 'src' to there ('to_iov' true).  The
 * caller ensures that the data has 'ofs' + 'n' bytes. */
static void
iov_copy(const struct iovec *iov, size_t iovcnt, size_t ofs, void *buf,
         size_t n, bool to_iov)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < iovcnt && n; i++) {
        if (ofs >= iov[i].iov_len) {
            ofs -= iov[i].iov_len;
            continue;
        }

        size_t chunk = iov[i].iov_len - ofs;
        uint8_t *base = (uint8_t *) iov[i].iov_base + ofs;

        chunk = chunk < n ? chunk : n;
        if (to_iov) {
            memcpy(base, p, chunk);
        } else {
            memcpy(p, base, chunk);
        }
        p += chunk;
        n -= chunk;
        ofs = 0;
    }
}

/* In each netlink message among the 'size' bytes received into 'iov' for
 * redirected socket 'r', replaces sriov-nic-emu's port id by ours (see
 * "Port ids" above).  Stops at the first malformed message. */
static void
translate_portids(struct redirect *r, const struct iovec *iov,
                  size_t iovcnt, size_t size)
{
    uint32_t portid = atomic_load(&r->portid);
    size_t ofs = 0;

    while (size - ofs >= sizeof(struct nlmsghdr)) {
        struct nlmsghdr nlh;

        iov_copy(iov, iovcnt, ofs, &nlh, sizeof nlh, false);
        if (nlh.nlmsg_len < sizeof nlh) {
            break;
        }
        if (nlh.nlmsg_pid) {
            uint32_t peer = 0;

            if (!atomic_compare_exchange_strong(&r->peer_portid, &peer,
                                                nlh.nlmsg_pid)) {
                /* 'peer' is now the port id learnt before. */
            } else {
                peer = nlh.nlmsg_pid;
            }
            if (nlh.nlmsg_pid == peer) {
                iov_copy(iov, iovcnt,
                         ofs + offsetof(struct nlmsghdr, nlmsg_pid),
                         &portid, sizeof portid, true);
            }
        }

        size_t step = NLMSG_ALIGN(nlh.nlmsg_len);
        if (step < nlh.nlmsg_len || step >= size - ofs) {
            break;
        }
        ofs += step;
    }
}

/* Sends the payload of 'msg' (which has no address and no control data) as
 * one datagram on redirected socket 'fd'. */
static ssize_t
send_datagram(int fd, const struct msghdr *msg, int flags)
{
    if (!iov_size(msg->msg_iov, msg->msg_iovlen)) {
        /* An empty datagram would read as end of file to the server. */
        return 0;
    }

    ssize_t n = libc()->sendmsg(fd, msg, flags | MSG_NOSIGNAL);
    if (n < 0 && errno == EPIPE) {
        errno = ECONNREFUSED;
    }
    return n;
}

/* Receives one datagram on redirected socket 'fd' (state 'r') as recvmsg()
 * would on a netlink socket. */
static ssize_t
recv_datagram(int fd, struct redirect *r, struct msghdr *msg, int flags)
{
    struct msghdr unix_msg = {
        .msg_iov = msg->msg_iov,
        .msg_iovlen = msg->msg_iovlen,
    };
    ssize_t n = libc()->recvmsg(fd, &unix_msg, flags);

    if (n < 0) {
        return n;
    }
    msg->msg_flags = unix_msg.msg_flags & ~MSG_CTRUNC;
    msg->msg_controllen = 0;
    if (msg->msg_name) {
        put_nl_address(msg->msg_name, &msg->msg_namelen, 0, 0);
    }

    size_t received = iov_size(msg->msg_iov, msg->msg_iovlen);
    if ((size_t) n < received) {
        received = n;
    }
    translate_portids(r, msg->msg_iov, msg->msg_iovlen, received);
    return n;
}

static ssize_t
recv_buffer(int fd, struct redirect *r, void *buf, size_t len, int flags,
            struct sockaddr *addr, socklen_t *addrlen)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = {
        .msg_name = addr && addrlen ? addr : NULL,
        .msg_namelen = addr && addrlen ? *addrlen : 0,
        .msg_iov = &iov,
        .msg_iovlen = 1,
    };
    ssize_t n = recv_datagram(fd, r, &msg, flags);

    if (n >= 0 && addr && addrlen) {
        *addrlen = msg.msg_namelen;
    }
    return n;
}

static void
report_unreachable(const char *path, int error)
{
    errno = error;
    fprintf(stderr, PROGRAM ": cannot reach sriov-nic-emu at %s: %m\n",
            path);
}

/* Opens a unix socket connected to sriov-nic-emu's socket for 'protocol'
 * in 'dir', as socket(AF_NETLINK, 'type', 'protocol') would open a netlink
 * socket. */
static int
open_redirected(const char *dir, int type, int protocol)
{
    const char *name = (protocol == NETLINK_ROUTE
                        ? RTNETLINK_SOCKET : GENETLINK_SOCKET);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int len = snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", dir,
                       name);

    if (len < 0 || len >= sizeof sun.sun_path) {
        fprintf(stderr, PROGRAM ": cannot reach sriov-nic-emu at %s/%s: "
                "path too long for a unix socket\n", dir, name);
        errno = ECONNREFUSED;
        return -1;
    }

    int fd = libc()->socket(AF_UNIX, SOCK_SEQPACKET | (type & SOCK_CLOEXEC),
                            0);
    if (fd < 0) {
        return -1;
    }

    int retval;
    do {
        retval = libc()->connect(fd, (struct sockaddr *) &sun, sizeof sun);
    } while (retval < 0 && errno == EINTR);
    if (retval < 0) {
        int error = errno;

        libc()->close(fd);
        report_unreachable(sun.sun_path, error);
        errno = ECONNREFUSED;
        return -1;
    }

    if (type & SOCK_NONBLOCK) {
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            int error = errno;

            libc()->close(fd);
            errno = error;
            return -1;
        }
    }

    if (fd >= MAX_FDS) {
        libc()->close(fd);
        fprintf(stderr, PROGRAM ": descriptor %d is too high to redirect "
                "(the limit is %d)\n", fd, MAX_FDS);
        errno = EMFILE;
        return -1;
    }

    pthread_mutex_lock(&table_mutex);
    struct redirect *r = &redirects[fd];
    forget_locked(fd);
    atomic_store(&r->protocol, protocol);
    atomic_store(&r->type, type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK));
    atomic_store_explicit(&r->portid, new_portid(), memory_order_release);
    pthread_mutex_unlock(&table_mutex);
    return fd;
}

/* Returns true if 'optname' is a SOL_NETLINK option that setsockopt()
 * accepts, and sets '*is_flag' to whether it is an on/off option. */
static bool
is_netlink_option(int optname, bool *is_flag)
{
    switch (optname) {
    case NETLINK_ADD_MEMBERSHIP:
    case NETLINK_DROP_MEMBERSHIP:
        *is_flag = false;
        return true;
    case NETLINK_PKTINFO:
    case NETLINK_BROADCAST_ERROR:
    case NETLINK_NO_ENOBUFS:
    case NETLINK_LISTEN_ALL_NSID:
    case NETLINK_CAP_ACK:
    case NETLINK_EXT_ACK:
    case NETLINK_GET_STRICT_CHK:
        *is_flag = true;
        return true;
    default:
        return false;
    }
}

/* The replaced functions. */

int
socket(int domain, int type, int protocol)
{
    int base_type = type & ~(SOCK_CLOEXEC | SOCK_NONBLOCK);
    const char *dir;

    if (domain == AF_NETLINK
        && (protocol == NETLINK_ROUTE || protocol == NETLINK_GENERIC)
        && (base_type == SOCK_RAW || base_type == SOCK_DGRAM)
        && (dir = getenv("ESW_NETLINK_DIR")) != NULL && dir[0]) {
        return open_redirected(dir, type, protocol);
    }
    return libc()->socket(domain, type, protocol);
}

int
bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    struct sockaddr_nl nl;
    int error = 0;

    if (!lookup(fd)) {
        return libc()->bind(fd, addr, len);
    }
    if (!addr || len < sizeof nl) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&nl, addr, sizeof nl);
    if (nl.nl_family != AF_NETLINK) {
        errno = EINVAL;
        return -1;
    }

    pthread_mutex_lock(&table_mutex);
    struct redirect *r = lookup(fd);
    if (!r) {
        error = EBADF;          /* Closed meanwhile. */
    } else if (atomic_load(&r->bound)
               && nl.nl_pid != atomic_load(&r->portid)) {
        error = EINVAL;         /* As the kernel, even for port 0. */
    } else {
        if (nl.nl_pid) {
            atomic_store(&r->portid, nl.nl_pid);
        }
        atomic_store(&r->groups, nl.nl_groups);
        atomic_store(&r->bound, true);
    }
    pthread_mutex_unlock(&table_mutex);

    if (error) {
        errno = error;
        return -1;
    }
    return 0;
}

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    sa_family_t family;

    if (!lookup(fd)) {
        return libc()->connect(fd, addr, len);
    }
    if (!addr || len < sizeof family) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&family, addr, sizeof family);
    if (family == AF_UNSPEC) {
        return 0;
    }

    int error = check_destination(addr, len);
    if (error) {
        errno = error;
        return -1;
    }
    return 0;
}

int
getsockname(int fd, struct sockaddr *addr, socklen_t *lenp)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->getsockname(fd, addr, lenp);
    } else if (!lenp) {
        errno = EFAULT;
        return -1;
    }
    put_nl_address(addr, lenp, atomic_load(&r->portid),
                   atomic_load(&r->groups));
    return 0;
}

int
getpeername(int fd, struct sockaddr *addr, socklen_t *lenp)
{
    if (!lookup(fd)) {
        return libc()->getpeername(fd, addr, lenp);
    } else if (!lenp) {
        errno = EFAULT;
        return -1;
    }
    put_nl_address(addr, lenp, 0, 0);
    return 0;
}

int
setsockopt(int fd, int level, int optname, const void *optval,
           socklen_t optlen)
{
    struct redirect *r = lookup(fd);
    bool is_flag;

    if (!r || level == SOL_SOCKET) {
        return libc()->setsockopt(fd, level, optname, optval, optlen);
    } else if (level != SOL_NETLINK || !is_netlink_option(optname,
                                                          &is_flag)) {
        errno = ENOPROTOOPT;
        return -1;
    }

    /* As the kernel: a value shorter than an int counts as 0. */
    int value = 0;
    if (optlen >= sizeof value) {
        if (!optval) {
            errno = EFAULT;
            return -1;
        }
        memcpy(&value, optval, sizeof value);
    }
    if (is_flag) {
        if (value) {
            atomic_fetch_or(&r->options, 1u << optname);
        } else {
            atomic_fetch_and(&r->options, ~(1u << optname));
        }
    }
    return 0;
}

int
getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
    struct redirect *r = lookup(fd);
    bool is_flag;
    int value;

    if (!r) {
        return libc()->getsockopt(fd, level, optname, optval, optlen);
    } else if (level == SOL_SOCKET) {
        switch (optname) {
        case SO_DOMAIN:
            value = AF_NETLINK;
            break;
        case SO_PROTOCOL:
            value = atomic_load(&r->protocol);
            break;
        case SO_TYPE:
            value = atomic_load(&r->type);
            break;
        default:
            return libc()->getsockopt(fd, level, optname, optval, optlen);
        }
    } else if (level == SOL_NETLINK && optname == NETLINK_LIST_MEMBERSHIPS) {
        if (!optlen) {
            errno = EFAULT;
            return -1;
        }
        *optlen = 0;
        return 0;
    } else if (level == SOL_NETLINK && is_netlink_option(optname, &is_flag)
               && is_flag) {
        value = (atomic_load(&r->options) >> optname) & 1;
    } else {
        errno = ENOPROTOOPT;
        return -1;
    }

    if (!optlen || !optval) {
        errno = EFAULT;
        return -1;
    } else if (*optlen < sizeof value) {
        errno = EINVAL;
        return -1;
    }
    memcpy(optval, &value, sizeof value);
    *optlen = sizeof value;
    return 0;
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (!lookup(fd)) {
        return libc()->sendmsg(fd, msg, flags);
    } else if (!msg) {
        errno = EFAULT;
        return -1;
    }

    int error = check_destination(msg->msg_name, msg->msg_namelen);
    if (error) {
        errno = error;
        return -1;
    }

    struct msghdr unix_msg = {
        .msg_iov = msg->msg_iov,
        .msg_iovlen = msg->msg_iovlen,
    };
    return send_datagram(fd, &unix_msg, flags);
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
       const struct sockaddr *addr, socklen_t addrlen)
{
    if (!lookup(fd)) {
        return libc()->sendto(fd, buf, len, flags, addr, addrlen);
    }

    int error = check_destination(addr, addrlen);
    if (error) {
        errno = error;
        return -1;
    }

    struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    return send_datagram(fd, &msg, flags);
}

ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
    if (!lookup(fd)) {
        return libc()->send(fd, buf, len, flags);
    }

    struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    return send_datagram(fd, &msg, flags);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
    if (!lookup(fd)) {
        return libc()->write(fd, buf, len);
    }

    struct iovec iov = { .iov_base = (void *) buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    return send_datagram(fd, &msg, 0);
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
    if (!lookup(fd)) {
        return libc()->writev(fd, iov, iovcnt);
    } else if (iovcnt < 0) {
        errno = EINVAL;
        return -1;
    }

    struct msghdr msg = {
        .msg_iov = (struct iovec *) iov,
        .msg_iovlen = iovcnt,
    };
    return send_datagram(fd, &msg, 0);
}

ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->recvmsg(fd, msg, flags);
    } else if (!msg) {
        errno = EFAULT;
        return -1;
    }
    return recv_datagram(fd, r, msg, flags);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
         socklen_t *addrlen)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->recvfrom(fd, buf, len, flags, addr, addrlen);
    }
    return recv_buffer(fd, r, buf, len, flags, addr, addrlen);
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->recv(fd, buf, len, flags);
    }
    return recv_buffer(fd, r, buf, len, flags, NULL, NULL);
}

ssize_t
read(int fd, void *buf, size_t len)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->read(fd, buf, len);
    }
    return recv_buffer(fd, r, buf, len, 0, NULL, NULL);
}

ssize_t
readv(int fd, const struct iovec *iov, int iovcnt)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->readv(fd, iov, iovcnt);
    } else if (iovcnt < 0) {
        errno = EINVAL;
        return -1;
    }

    struct msghdr msg = {
        .msg_iov = (struct iovec *) iov,
        .msg_iovlen = iovcnt,
    };
    return recv_datagram(fd, r, &msg, 0);
}

ssize_t
__read_chk(int fd, void *buf, size_t len, size_t buflen)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->read_chk(fd, buf, len, buflen);
    } else if (len > buflen) {
        __chk_fail();
    }
    return recv_buffer(fd, r, buf, len, 0, NULL, NULL);
}

ssize_t
__recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->recv_chk(fd, buf, len, buflen, flags);
    } else if (len > buflen) {
        __chk_fail();
    }
    return recv_buffer(fd, r, buf, len, flags, NULL, NULL);
}

ssize_t
__recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags,
               struct sockaddr *addr, socklen_t *addrlen)
{
    struct redirect *r = lookup(fd);

    if (!r) {
        return libc()->recvfrom_chk(fd, buf, len, buflen, flags, addr,
                                    addrlen);
    } else if (len > buflen) {
        __chk_fail();
    }
    return recv_buffer(fd, r, buf, len, flags, addr, addrlen);
}

int
close(int fd)
{
    if (lookup(fd)) {
        forget(fd);
    }
    return libc()->close(fd);
}

int
close_range(unsigned int first, unsigned int last, int flags)
{
    if (!libc()->close_range) {
        errno = ENOSYS;
        return -1;
    }
    if (!(flags & CLOSE_RANGE_CLOEXEC) && first < MAX_FDS) {
        unsigned int end = last < MAX_FDS - 1 ? last : MAX_FDS - 1;

        pthread_mutex_lock(&table_mutex);
        for (unsigned int fd = first; fd <= end; fd++) {
            if (lookup(fd)) {
                forget_locked(fd);
            }
        }
        pthread_mutex_unlock(&table_mutex);
    }
    return libc()->close_range(first, last, flags);
}

int
dup(int fd)
{
    int new_fd = libc()->dup(fd);

    if (new_fd >= 0 && lookup(fd)) {
        if (new_fd >= MAX_FDS) {
            libc()->close(new_fd);
            errno = EMFILE;
            return -1;
        }
        pthread_mutex_lock(&table_mutex);
        copy_locked(new_fd, fd);
        pthread_mutex_unlock(&table_mutex);
    }
    return new_fd;
}

/* Completes dup2() or dup3() of 'old_fd' onto 'new_fd' (which succeeded if
 * 'retval' is not negative). */
static int
finish_dup2(int old_fd, int new_fd, int retval)
{
    if (retval >= 0 && old_fd != new_fd) {
        if (new_fd >= MAX_FDS && lookup(old_fd)) {
            libc()->close(new_fd);
            errno = EMFILE;
            return -1;
        }
        pthread_mutex_lock(&table_mutex);
        copy_locked(new_fd, old_fd);
        pthread_mutex_unlock(&table_mutex);
    }
    return retval;
}

int
dup2(int old_fd, int new_fd)
{
    return finish_dup2(old_fd, new_fd, libc()->dup2(old_fd, new_fd));
}

int
dup3(int old_fd, int new_fd, int flags)
{
    return finish_dup2(old_fd, new_fd, libc()->dup3(old_fd, new_fd, flags));
}
