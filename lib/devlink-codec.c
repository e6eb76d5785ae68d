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

#include "devlink-codec.h"

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>

#include "esw-netlink.h"
#include "util.h"

/* The handle of a device, in every request but a dump. */
#define HANDLE_POLICY                                                   \
    ESW_NL_POLICY_STRING(DEVLINK_ATTR_BUS_NAME, ESW_BUS_NAME_SIZE),     \
    ESW_NL_POLICY_STRING(DEVLINK_ATTR_DEV_NAME, ESW_DEV_NAME_SIZE)

/* DEVLINK_CMD_GET and DEVLINK_CMD_ESWITCH_GET requests. */
static const struct esw_nl_attr_policy dev_request_policy[] = {
    HANDLE_POLICY,
};

/* DEVLINK_CMD_PORT_GET requests. */
static const struct esw_nl_attr_policy port_request_policy[] = {
    HANDLE_POLICY,
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_INDEX, U32),
};

/* DEVLINK_CMD_ESWITCH_SET requests and DEVLINK_CMD_ESWITCH_GET replies. */
static const struct esw_nl_attr_policy eswitch_policy[] = {
    HANDLE_POLICY,
    ESW_NL_POLICY(DEVLINK_ATTR_ESWITCH_MODE, U16),
    ESW_NL_POLICY(DEVLINK_ATTR_ESWITCH_INLINE_MODE, U8),
    ESW_NL_POLICY(DEVLINK_ATTR_ESWITCH_ENCAP_MODE, U8),
};

/* DEVLINK_CMD_PORT_SET requests. */
static const struct esw_nl_attr_policy port_set_policy[] = {
    HANDLE_POLICY,
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_INDEX, U32),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_TYPE, UNSUPPORTED),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_FUNCTION, NESTED),
};

/* DEVLINK_ATTR_PORT_FUNCTION in requests: the state is read-only. */
static const struct esw_nl_attr_policy port_fn_set_policy[] = {
    ESW_NL_POLICY_BINARY(DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 0, 0),
    ESW_NL_POLICY(DEVLINK_PORT_FN_ATTR_STATE, U8),
    ESW_NL_POLICY(DEVLINK_PORT_FN_ATTR_OPSTATE, UNSUPPORTED),
};

/* DEVLINK_ATTR_PORT_FUNCTION in replies. */
static const struct esw_nl_attr_policy port_fn_policy[] = {
    ESW_NL_POLICY_BINARY(DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 0, 0),
    ESW_NL_POLICY(DEVLINK_PORT_FN_ATTR_STATE, U8),
    ESW_NL_POLICY(DEVLINK_PORT_FN_ATTR_OPSTATE, U8),
};

/* DEVLINK_CMD_NEW replies. */
static const struct esw_nl_attr_policy dev_policy[] = {
    HANDLE_POLICY,
    ESW_NL_POLICY(DEVLINK_ATTR_RELOAD_FAILED, U8),
};

/* DEVLINK_CMD_PORT_NEW replies. */
static const struct esw_nl_attr_policy port_policy[] = {
    HANDLE_POLICY,
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_INDEX, U32),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_TYPE, U16),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_NETDEV_IFINDEX, U32),
    ESW_NL_POLICY_STRING(DEVLINK_ATTR_PORT_NETDEV_NAME, IFNAMSIZ),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_SPLITTABLE, U8),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_FLAVOUR, U16),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_NUMBER, U32),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, U32),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_PCI_PF_NUMBER, U16),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_PCI_VF_NUMBER, U16),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_EXTERNAL, U8),
    ESW_NL_POLICY(DEVLINK_ATTR_PORT_FUNCTION, NESTED),
};

static const char *
devlink_cmd_name(uint8_t cmd)
{
    switch (cmd) {
    case DEVLINK_CMD_GET: return "DEVLINK_CMD_GET";
    case DEVLINK_CMD_NEW: return "DEVLINK_CMD_NEW";
    case DEVLINK_CMD_PORT_GET: return "DEVLINK_CMD_PORT_GET";
    case DEVLINK_CMD_PORT_SET: return "DEVLINK_CMD_PORT_SET";
    case DEVLINK_CMD_PORT_NEW: return "DEVLINK_CMD_PORT_NEW";
    case DEVLINK_CMD_ESWITCH_GET: return "DEVLINK_CMD_ESWITCH_GET";
    case DEVLINK_CMD_ESWITCH_SET: return "DEVLINK_CMD_ESWITCH_SET";
    default: return "devlink command";
    }
}

