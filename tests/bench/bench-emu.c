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

/* The life of the sriov-nic-emu daemon that a benchmark runs as its child:
 * see bench-emu.h. */

#include <config.h>

#include "bench-emu.h"

#include <errno.h>
#include <fcntl.h>
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

#include "util.h"

#define DAEMON_TIMEOUT_MSEC 10000

const char *bench_emu_path = "emu/sriov-nic-emu";

/* The daemon and its files.  Written before the signal handlers are
 * installed, read by them: only async-signal-safe code touches these after
 * that. */
static pid_t main_pid;
volatile sig_atomic_t bench_daemon_pid;
static volatile sig_atomic_t cleaned_up;
bool bench_succeeded;
char bench_tmp_dir[PATH_MAX];
char bench_rtnl_sock_path[PATH_MAX];
static char genl_sock_path[PATH_MAX];
static char unixctl_path[PATH_MAX];
static char pidfile_path[PATH_MAX];
static char log_path[PATH_MAX];

static const int fatal_signals[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE,
};

double
bench_now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleeps 'msec' milliseconds.  Async-signal-safe. */
void
bench_sleep_msec(long msec)
{
    struct timespec ts = { msec / 1000, (msec % 1000) * 1000000 };

    nanosleep(&ts, NULL);
}

/* The daemon's life. */

/* Returns the pid in the daemon's pidfile, or 0 if there is none.
 * Async-signal-safe. */
static pid_t
read_pidfile(void)
{
    char buf[32];
    int fd = open(pidfile_path, O_RDONLY);

    if (fd < 0) {
        return 0;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);

    pid_t pid = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
        pid = pid * 10 + (buf[i] - '0');
    }
    return pid;
}

/* Stops the daemon, our child (we are its subreaper), and waits for it:
 * SIGTERM, then SIGKILL after DAEMON_TIMEOUT_MSEC.  Async-signal-safe. */
