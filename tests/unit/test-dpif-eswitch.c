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

/* Registration of the "eswitch" datapath class with OVS's dpif layer, as
 * in a production ovs-vswitchd: without OVS's dummy netdevs.  (The autotest
 * suite covers --enable-dummy.) */

#include <config.h>

#include <errno.h>

#include "dpif-eswitch.h"
#include "dpif.h"
#include "netdev.h"
#include "esw-unittest.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "sset.h"

static int
suite_init(void)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return dpif_eswitch_register();
}

static void
test_type_is_enumerated(void)
{
    struct sset types = SSET_INITIALIZER(&types);

    dp_enumerate_types(&types);
    CU_ASSERT(sset_contains(&types, DPIF_ESWITCH_TYPE));
    CU_ASSERT(sset_contains(&types, "netdev"));
    sset_destroy(&types);
}

static void
test_second_registration_is_refused(void)
{
    CU_ASSERT_EQUAL(dpif_eswitch_register(), EEXIST);
}

static void
test_datapath_lifecycle(void)
{
    struct sset names = SSET_INITIALIZER(&names);
    struct sset types = SSET_INITIALIZER(&types);
    struct dpif *dpif;

    /* As ofproto-dpif does, enumerate before creating. */
    CU_ASSERT_EQUAL(dp_enumerate_names(DPIF_ESWITCH_TYPE, &names), 0);
    CU_ASSERT(sset_is_empty(&names));

    /* The datapath's local port needs "dummy-internal", which the eswitch
     * plugin provides when OVS's dummy netdevs are not enabled. */
    netdev_enumerate_types(&types);
    CU_ASSERT(sset_contains(&types, "dummy-internal"));
    CU_ASSERT_FALSE(sset_contains(&types, "dummy"));
    sset_destroy(&types);

    CU_ASSERT_EQUAL_FATAL(
        dpif_create_and_open("ovs-eswitch", DPIF_ESWITCH_TYPE, &dpif), 0);
    CU_ASSERT_STRING_EQUAL(dpif_type(dpif), DPIF_ESWITCH_TYPE);
    CU_ASSERT_STRING_EQUAL(dpif_name(dpif), "eswitch@ovs-eswitch");
    CU_ASSERT_STRING_EQUAL(dpif_base_name(dpif), "ovs-eswitch");

    CU_ASSERT_EQUAL(dp_enumerate_names(DPIF_ESWITCH_TYPE, &names), 0);
    CU_ASSERT(sset_contains(&names, "ovs-eswitch"));
    sset_clear(&names);

    /* The eswitch datapath is a datapath of its own, not a "netdev" one. */
    CU_ASSERT_EQUAL(dp_enumerate_names("netdev", &names), 0);
    CU_ASSERT_FALSE(sset_contains(&names, "ovs-eswitch"));
    sset_clear(&names);

    /* One turn of the main loop, as ovs-vswitchd makes: waiting on the
     * datapath waits on its local port. */
    dpif_run(dpif);
    dpif_wait(dpif);
    poll_immediate_wake();
    poll_block();

    CU_ASSERT_EQUAL(dpif_delete(dpif), 0);
    dpif_close(dpif);
    CU_ASSERT_EQUAL(dp_enumerate_names(DPIF_ESWITCH_TYPE, &names), 0);
    CU_ASSERT(sset_is_empty(&names));
    sset_destroy(&names);
}

static void
test_internal_ports_are_taps(void)
{
    CU_ASSERT_STRING_EQUAL(dpif_port_open_type(DPIF_ESWITCH_TYPE,
                                               "internal"), "tap");
    CU_ASSERT_STRING_EQUAL(dpif_port_open_type(DPIF_ESWITCH_TYPE, "system"),
                           "system");
    CU_ASSERT_STRING_EQUAL(dpif_port_open_type(DPIF_ESWITCH_TYPE, "tap"),
                           "tap");
}

CU_pSuite
test_dpif_eswitch_suite(void)
{
    CU_pSuite suite = CU_add_suite("dpif-eswitch", suite_init, NULL);

    if (!suite
        || !CU_add_test(suite, "type is enumerated", test_type_is_enumerated)
        || !CU_add_test(suite, "second registration is refused",
                        test_second_registration_is_refused)
        || !CU_add_test(suite, "datapath create, enumerate, delete",
                        test_datapath_lifecycle)
        || !CU_add_test(suite, "internal ports are taps",
                        test_internal_ports_are_taps)) {
        return NULL;
    }
    return suite;
}
