# ofproto/: additions to the OpenFlow layer (offload tracing, later).
