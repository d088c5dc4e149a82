#!/bin/sh
# Runs before containerd starts in a kubelab node. On hosts whose capability bounding set lacks
# CAP_SYS_RESOURCE (bit 24), runc cannot lower a container's oom_score_adj, and every pod sandbox
# fails with "can't get final child's PID from pipe: EOF". containerd's restrict_oom_score_adj
# clamps the value instead (the same setting kind uses for rootless nodes). Elsewhere: no change.
set -eu
bnd=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
if [ $(( 0x$bnd >> 24 & 1 )) -eq 0 ]; then
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' /etc/containerd/config.toml
  echo "kubelab: CAP_SYS_RESOURCE unavailable, containerd restricts oom_score_adj"
fi
