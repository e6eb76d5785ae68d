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

#ifndef ESW_UNITTEST_H
#define ESW_UNITTEST_H 1

/* The CUnit suites of tests/esw-unittest.
 *
 * Each test file defines one function that adds its suite to the CUnit
 * registry and returns the new suite, or NULL on a CUnit error.  To add a
 * file, declare its function here and list it in esw-unittest.c. */

#include <CUnit/CUnit.h>

CU_pSuite test_dpif_eswitch_suite(void);
CU_pSuite test_rtnl_link_codec_suite(void);
CU_pSuite test_devlink_codec_suite(void);
CU_pSuite test_link_oracle_suite(void);
CU_pSuite test_emu_flow_table_suite(void);
CU_pSuite test_emu_pipeline_suite(void);
CU_pSuite test_emu_endpoint_suite(void);
CU_pSuite test_tc_oracle_suite(void);
CU_pSuite test_tc_flower_codec_suite(void);
CU_pSuite test_esw_flower_suite(void);
CU_pSuite test_esw_offload_xlate_suite(void);
CU_pSuite test_nl_extack_suite(void);
CU_pSuite test_netlink_redirect_suite(void);
CU_pSuite test_emu_netlink_suite(void);
CU_pSuite test_esw_nl_transport_suite(void);

#endif /* esw-unittest.h */
