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

#include <config.h>

#include "genl-ctrl-codec.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "esw-netlink.h"
#include "util.h"

/* The genlmsghdr version that libmnl-based tools put in requests, and the
 * one the kernel's nlctrl family puts in its replies. */
#define GENL_CTRL_REQUEST_VERSION 1
#define GENL_CTRL_REPLY_VERSION 2

static const struct esw_nl_attr_policy ctrl_request_policy[] = {
    ESW_NL_POLICY(CTRL_ATTR_FAMILY_ID, U16),
    ESW_NL_POLICY_STRING(CTRL_ATTR_FAMILY_NAME, GENL_NAMSIZ),
};

static const struct esw_nl_attr_policy ctrl_family_policy[] = {
    ESW_NL_POLICY(CTRL_ATTR_FAMILY_ID, U16),
    ESW_NL_POLICY_STRING(CTRL_ATTR_FAMILY_NAME, GENL_NAMSIZ),
    ESW_NL_POLICY(CTRL_ATTR_VERSION, U32),
    ESW_NL_POLICY(CTRL_ATTR_HDRSIZE, U32),
    ESW_NL_POLICY(CTRL_ATTR_MAXATTR, U32),
    ESW_NL_POLICY(CTRL_ATTR_OPS, NESTED),
    ESW_NL_POLICY(CTRL_ATTR_MCAST_GROUPS, NESTED),
};

static const struct esw_nl_attr_policy ctrl_op_policy[] = {
    ESW_NL_POLICY(CTRL_ATTR_OP_ID, U32),
    ESW_NL_POLICY(CTRL_ATTR_OP_FLAGS, U32),
};

static const struct esw_nl_attr_policy ctrl_mcgrp_policy[] = {
    ESW_NL_POLICY_STRING(CTRL_ATTR_MCAST_GRP_NAME, GENL_NAMSIZ),
    ESW_NL_POLICY(CTRL_ATTR_MCAST_GRP_ID, U32),
};

/* Checks that 'nlh' is a generic netlink control message and returns its
 * genlmsghdr in '*genlp'. */
static int
genl_ctrl_check(const struct nlmsghdr *nlh, const struct genlmsghdr **genlp,
                char **errorp)
{
    int error = esw_nl_check_msg(nlh, GENL_ID_CTRL, GENL_HDRLEN, "nlctrl",
                                 errorp);
    if (!error) {
        *genlp = mnl_nlmsg_get_payload(nlh);
    }
    return error;
}

int
esw_genl_ctrl_encode_request(void *buf, size_t size, uint32_t seq,
                             const struct esw_genl_ctrl_request *request)
{
    uint16_t flags = (NLM_F_REQUEST | NLM_F_ACK
                      | (request->dump ? NLM_F_DUMP : 0));
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, GENL_ID_CTRL, flags, seq, 0,
                      CTRL_CMD_GETFAMILY, GENL_CTRL_REQUEST_VERSION);
    if (request->id) {
        esw_nl_put_u16(&msg, CTRL_ATTR_FAMILY_ID, request->id);
    }
    if (request->name[0]) {
        esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, request->name);
    }
    return esw_nl_msg_finish(&msg);
}

int
esw_genl_ctrl_decode_request(const struct nlmsghdr *nlh,
                             struct esw_genl_ctrl_request *request,
                             char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(ctrl_request_policy)];
    const struct genlmsghdr *genl;

    if (errorp) {
        *errorp = NULL;
    }
    memset(request, 0, sizeof *request);

    int error = genl_ctrl_check(nlh, &genl, errorp);
    if (error) {
        return error;
    }
    if (genl->cmd != CTRL_CMD_GETFAMILY) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "nlctrl: command %"PRIu8" is not supported",
                            genl->cmd);
    }
    error = esw_nl_parse_msg(nlh, GENL_HDRLEN, ctrl_request_policy,
                             ARRAY_SIZE(ctrl_request_policy),
                             ESW_NL_UNKNOWN_REJECT, "CTRL_CMD_GETFAMILY", tb,
                             errorp);
    if (error) {
        return error;
    }

    request->dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    if (tb[CTRL_ATTR_FAMILY_ID]) {
        request->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
    }
    if (tb[CTRL_ATTR_FAMILY_NAME]) {
        esw_nl_copy_string(tb[CTRL_ATTR_FAMILY_NAME], request->name,
                           sizeof request->name);
    }

    bool named = request->id || request->name[0];
    if (request->dump && named) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "CTRL_CMD_GETFAMILY: a dump of every family "
                            "cannot select one by name or ID");
    } else if (!request->dump && !named) {
        return esw_nl_error(errorp, EINVAL,
                            "CTRL_CMD_GETFAMILY: neither CTRL_ATTR_FAMILY_ID "
                            "nor CTRL_ATTR_FAMILY_NAME");
    }
    return 0;
}

