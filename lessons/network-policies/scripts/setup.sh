# The shop and its neighbours: an api with two callers in namespace shop, and a scraper in
# namespace monitoring that calls the api and serves a status page of its own.
set -euo pipefail

# After a lab reset these namespaces may still be terminating; objects cannot be created in a
# terminating namespace, so wait until they are gone before applying.
for ns in shop monitoring; do
  for i in $(seq 1 90); do
    [ "$(kubectl get namespace "$ns" -o jsonpath='{.status.phase}' 2>/dev/null || true)" = Terminating ] || break
    sleep 1
  done
done

kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: monitoring
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: { app: api }
  template:
    metadata:
      labels: { app: api }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
        - name: nginx
          image: nginx:1.27
          ports:
            - { name: http, containerPort: 80 }
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: { app: api }
  ports:
    - { name: http, port: 80, targetPort: http }
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: client
          image: busybox:1.36
          command: ["sleep", "86400"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: batch
  namespace: shop
spec:
  replicas: 1
  selector:
    matchLabels: { app: batch }
  template:
    metadata:
      labels: { app: batch }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: client
          image: busybox:1.36
          command: ["sleep", "86400"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scraper
  namespace: monitoring
spec:
  replicas: 1
  selector:
    matchLabels: { app: scraper }
  template:
    metadata:
      labels: { app: scraper }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: scraper
          image: busybox:1.36
          command: ["sh", "-c", "mkdir -p /www && echo 'scraper status: ok' > /www/index.html && exec httpd -f -p 8080 -h /www"]
          ports:
            - { name: status, containerPort: 8080 }
---
apiVersion: v1
kind: Service
metadata:
  name: scraper
  namespace: monitoring
spec:
  selector: { app: scraper }
  ports:
    - { name: status, port: 8080, targetPort: status }
EOF

kubectl config set-context --current --namespace=shop
kubectl wait --for=condition=Available deployment --all -n shop --timeout=90s
kubectl wait --for=condition=Available deployment --all -n monitoring --timeout=90s
