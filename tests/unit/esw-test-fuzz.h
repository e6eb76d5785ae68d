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

#ifndef ESW_TEST_FUZZ_H
#define ESW_TEST_FUZZ_H 1

#include <stddef.h>

struct nlmsghdr;

/* Feeds 'decode' every truncation of the 'len'-byte message at 'msg' (with
 * nlmsg_len telling the truth) and every message with one byte changed,
 * each placed right before an inaccessible page so that reading past it
 * crashes, and checks (with CUnit) that 'decode' succeeds or fails as
 * decoders must: 0, EINVAL or EOPNOTSUPP, with a message exactly when it
 * fails. */
void esw_test_mutate_and_decode(const void *msg, size_t len,
                                int (*decode)(const struct nlmsghdr *,
                                              char **));

#endif /* esw-test-fuzz.h */
