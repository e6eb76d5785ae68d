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

/* Runs every CUnit suite of ovs-eswitch, or only the suites named on the
 * command line, and exits with status 0 only if every test passed. */

#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "esw-unittest.h"

static CU_pSuite (*const suites[])(void) = {
    test_dpif_eswitch_suite,
    test_rtnl_link_codec_suite,
    test_devlink_codec_suite,
    test_link_oracle_suite,
    test_emu_flow_table_suite,
    test_emu_pipeline_suite,
    test_emu_endpoint_suite,
    test_tc_oracle_suite,
    test_tc_flower_codec_suite,
    test_esw_flower_suite,
    test_esw_offload_xlate_suite,
    test_nl_extack_suite,
    test_netlink_redirect_suite,
    test_emu_netlink_suite,
    test_esw_nl_transport_suite,
};

static void
usage(const char *program_name)
{
    printf("%s: runs the CUnit tests of ovs-eswitch\n"
           "usage: %s [SUITE...]\n"
           "With no SUITE, runs every suite; otherwise only those named.\n",
           program_name, program_name);
}

int
main(int argc, char *argv[])
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(argv[0]);
        return EXIT_SUCCESS;
    }

    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "%s\n", CU_get_error_msg());
        return EXIT_FAILURE;
    }

    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        CU_pSuite suite = suites[i]();
        if (!suite) {
            fprintf(stderr, "%s\n", CU_get_error_msg());
            CU_cleanup_registry();
            return EXIT_FAILURE;
        }
    }

    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode error = CUE_SUCCESS;
    int n_run = 0;
    if (argc <= 1) {
        error = CU_basic_run_tests();
        n_run = 1;
    } else {
        for (int i = 1; i < argc && error == CUE_SUCCESS; i++) {
            CU_pSuite suite = CU_get_suite(argv[i]);
            if (!suite) {
                fprintf(stderr, "%s: no such suite\n", argv[i]);
                CU_cleanup_registry();
                return EXIT_FAILURE;
            }
            error = CU_basic_run_suite(suite);
            n_run++;
        }
    }

    unsigned int failures = CU_get_number_of_failures();
    unsigned int suite_failures = CU_get_number_of_suites_failed();
    if (error != CUE_SUCCESS) {
        fprintf(stderr, "%s\n", CU_get_error_msg());
    }
    CU_cleanup_registry();
    return (error == CUE_SUCCESS && !failures && !suite_failures && n_run
            ? EXIT_SUCCESS : EXIT_FAILURE);
}