int
esw_genl_ctrl_encode_family(void *buf, size_t size, uint32_t seq,
                            uint32_t pid, bool multi,
                            const struct esw_genl_family *family)
{
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, GENL_ID_CTRL, multi ? NLM_F_MULTI : 0,
                      seq, pid, CTRL_CMD_NEWFAMILY, GENL_CTRL_REPLY_VERSION);
    esw_nl_put_string(&msg, CTRL_ATTR_FAMILY_NAME, family->name);
    esw_nl_put_u16(&msg, CTRL_ATTR_FAMILY_ID, family->id);
    esw_nl_put_u32(&msg, CTRL_ATTR_VERSION, family->version);
    esw_nl_put_u32(&msg, CTRL_ATTR_HDRSIZE, family->hdrsize);
    esw_nl_put_u32(&msg, CTRL_ATTR_MAXATTR, family->maxattr);

    size_t n_ops = MIN(family->n_ops, ARRAY_SIZE(family->ops));
    if (n_ops) {
        struct nlattr *ops = esw_nl_nest_start(&msg, CTRL_ATTR_OPS, false);
        for (size_t i = 0; i < n_ops; i++) {
            struct nlattr *op = esw_nl_nest_start(&msg, i + 1, false);
            esw_nl_put_u32(&msg, CTRL_ATTR_OP_ID, family->ops[i].id);
            esw_nl_put_u32(&msg, CTRL_ATTR_OP_FLAGS, family->ops[i].flags);
            esw_nl_nest_end(&msg, op);
        }
        esw_nl_nest_end(&msg, ops);
    }

    size_t n_mcgrps = MIN(family->n_mcgrps, ARRAY_SIZE(family->mcgrps));
    if (n_mcgrps) {
        struct nlattr *grps = esw_nl_nest_start(&msg, CTRL_ATTR_MCAST_GROUPS,
                                                false);
        for (size_t i = 0; i < n_mcgrps; i++) {
            struct nlattr *grp = esw_nl_nest_start(&msg, i + 1, false);
            esw_nl_put_u32(&msg, CTRL_ATTR_MCAST_GRP_ID,
                           family->mcgrps[i].id);
            esw_nl_put_string(&msg, CTRL_ATTR_MCAST_GRP_NAME,
                              family->mcgrps[i].name);
            esw_nl_nest_end(&msg, grp);
        }
        esw_nl_nest_end(&msg, grps);
    }
    return esw_nl_msg_finish(&msg);
}

static int
decode_ops(const struct nlattr *nest, struct esw_genl_family *family,
           char **errorp)
{
    const struct nlattr *attr;

    int error = esw_nl_check_list(nest, "CTRL_ATTR_OPS", errorp);
    if (error) {
        return error;
    }
    mnl_attr_for_each_nested (attr, nest) {
        const struct nlattr *tb[ARRAY_SIZE(ctrl_op_policy)];

        if (family->n_ops >= ARRAY_SIZE(family->ops)) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "CTRL_ATTR_OPS: more than %"PRIuSIZE
                                " operations", ARRAY_SIZE(family->ops));
        }
        error = esw_nl_parse_nested(attr, ctrl_op_policy,
                                    ARRAY_SIZE(ctrl_op_policy),
                                    ESW_NL_UNKNOWN_IGNORE, "CTRL_ATTR_OPS",
                                    tb, errorp);
        if (error) {
            return error;
        }
        if (!tb[CTRL_ATTR_OP_ID]) {
            return esw_nl_error(errorp, EINVAL,
                                "CTRL_ATTR_OPS: operation without "
                                "CTRL_ATTR_OP_ID");
        }

        struct esw_genl_op *op = &family->ops[family->n_ops++];
        op->id = mnl_attr_get_u32(tb[CTRL_ATTR_OP_ID]);
        op->flags = (tb[CTRL_ATTR_OP_FLAGS]
                     ? mnl_attr_get_u32(tb[CTRL_ATTR_OP_FLAGS]) : 0);
    }
    return 0;
}