static void
stop_daemon(void)
{
    pid_t pid = bench_daemon_pid ? bench_daemon_pid : read_pidfile();

    if (pid <= 0 || kill(pid, SIGTERM)) {
        return;
    }
    for (int i = 0; i < DAEMON_TIMEOUT_MSEC / 10; i++) {
        pid_t reaped = waitpid(pid, NULL, WNOHANG);
        if (reaped == pid || (reaped < 0 && errno == ECHILD)) {
            bench_daemon_pid = 0;
            return;
        }
        bench_sleep_msec(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    bench_daemon_pid = 0;
}

/* Stops the daemon and removes its files and the temporary directory, once,
 * in the benchmark's own process only.  Async-signal-safe. */
static void
cleanup(void)
{
    if (getpid() != main_pid || cleaned_up || !bench_tmp_dir[0]) {
        return;
    }
    cleaned_up = 1;

    stop_daemon();
    unlink(bench_rtnl_sock_path);
    unlink(genl_sock_path);
    unlink(unixctl_path);
    unlink(pidfile_path);
    unlink(log_path);
    rmdir(bench_tmp_dir);
}

/* Copies the end of the daemon's log to stderr, to explain a failure. */
static void
print_daemon_log(void)
{
    FILE *log = fopen(log_path, "r");

    if (!log) {
        return;
    }
    if (fseek(log, -4096, SEEK_END)) {
        rewind(log);
    }
    fprintf(stderr, "--- end of %s ---\n", log_path);

    char line[1024];
    while (fgets(line, sizeof line, log)) {
        fputs(line, stderr);
    }
    fprintf(stderr, "---\n");
    fclose(log);
}

static void
cleanup_at_exit(void)
{
    sigset_t all, old;

    /* A signal now would clean up halfway. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    if (getpid() == main_pid && !bench_succeeded && !cleaned_up) {
        print_daemon_log();
    }
    cleanup();
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void
handle_fatal_signal(int signo)
{
    cleanup();
    signal(signo, SIG_DFL);
    raise(signo);
}

/* Blocks the signals that cleanup() handles, storing the previous mask in
 * '*old'. */
static void
block_fatal_signals(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        sigaddset(&set, fatal_signals[i]);
    }
    sigprocmask(SIG_BLOCK, &set, old);
}

static void
set_path(char *dst, const char *name)
{
    size_t n = snprintf(dst, PATH_MAX, "%s/%s", bench_tmp_dir, name);

    if (n >= MEMBER_SIZEOF(struct sockaddr_un, sun_path)) {
        ovs_fatal(0, "%s/%s: path too long", bench_tmp_dir, name);
    }
}

/* Creates the temporary directory and arranges for cleanup() to run at
 * exit and on fatal signals. */
void
bench_make_tmp_dir(void)
{
    const char *parent = getenv("TMPDIR");

    if (!parent || parent[0] != '/') {
        parent = "/tmp";
    }
    if (snprintf(bench_tmp_dir, sizeof bench_tmp_dir, "%s/%s.XXXXXX", parent,
                 program_name)
        >= (int) sizeof bench_tmp_dir) {
        ovs_fatal(0, "%s: TMPDIR too long", parent);
    }
    main_pid = getpid();
    if (!mkdtemp(bench_tmp_dir)) {
        int error = errno;
        bench_tmp_dir[0] = '\0';
        ovs_fatal(error, "mkdtemp");
    }
    atexit(cleanup_at_exit);

    set_path(bench_rtnl_sock_path, "rtnetlink.sock");
    set_path(genl_sock_path, "genetlink.sock");
    set_path(unixctl_path, "sriov-nic-emu.ctl");
    set_path(pidfile_path, "sriov-nic-emu.pid");
    set_path(log_path, "sriov-nic-emu.log");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handle_fatal_signal;
    sigfillset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(fatal_signals); i++) {
        sigaction(fatal_signals[i], &sa, NULL);
    }
    signal(SIGPIPE, SIG_IGN);
}

/* Starts the daemon with --detach and returns once it is ready (the process
 * we started exits when the detached daemon has opened its sockets).  The
 * detached daemon becomes our child: we are a subreaper. */
void
bench_start_daemon(void)
{
    char *pidfile_arg = xasprintf("--pidfile=%s", pidfile_path);
    char *log_arg = xasprintf("--log-file=%s", log_path);
    char *unixctl_arg = xasprintf("--unixctl=%s", unixctl_path);
    char *dir_arg = xasprintf("--netlink-dir=%s", bench_tmp_dir);
    char *argv[] = {
        CONST_CAST(char *, bench_emu_path), CONST_CAST(char *, "-vconsole:warn"),
        CONST_CAST(char *, "--detach"), pidfile_arg, log_arg, unixctl_arg,
        dir_arg, CONST_CAST(char *, "--nic=" EMU_NIC EMU_NIC_OPTIONS), NULL,
    };
    sigset_t old_mask;

    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) {
        ovs_fatal(errno, "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /* Until the daemon's pid is known, a signal must wait. */
    block_fatal_signals(&old_mask);
    pid_t child = fork();
    if (child < 0) {
        ovs_fatal(errno, "fork");
    } else if (!child) {
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        execv(bench_emu_path, argv);
        fprintf(stderr, "%s: exec failed (%s)\n", bench_emu_path, strerror(errno));
        _exit(127);
    }

    int status = 0;
    int waited_msec = 0;
    pid_t reaped;
    while ((reaped = waitpid(child, &status, WNOHANG)) == 0
           && waited_msec < DAEMON_TIMEOUT_MSEC) {
        bench_sleep_msec(10);
        waited_msec += 10;
    }
    if (reaped != child) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        ovs_fatal(0, "%s did not start within %d ms", bench_emu_path,
                  DAEMON_TIMEOUT_MSEC);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        ovs_fatal(0, "%s failed to start (%s)", bench_emu_path,
                  WIFEXITED(status) ? "non-zero exit status" : "signal");
    }
    bench_daemon_pid = read_pidfile();
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    if (!bench_daemon_pid) {
        ovs_fatal(0, "%s: no pid in %s", bench_emu_path, pidfile_path);
    }

    free(pidfile_arg);
    free(log_arg);
    free(unixctl_arg);
    free(dir_arg);
}

