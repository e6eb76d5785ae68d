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

#ifndef BENCH_EMU_H
#define BENCH_EMU_H 1

/* What the benchmarks share: a real sriov-nic-emu daemon, started as the
 * benchmark's child in a temporary directory, with one NIC,
 * BENCH_EMU_NIC BENCH_EMU_NIC_OPTIONS, and stopped, with the directory
 * removed, whatever happens: at exit, on failure, on fatal signals.  On a
 * failure (bench_succeeded still false at exit) the end of the daemon's log
 * is printed. */

#include <limits.h>
#include <signal.h>
#include <stdbool.h>

#define EMU_NIC "pci/0000:03:00.0"
#define EMU_NIC_OPTIONS ",vfs=4,mode=switchdev,capacity=2000000"
#define EMU_CAPACITY 2000000

/* The daemon's binary (--emu); default "emu/sriov-nic-emu". */
extern const char *bench_emu_path;

/* The temporary directory, which is also the daemon's --netlink-dir, and
 * its rtnetlink socket. */
extern char bench_tmp_dir[PATH_MAX];
extern char bench_rtnl_sock_path[PATH_MAX];

/* The daemon's pid, once started. */
extern volatile sig_atomic_t bench_daemon_pid;

/* Set by the benchmark when it has finished well. */
extern bool bench_succeeded;

/* Creates the temporary directory, named after the program, and arranges
 * for the clean-up.  Exits on failure. */
void bench_make_tmp_dir(void);

/* Starts the daemon and returns once its sockets accept connections.
 * Exits on failure. */
void bench_start_daemon(void);

/* The monotonic clock, in seconds. */
double bench_now_sec(void);

/* Sleeps 'msec' milliseconds.  Async-signal-safe. */
void bench_sleep_msec(long msec);

#endif /* bench-emu.h */
