#!/bin/bash
# Sends traffic to the shop from inside one of its pods: some page views, one failed checkout
# for a random order id, then more page views, so that the checkout falls out of the last 10
# lines that `kubectl logs -l` shows by default. Leaves the support ticket in a ConfigMap.
set -eu
order="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
kubectl rollout status deployment shop --timeout=60s >/dev/null
kubectl exec deploy/shop -- sh -c "
  for i in \$(seq 1 8); do curl -s -o /dev/null http://shop/?page=\$i; done
  curl -s -o /dev/null 'http://shop/checkout?order=$order'
  for i in \$(seq 9 40); do curl -s -o /dev/null http://shop/?page=\$i; done
"
kubectl create configmap ticket \
  --from-literal=order="$order" \
  --from-literal=text="Customer support: checkout failed for order $order. Which shop pod handled it?" \
  --dry-run=client -o yaml | kubectl apply -f - >/dev/null