int
esw_devlink_msg_cmd(const struct nlmsghdr *nlh, uint16_t family)
{
    if (nlh->nlmsg_type != family
        || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + GENL_HDRLEN) {
        return -1;
    }

    const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
    return genl->cmd;
}

/* Checks that 'nlh' is a devlink message of 'family' with genlmsghdr cmd
 * 'cmd'. */
static int
check_devlink_msg(const struct nlmsghdr *nlh, uint16_t family, uint8_t cmd,
                  char **errorp)
{
    int error = esw_nl_check_msg(nlh, family, GENL_HDRLEN, "devlink",
                                 errorp);
    if (error) {
        return error;
    }

    const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
    if (genl->cmd != cmd) {
        return esw_nl_error(errorp, EINVAL,
                            "devlink: command %"PRIu8", expected %s",
                            genl->cmd, devlink_cmd_name(cmd));
    }
    return 0;
}

static void
put_handle(struct esw_nl_msg *msg, const struct esw_devlink_handle *handle)
{
    esw_nl_put_string(msg, DEVLINK_ATTR_BUS_NAME, handle->bus_name);
    esw_nl_put_string(msg, DEVLINK_ATTR_DEV_NAME, handle->dev_name);
}

/* Decodes the handle in 'tb' into 'handle'; 'where' names the message. */
static int
get_handle(const struct nlattr *tb[], struct esw_devlink_handle *handle,
           const char *where, char **errorp)
{
    if (!tb[DEVLINK_ATTR_BUS_NAME] || !tb[DEVLINK_ATTR_DEV_NAME]) {
        return esw_nl_error(errorp, EINVAL,
                            "%s: no DEVLINK_ATTR_BUS_NAME or "
                            "DEVLINK_ATTR_DEV_NAME", where);
    }
    esw_nl_copy_string(tb[DEVLINK_ATTR_BUS_NAME], handle->bus_name,
                       sizeof handle->bus_name);
    esw_nl_copy_string(tb[DEVLINK_ATTR_DEV_NAME], handle->dev_name,
                       sizeof handle->dev_name);
    return 0;
}

static void
put_port_function(struct esw_nl_msg *msg, const struct esw_devlink_port_fn *fn,
                  bool nla_f_nested)
{
    if (!fn->has_hw_addr && !fn->has_state && !fn->has_opstate) {
        return;
    }

    struct nlattr *nest = esw_nl_nest_start(msg, DEVLINK_ATTR_PORT_FUNCTION,
                                            nla_f_nested);
    if (fn->has_hw_addr) {
        esw_nl_put(msg, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, fn->hw_addr.ea,
                   ETH_ALEN);
    }
    if (fn->has_state) {
        esw_nl_put_u8(msg, DEVLINK_PORT_FN_ATTR_STATE, fn->state);
    }
    if (fn->has_opstate) {
        esw_nl_put_u8(msg, DEVLINK_PORT_FN_ATTR_OPSTATE, fn->opstate);
    }
    esw_nl_nest_end(msg, nest);
}

/* Decodes DEVLINK_ATTR_PORT_FUNCTION 'nest' following 'policy' (of
 * 'n_policy' elements) and 'unknown'. */
