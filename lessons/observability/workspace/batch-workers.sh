#!/bin/bash
# Starts three batch workers with random names. One of them, picked at random, got a huge
# batch and burns all the CPU its limit allows; the other two are nearly idle.
set -eu
hog=$((RANDOM % 3))
for i in 0 1 2; do
  size=300
  if [ "$i" -eq "$hog" ]; then size=3000000; fi
  name="batch-$(od -An -N3 -tx1 /dev/urandom | tr -d " \n")"
  kubectl apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $name
  labels: { app: batch }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: batch
      image: busybox:1.36
      env:
        - { name: BATCH_SIZE, value: "$size" }
      command: ["sh", "-c", "while true; do i=0; while [ \$i -lt \$BATCH_SIZE ]; do i=\$((i+1)); done; sleep 1; done"]
      resources:
        requests: { cpu: 10m, memory: 8Mi }
        limits: { cpu: 100m, memory: 16Mi }
EOF
done
