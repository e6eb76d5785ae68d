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

/* Feeding decoders damaged messages: see esw-test-fuzz.h. */

#include <config.h>

#include "esw-test-fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <libmnl/libmnl.h>

#include <CUnit/CUnit.h>

#include "util.h"

/* Decodes 'len' bytes at 'msg', placed right before an inaccessible page so
 * that reading past them crashes, with 'decode', and checks that it
 * succeeds or fails as decoders must. */
static void
decode_guarded(const void *msg, size_t len,
               int (*decode)(const struct nlmsghdr *, char **))
{
    static uint8_t *area;
    static size_t page_size;

    if (!area) {
        page_size = sysconf(_SC_PAGESIZE);
        area = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ovs_assert(area != MAP_FAILED);
        ovs_assert(!mprotect(area + page_size, page_size, PROT_NONE));
    }
    ovs_assert(len <= page_size);

    uint8_t *copy = area + page_size - ROUND_UP(len, 4);
    memcpy(copy, msg, len);

    char *error_msg = NULL;
    int error = decode((const struct nlmsghdr *) (void *) copy, &error_msg);
    CU_ASSERT(error == 0 || error == EINVAL || error == EOPNOTSUPP);
    CU_ASSERT(!error == !error_msg);
    free(error_msg);
}

/* Feeds 'decode' every truncation of the 'len'-byte message at 'msg' (with
 * nlmsg_len telling the truth) and every message with one byte changed. */
void
esw_test_mutate_and_decode(const void *msg, size_t len,
                  int (*decode)(const struct nlmsghdr *, char **))
{
    static const uint8_t values[] = { 0x00, 0x01, 0x04, 0x07, 0x7f, 0x80,
                                      0xff };
    uint8_t *copy = xmemdup(msg, len);

    for (size_t cut = MNL_NLMSG_HDRLEN; cut < len; cut++) {
        struct nlmsghdr *nlh = (struct nlmsghdr *) (void *) copy;

        nlh->nlmsg_len = cut;
        decode_guarded(copy, cut, decode);
    }
    memcpy(copy, msg, len);

    /* nlmsg_len stays: the caller guarantees it. */
    for (size_t i = sizeof(uint32_t); i < len; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(values); j++) {
            uint8_t saved = copy[i];

            copy[i] = values[j];
            decode_guarded(copy, len, decode);
            copy[i] = saved;
        }
    }
    free(copy);
}