static int
get_port_function(const struct nlattr *nest,
                  const struct esw_nl_attr_policy *policy, size_t n_policy,
                  enum esw_nl_unknown unknown,
                  struct esw_devlink_port_fn *fn, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(port_fn_policy)];

    ovs_assert(n_policy <= ARRAY_SIZE(tb));
    int error = esw_nl_parse_nested(nest, policy, n_policy, unknown,
                                    "DEVLINK_ATTR_PORT_FUNCTION", tb, errorp);
    if (error) {
        return error;
    }

    const struct nlattr *hw_addr = tb[DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR];
    if (hw_addr) {
        if (mnl_attr_get_payload_len(hw_addr) != ETH_ALEN) {
            return esw_nl_error(errorp, EINVAL,
                                "DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR: %"PRIu16
                                " bytes, expected an Ethernet address of %d",
                                mnl_attr_get_payload_len(hw_addr), ETH_ALEN);
        }
        fn->has_hw_addr = true;
        memcpy(fn->hw_addr.ea, mnl_attr_get_payload(hw_addr), ETH_ALEN);
    }
    if (tb[DEVLINK_PORT_FN_ATTR_STATE]) {
        fn->has_state = true;
        fn->state = mnl_attr_get_u8(tb[DEVLINK_PORT_FN_ATTR_STATE]);
    }
    if (tb[DEVLINK_PORT_FN_ATTR_OPSTATE]) {
        fn->has_opstate = true;
        fn->opstate = mnl_attr_get_u8(tb[DEVLINK_PORT_FN_ATTR_OPSTATE]);
    }
    return 0;
}

/* Requests. */

int
esw_devlink_encode_request(void *buf, size_t size, uint16_t family,
                           uint32_t seq,
                           const struct esw_devlink_request *request)
{
    uint16_t flags = (NLM_F_REQUEST | NLM_F_ACK
                      | (request->dump ? NLM_F_DUMP : 0));
    const struct esw_devlink_eswitch *esw = &request->eswitch;
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, family, flags, seq, 0, request->cmd,
                      DEVLINK_GENL_VERSION);
    if (!request->dump) {
        put_handle(&msg, &request->handle);
    }

    switch (request->cmd) {
    case DEVLINK_CMD_PORT_GET:
        if (!request->dump) {
            esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX,
                           request->port_index);
        }
        break;

    case DEVLINK_CMD_ESWITCH_SET:
        if (esw->has_mode) {
            esw_nl_put_u16(&msg, DEVLINK_ATTR_ESWITCH_MODE, esw->mode);
        }
        if (esw->has_inline_mode) {
            esw_nl_put_u8(&msg, DEVLINK_ATTR_ESWITCH_INLINE_MODE,
                          esw->inline_mode);
        }
        if (esw->has_encap_mode) {
            esw_nl_put_u8(&msg, DEVLINK_ATTR_ESWITCH_ENCAP_MODE,
                          esw->encap_mode);
        }
        break;

    case DEVLINK_CMD_PORT_SET:
        esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, request->port_index);
        put_port_function(&msg, &request->function, true);
        break;

    default:
        break;
    }
    return esw_nl_msg_finish(&msg);
}

static void
decode_eswitch_modes(const struct nlattr *tb[],
                     struct esw_devlink_eswitch *esw)
{
    if (tb[DEVLINK_ATTR_ESWITCH_MODE]) {
        esw->has_mode = true;
        esw->mode = mnl_attr_get_u16(tb[DEVLINK_ATTR_ESWITCH_MODE]);
    }
    if (tb[DEVLINK_ATTR_ESWITCH_INLINE_MODE]) {
        esw->has_inline_mode = true;
        esw->inline_mode
            = mnl_attr_get_u8(tb[DEVLINK_ATTR_ESWITCH_INLINE_MODE]);
    }
    if (tb[DEVLINK_ATTR_ESWITCH_ENCAP_MODE]) {
        esw->has_encap_mode = true;
        esw->encap_mode = mnl_attr_get_u8(tb[DEVLINK_ATTR_ESWITCH_ENCAP_MODE]);
    }
}

/* Checks the values of an eswitch mode change. */
static int
check_eswitch_modes(const struct esw_devlink_eswitch *esw, char **errorp)
{
    if (esw->has_mode && esw->mode > DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_ATTR_ESWITCH_MODE: unknown mode %"PRIu16,
                            esw->mode);
    }
    if (esw->has_inline_mode
        && esw->inline_mode > DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_ATTR_ESWITCH_INLINE_MODE: unknown mode "
                            "%"PRIu8, esw->inline_mode);
    }
    if (esw->has_encap_mode
        && esw->encap_mode > DEVLINK_ESWITCH_ENCAP_MODE_BASIC) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_ATTR_ESWITCH_ENCAP_MODE: unknown mode "
                            "%"PRIu8, esw->encap_mode);
    }
    return 0;
}

