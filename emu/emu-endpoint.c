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

/* Packet endpoints: the spec parser, the common counters and checks, and
 * the dispatch to the endpoint classes. */

#include <config.h>

#include "emu-endpoint.h"

#include <errno.h>
#include <string.h>

#include "dp-packet.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(emu_endpoint);

static const struct emu_endpoint_class *const endpoint_classes[] = {
    &emu_endpoint_punix_class,
    &emu_endpoint_unix_class,
    &emu_endpoint_afpacket_class,
};

static const struct emu_endpoint_class *
endpoint_class_lookup(const char *type, size_t type_len)
{
    for (size_t i = 0; i < ARRAY_SIZE(endpoint_classes); i++) {
        const struct emu_endpoint_class *class = endpoint_classes[i];

        if (strlen(class->type) == type_len
            && !memcmp(class->type, type, type_len)) {
            return class;
        }
    }
    return NULL;
}

static int
endpoint_open__(const char *spec, struct emu_endpoint **epp, char **errp)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon) {
        *errp = xasprintf("\"%s\": not an endpoint (expected punix:PATH, "
                          "unix:PATH or afpacket:IFNAME)", spec ? spec : "");
        return EINVAL;
    }

    const struct emu_endpoint_class *class
        = endpoint_class_lookup(spec, colon - spec);
    if (!class) {
        *errp = xasprintf("\"%s\": unknown endpoint type \"%.*s\" (expected "
                          "punix, unix or afpacket)",
                          spec, (int) (colon - spec), spec);
        return EAFNOSUPPORT;
    }

    const char *arg = colon + 1;
    if (!*arg) {
        *errp = xasprintf("\"%s\": missing %s after \"%s:\"", spec,
                          class == &emu_endpoint_afpacket_class
                          ? "an interface name" : "a socket path",
                          class->type);
        return EINVAL;
    }

    struct emu_endpoint *ep;
    int error = class->open(spec, arg, &ep, errp);
    if (error) {
        if (!*errp) {
            *errp = xasprintf("\"%s\": %s", spec, ovs_strerror(error));
        }
        return error;
    }

    ep->class = class;
    ep->spec = xstrdup(spec);
    memset(&ep->stats, 0, sizeof ep->stats);
    *epp = ep;
    return 0;
}

int
emu_endpoint_open(const char *spec, struct emu_endpoint **epp, char **errp)
{
    char *error_msg = NULL;

    *epp = NULL;
    int error = endpoint_open__(spec, epp, &error_msg);
    if (error) {
        VLOG_DBG("%s", error_msg);
    }
    if (errp) {
        *errp = error_msg;
    } else {
        free(error_msg);
    }
    return error;
}

void
emu_endpoint_close(struct emu_endpoint *ep)
{
    if (ep) {
        char *spec = ep->spec;

        ep->class->close(ep);
        free(spec);
    }
}

int
emu_endpoint_recv(struct emu_endpoint *ep, struct dp_packet **packetp)
{
    int error = ep->class->recv(ep, packetp);
    if (!error) {
        ep->stats.rx_packets++;
        ep->stats.rx_bytes += dp_packet_size(*packetp);
    } else {
        *packetp = NULL;
    }
    return error;
}

int
emu_endpoint_send(struct emu_endpoint *ep, const struct dp_packet *packet)
{
    size_t size = dp_packet_size(packet);
    int error;

    if (size < EMU_ENDPOINT_MIN_FRAME) {
        error = EINVAL;
    } else if (size > EMU_ENDPOINT_MAX_FRAME) {
        error = EMSGSIZE;
    } else {
        error = ep->class->send(ep, dp_packet_data(packet), size);
    }

    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

        ep->stats.tx_dropped++;
        VLOG_DBG_RL(&rl, "%s: dropping a %"PRIuSIZE"-byte frame (%s)",
                    ep->spec, size, ovs_strerror(error));
    }
    return error;
}

void
emu_endpoint_run(struct emu_endpoint *ep)
{
    ep->class->run(ep);
}

void
emu_endpoint_wait(struct emu_endpoint *ep)
{
    ep->class->wait(ep);
}

const char *
emu_endpoint_spec(const struct emu_endpoint *ep)
{
    return ep->spec;
}

bool
emu_endpoint_is_connected(const struct emu_endpoint *ep)
{
    return ep->class->is_connected(ep);
}

void
emu_endpoint_get_stats(const struct emu_endpoint *ep,
                       struct emu_endpoint_stats *stats)
{
    *stats = ep->stats;
}

int
emu_endpoint_ifindex(const struct emu_endpoint *ep)
{
    return ep->class->ifindex ? ep->class->ifindex(ep) : 0;
}