static int
decode_mcgrps(const struct nlattr *nest, struct esw_genl_family *family,
              char **errorp)
{
    const struct nlattr *attr;

    int error = esw_nl_check_list(nest, "CTRL_ATTR_MCAST_GROUPS", errorp);
    if (error) {
        return error;
    }
    mnl_attr_for_each_nested (attr, nest) {
        const struct nlattr *tb[ARRAY_SIZE(ctrl_mcgrp_policy)];

        if (family->n_mcgrps >= ARRAY_SIZE(family->mcgrps)) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "CTRL_ATTR_MCAST_GROUPS: more than %"PRIuSIZE
                                " groups", ARRAY_SIZE(family->mcgrps));
        }
        error = esw_nl_parse_nested(attr, ctrl_mcgrp_policy,
                                    ARRAY_SIZE(ctrl_mcgrp_policy),
                                    ESW_NL_UNKNOWN_IGNORE,
                                    "CTRL_ATTR_MCAST_GROUPS", tb, errorp);
        if (error) {
            return error;
        }
        if (!tb[CTRL_ATTR_MCAST_GRP_ID] || !tb[CTRL_ATTR_MCAST_GRP_NAME]) {
            return esw_nl_error(errorp, EINVAL,
                                "CTRL_ATTR_MCAST_GROUPS: group without "
                                "CTRL_ATTR_MCAST_GRP_ID or "
                                "CTRL_ATTR_MCAST_GRP_NAME");
        }

        struct esw_genl_mcgrp *grp = &family->mcgrps[family->n_mcgrps++];
        grp->id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
        esw_nl_copy_string(tb[CTRL_ATTR_MCAST_GRP_NAME], grp->name,
                           sizeof grp->name);
    }
    return 0;
}

int
esw_genl_ctrl_decode_family(const struct nlmsghdr *nlh,
                            struct esw_genl_family *family, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(ctrl_family_policy)];
    const struct genlmsghdr *genl;

    if (errorp) {
        *errorp = NULL;
    }
    memset(family, 0, sizeof *family);

    int error = genl_ctrl_check(nlh, &genl, errorp);
    if (error) {
        return error;
    }
    if (genl->cmd != CTRL_CMD_NEWFAMILY) {
        return esw_nl_error(errorp, EINVAL,
                            "nlctrl: command %"PRIu8", expected "
                            "CTRL_CMD_NEWFAMILY", genl->cmd);
    }
    error = esw_nl_parse_msg(nlh, GENL_HDRLEN, ctrl_family_policy,
                             ARRAY_SIZE(ctrl_family_policy),
                             ESW_NL_UNKNOWN_IGNORE, "CTRL_CMD_NEWFAMILY", tb,
                             errorp);
    if (error) {
        return error;
    }
    if (!tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_FAMILY_NAME]) {
        return esw_nl_error(errorp, EINVAL,
                            "CTRL_CMD_NEWFAMILY: no CTRL_ATTR_FAMILY_ID or "
                            "CTRL_ATTR_FAMILY_NAME");
    }

    family->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
    esw_nl_copy_string(tb[CTRL_ATTR_FAMILY_NAME], family->name,
                       sizeof family->name);
    if (tb[CTRL_ATTR_VERSION]) {
        family->version = mnl_attr_get_u32(tb[CTRL_ATTR_VERSION]);
    }
    if (tb[CTRL_ATTR_HDRSIZE]) {
        family->hdrsize = mnl_attr_get_u32(tb[CTRL_ATTR_HDRSIZE]);
    }
    if (tb[CTRL_ATTR_MAXATTR]) {
        family->maxattr = mnl_attr_get_u32(tb[CTRL_ATTR_MAXATTR]);
    }
    if (tb[CTRL_ATTR_OPS]) {
        error = decode_ops(tb[CTRL_ATTR_OPS], family, errorp);
        if (error) {
            return error;
        }
    }
    if (tb[CTRL_ATTR_MCAST_GROUPS]) {
        error = decode_mcgrps(tb[CTRL_ATTR_MCAST_GROUPS], family, errorp);
    }
    return error;
}

const struct esw_genl_mcgrp *
esw_genl_family_find_mcgrp(const struct esw_genl_family *family,
                           const char *name)
{
    for (size_t i = 0; i < family->n_mcgrps; i++) {
        if (!strcmp(family->mcgrps[i].name, name)) {
            return &family->mcgrps[i];
        }
    }
    return NULL;
}

const struct esw_genl_op *
esw_genl_family_find_op(const struct esw_genl_family *family, uint32_t cmd)
{
    for (size_t i = 0; i < family->n_ops; i++) {
        if (family->ops[i].id == cmd) {
            return &family->ops[i];
        }
    }
    return NULL;
}