/* Decodes what is specific to a DEVLINK_CMD_PORT_SET request, parsed into
 * 'tb'. */
static int
decode_port_set(const struct nlattr *tb[],
                struct esw_devlink_request *request, char **errorp)
{
    struct esw_devlink_port_fn *fn = &request->function;

    if (!tb[DEVLINK_ATTR_PORT_FUNCTION]) {
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "DEVLINK_CMD_PORT_SET: no "
                            "DEVLINK_ATTR_PORT_FUNCTION (only port functions "
                            "can be set)");
    }
    int error = get_port_function(tb[DEVLINK_ATTR_PORT_FUNCTION],
                                  port_fn_set_policy,
                                  ARRAY_SIZE(port_fn_set_policy),
                                  ESW_NL_UNKNOWN_REJECT, fn, errorp);
    if (error) {
        return error;
    }
    if (!fn->has_hw_addr && !fn->has_state) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_ATTR_PORT_FUNCTION: nothing to set");
    }
    if (fn->has_state && fn->state > DEVLINK_PORT_FN_STATE_ACTIVE) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_PORT_FN_ATTR_STATE: unknown state "
                            "%"PRIu8, fn->state);
    }
    return 0;
}

int
esw_devlink_decode_request(const struct nlmsghdr *nlh, uint16_t family,
                           struct esw_devlink_request *request,
                           char **errorp)
{
    const struct esw_nl_attr_policy *policy;
    size_t n_policy;

    if (errorp) {
        *errorp = NULL;
    }
    memset(request, 0, sizeof *request);

    int error = esw_nl_check_msg(nlh, family, GENL_HDRLEN, "devlink",
                                 errorp);
    if (error) {
        return error;
    }

    const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
    request->cmd = genl->cmd;
    request->dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    switch (request->cmd) {
    case DEVLINK_CMD_GET:
    case DEVLINK_CMD_ESWITCH_GET:
        policy = dev_request_policy;
        n_policy = ARRAY_SIZE(dev_request_policy);
        break;
    case DEVLINK_CMD_PORT_GET:
        policy = port_request_policy;
        n_policy = ARRAY_SIZE(port_request_policy);
        break;
    case DEVLINK_CMD_ESWITCH_SET:
        policy = eswitch_policy;
        n_policy = ARRAY_SIZE(eswitch_policy);
        break;
    case DEVLINK_CMD_PORT_SET:
        policy = port_set_policy;
        n_policy = ARRAY_SIZE(port_set_policy);
        break;
    default:
        return esw_nl_error(errorp, EOPNOTSUPP,
                            "devlink: command %"PRIu8" is not supported",
                            request->cmd);
    }

    const char *name = devlink_cmd_name(request->cmd);
    const struct nlattr *tb[ARRAY_SIZE(port_set_policy)];
    ovs_assert(n_policy <= ARRAY_SIZE(tb));
    error = esw_nl_parse_msg(nlh, GENL_HDRLEN, policy, n_policy,
                             ESW_NL_UNKNOWN_REJECT, name, tb, errorp);
    if (error) {
        return error;
    }

    if (request->dump) {
        if (request->cmd != DEVLINK_CMD_GET
            && request->cmd != DEVLINK_CMD_PORT_GET) {
            return esw_nl_error(errorp, EOPNOTSUPP,
                                "%s: cannot be dumped", name);
        }
        for (size_t i = 0; i < n_policy; i++) {
            if (tb[i]) {
                return esw_nl_error(errorp, EOPNOTSUPP,
                                    "%s: a dump filtered by %s is not "
                                    "supported", name, policy[i].name);
            }
        }
        return 0;
    }

    error = get_handle(tb, &request->handle, name, errorp);
    if (error) {
        return error;
    }
    if (request->cmd == DEVLINK_CMD_PORT_GET
        || request->cmd == DEVLINK_CMD_PORT_SET) {
        if (!tb[DEVLINK_ATTR_PORT_INDEX]) {
            return esw_nl_error(errorp, EINVAL,
                                "%s: no DEVLINK_ATTR_PORT_INDEX", name);
        }
        request->port_index = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
    }

    if (request->cmd == DEVLINK_CMD_ESWITCH_SET) {
        request->eswitch.handle = request->handle;
        decode_eswitch_modes(tb, &request->eswitch);
        return check_eswitch_modes(&request->eswitch, errorp);
    } else if (request->cmd == DEVLINK_CMD_PORT_SET) {
        return decode_port_set(tb, request, errorp);
    }
    return 0;
}

/* Replies. */

/* Writes the DEVLINK_ATTR_DEV_STATS of a device whose driver supports no
 * reload action, which the kernel fills with the remote reload counters of
 * every valid combination of action and limit: zeros here. */
static void
put_dev_stats(struct esw_nl_msg *msg)
{
    struct nlattr *stats = esw_nl_nest_start(msg, DEVLINK_ATTR_DEV_STATS,
                                             true);
    struct nlattr *local = esw_nl_nest_start(msg, DEVLINK_ATTR_RELOAD_STATS,
                                             true);
    esw_nl_nest_end(msg, local);

    struct nlattr *remote = esw_nl_nest_start(
        msg, DEVLINK_ATTR_REMOTE_RELOAD_STATS, true);
    for (int action = DEVLINK_RELOAD_ACTION_DRIVER_REINIT;
         action <= DEVLINK_RELOAD_ACTION_MAX; action++) {
        struct nlattr *info = esw_nl_nest_start(
            msg, DEVLINK_ATTR_RELOAD_ACTION_INFO, true);
        esw_nl_put_u8(msg, DEVLINK_ATTR_RELOAD_ACTION, action);

        struct nlattr *action_stats = esw_nl_nest_start(
            msg, DEVLINK_ATTR_RELOAD_ACTION_STATS, true);
        for (int limit = DEVLINK_RELOAD_LIMIT_UNSPEC;
             limit <= DEVLINK_RELOAD_LIMIT_MAX; limit++) {
            /* The driver cannot be reinitialized without a reset. */
            if (action == DEVLINK_RELOAD_ACTION_DRIVER_REINIT
                && limit == DEVLINK_RELOAD_LIMIT_NO_RESET) {
                continue;
            }
            struct nlattr *entry = esw_nl_nest_start(
                msg, DEVLINK_ATTR_RELOAD_STATS_ENTRY, true);
            esw_nl_put_u8(msg, DEVLINK_ATTR_RELOAD_STATS_LIMIT, limit);
            esw_nl_put_u32(msg, DEVLINK_ATTR_RELOAD_STATS_VALUE, 0);
            esw_nl_nest_end(msg, entry);
        }
        esw_nl_nest_end(msg, action_stats);
        esw_nl_nest_end(msg, info);
    }
    esw_nl_nest_end(msg, remote);
    esw_nl_nest_end(msg, stats);
}

int
esw_devlink_encode_dev(void *buf, size_t size, uint16_t family, uint32_t seq,
                       uint32_t pid, bool multi,
                       const struct esw_devlink_dev *dev)
{
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, family, multi ? NLM_F_MULTI : 0, seq,
                      pid, DEVLINK_CMD_NEW, DEVLINK_GENL_VERSION);
    put_handle(&msg, &dev->handle);
    esw_nl_put_u8(&msg, DEVLINK_ATTR_RELOAD_FAILED, dev->reload_failed);
    put_dev_stats(&msg);
    return esw_nl_msg_finish(&msg);
}

int
esw_devlink_decode_dev(const struct nlmsghdr *nlh, uint16_t family,
                       struct esw_devlink_dev *dev, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(dev_policy)];

    if (errorp) {
        *errorp = NULL;
    }
    memset(dev, 0, sizeof *dev);

    int error = check_devlink_msg(nlh, family, DEVLINK_CMD_NEW, errorp);
    if (!error) {
        error = esw_nl_parse_msg(nlh, GENL_HDRLEN, dev_policy,
                                 ARRAY_SIZE(dev_policy),
                                 ESW_NL_UNKNOWN_IGNORE, "DEVLINK_CMD_NEW",
                                 tb, errorp);
    }
    if (!error) {
        error = get_handle(tb, &dev->handle, "DEVLINK_CMD_NEW", errorp);
    }
    if (!error && tb[DEVLINK_ATTR_RELOAD_FAILED]) {
        dev->reload_failed = mnl_attr_get_u8(tb[DEVLINK_ATTR_RELOAD_FAILED]);
    }
    return error;
}

static void
put_port_attrs(struct esw_nl_msg *msg, const struct esw_devlink_port *port)
{
    esw_nl_put_u8(msg, DEVLINK_ATTR_PORT_SPLITTABLE, port->splittable);
    esw_nl_put_u16(msg, DEVLINK_ATTR_PORT_FLAVOUR, port->flavour);
    switch (port->flavour) {
    case DEVLINK_PORT_FLAVOUR_PCI_PF:
    case DEVLINK_PORT_FLAVOUR_PCI_VF:
        esw_nl_put_u32(msg, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER,
                       port->controller);
        esw_nl_put_u16(msg, DEVLINK_ATTR_PORT_PCI_PF_NUMBER,
                       port->pf_number);
        if (port->flavour == DEVLINK_PORT_FLAVOUR_PCI_VF) {
            esw_nl_put_u16(msg, DEVLINK_ATTR_PORT_PCI_VF_NUMBER,
                           port->vf_number);
        }
        esw_nl_put_u8(msg, DEVLINK_ATTR_PORT_EXTERNAL, port->external);
        break;

    case DEVLINK_PORT_FLAVOUR_PHYSICAL:
    case DEVLINK_PORT_FLAVOUR_CPU:
    case DEVLINK_PORT_FLAVOUR_DSA:
        esw_nl_put_u32(msg, DEVLINK_ATTR_PORT_NUMBER, port->port_number);
        break;

    default:
        break;
    }
}

int
esw_devlink_encode_port(void *buf, size_t size, uint16_t family,
                        uint32_t seq, uint32_t pid, bool multi,
                        const struct esw_devlink_port *port)
{
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, family, multi ? NLM_F_MULTI : 0, seq,
                      pid, DEVLINK_CMD_PORT_NEW, DEVLINK_GENL_VERSION);
    put_handle(&msg, &port->handle);
    esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_INDEX, port->index);
    esw_nl_put_u16(&msg, DEVLINK_ATTR_PORT_TYPE, port->type);
    if (port->type == DEVLINK_PORT_TYPE_ETH && port->netdev_ifindex) {
        esw_nl_put_u32(&msg, DEVLINK_ATTR_PORT_NETDEV_IFINDEX,
                       port->netdev_ifindex);
        esw_nl_put_string(&msg, DEVLINK_ATTR_PORT_NETDEV_NAME,
                          port->netdev_name);
    }
    if (port->has_flavour) {
        put_port_attrs(&msg, port);
    }
    put_port_function(&msg, &port->function, false);
    return esw_nl_msg_finish(&msg);
}

int
esw_devlink_decode_port(const struct nlmsghdr *nlh, uint16_t family,
                        struct esw_devlink_port *port, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(port_policy)];

    if (errorp) {
        *errorp = NULL;
    }
    memset(port, 0, sizeof *port);

    int error = check_devlink_msg(nlh, family, DEVLINK_CMD_PORT_NEW, errorp);
    if (!error) {
        error = esw_nl_parse_msg(nlh, GENL_HDRLEN, port_policy,
                                 ARRAY_SIZE(port_policy),
                                 ESW_NL_UNKNOWN_IGNORE,
                                 "DEVLINK_CMD_PORT_NEW", tb, errorp);
    }
    if (!error) {
        error = get_handle(tb, &port->handle, "DEVLINK_CMD_PORT_NEW",
                           errorp);
    }
    if (error) {
        return error;
    }
    if (!tb[DEVLINK_ATTR_PORT_INDEX]) {
        return esw_nl_error(errorp, EINVAL,
                            "DEVLINK_CMD_PORT_NEW: no "
                            "DEVLINK_ATTR_PORT_INDEX");
    }

    port->index = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_INDEX]);
    if (tb[DEVLINK_ATTR_PORT_TYPE]) {
        port->type = mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_TYPE]);
    }
    if (tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX]) {
        port->netdev_ifindex
            = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_NETDEV_IFINDEX]);
    }
    if (tb[DEVLINK_ATTR_PORT_NETDEV_NAME]) {
        esw_nl_copy_string(tb[DEVLINK_ATTR_PORT_NETDEV_NAME],
                           port->netdev_name, sizeof port->netdev_name);
    }
    if (tb[DEVLINK_ATTR_PORT_FLAVOUR]) {
        port->has_flavour = true;
        port->flavour = mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_FLAVOUR]);
    }
    if (tb[DEVLINK_ATTR_PORT_SPLITTABLE]) {
        port->splittable = mnl_attr_get_u8(tb[DEVLINK_ATTR_PORT_SPLITTABLE]);
    }
    if (tb[DEVLINK_ATTR_PORT_NUMBER]) {
        port->port_number = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_NUMBER]);
    }
    if (tb[DEVLINK_ATTR_PORT_CONTROLLER_NUMBER]) {
        port->controller
            = mnl_attr_get_u32(tb[DEVLINK_ATTR_PORT_CONTROLLER_NUMBER]);
    }
    if (tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER]) {
        port->pf_number
            = mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_PCI_PF_NUMBER]);
    }
    if (tb[DEVLINK_ATTR_PORT_PCI_VF_NUMBER]) {
        port->vf_number
            = mnl_attr_get_u16(tb[DEVLINK_ATTR_PORT_PCI_VF_NUMBER]);
    }
    if (tb[DEVLINK_ATTR_PORT_EXTERNAL]) {
        port->external = mnl_attr_get_u8(tb[DEVLINK_ATTR_PORT_EXTERNAL]);
    }
    if (tb[DEVLINK_ATTR_PORT_FUNCTION]) {
        error = get_port_function(tb[DEVLINK_ATTR_PORT_FUNCTION],
                                  port_fn_policy, ARRAY_SIZE(port_fn_policy),
                                  ESW_NL_UNKNOWN_IGNORE, &port->function,
                                  errorp);
    }
    return error;
}

int
esw_devlink_encode_eswitch(void *buf, size_t size, uint16_t family,
                           uint32_t seq, uint32_t pid,
                           const struct esw_devlink_eswitch *esw)
{
    struct esw_nl_msg msg;

    esw_genl_msg_init(&msg, buf, size, family, 0, seq, pid,
                      DEVLINK_CMD_ESWITCH_GET, DEVLINK_GENL_VERSION);
    put_handle(&msg, &esw->handle);
    if (esw->has_mode) {
        esw_nl_put_u16(&msg, DEVLINK_ATTR_ESWITCH_MODE, esw->mode);
    }
    if (esw->has_inline_mode) {
        esw_nl_put_u8(&msg, DEVLINK_ATTR_ESWITCH_INLINE_MODE,
                      esw->inline_mode);
    }
    if (esw->has_encap_mode) {
        esw_nl_put_u8(&msg, DEVLINK_ATTR_ESWITCH_ENCAP_MODE, esw->encap_mode);
    }
    return esw_nl_msg_finish(&msg);
}

int
esw_devlink_decode_eswitch(const struct nlmsghdr *nlh, uint16_t family,
                           struct esw_devlink_eswitch *esw, char **errorp)
{
    const struct nlattr *tb[ARRAY_SIZE(eswitch_policy)];

    if (errorp) {
        *errorp = NULL;
    }
    memset(esw, 0, sizeof *esw);

    int error = check_devlink_msg(nlh, family, DEVLINK_CMD_ESWITCH_GET,
                                  errorp);
    if (!error) {
        error = esw_nl_parse_msg(nlh, GENL_HDRLEN, eswitch_policy,
                                 ARRAY_SIZE(eswitch_policy),
                                 ESW_NL_UNKNOWN_IGNORE,
                                 "DEVLINK_CMD_ESWITCH_GET", tb, errorp);
    }
    if (!error) {
        error = get_handle(tb, &esw->handle, "DEVLINK_CMD_ESWITCH_GET",
                           errorp);
    }
    if (!error) {
        decode_eswitch_modes(tb, esw);
    }
    return error;
}
