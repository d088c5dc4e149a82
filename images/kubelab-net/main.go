// Command kubelab-net is the pod network of kubelab's kind node images: a small daemon, one per
// node, in the spirit of kind's kindnetd (which the Go module proxy does not serve, so the
// air-gapped build cannot make it). On every node it
//   - writes the CNI config (ptp veths + host-local IPAM from the node's podCIDR + portmap),
//   - routes every other node's podCIDR via that node's InternalIP (all kind nodes share one L2
//     Docker network, so plain routes suffice: no overlay),
//   - masquerades pod traffic leaving the pod network,
//   - enforces NetworkPolicy for the pods on this node (see policy.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func main() {
	cniDir := flag.String("cni-conf-dir", "/etc/cni/net.d", "where the CNI config is written")
	resync := flag.Duration("resync", 30*time.Second, "full reconcile interval, besides watch events")
	flag.Parse()

	nodeName := os.Getenv("NODE_NAME")
	podSubnet := os.Getenv("POD_SUBNET")
	if nodeName == "" || podSubnet == "" {
		log.Fatal("kubelab-net: NODE_NAME and POD_SUBNET must be set (downward API and the CNI manifest)")
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("kubelab-net: in-cluster config: %v", err)
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		log.Fatalf("kubelab-net: client: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	factory := informers.NewSharedInformerFactory(client, *resync)
	nodes := factory.Core().V1().Nodes()
	pods := factory.Core().V1().Pods()
	namespaces := factory.Core().V1().Namespaces()
	policies := factory.Networking().V1().NetworkPolicies()

	// Every event only marks the state dirty; one loop reconciles, so bursts coalesce.
	dirty := make(chan struct{}, 1)
	mark := func() {
		select {
		case dirty <- struct{}{}:
		default:
		}
	}
	onChange(nodes.Informer(), mark)
	onChange(pods.Informer(), mark)
	onChange(namespaces.Informer(), mark)
	onChange(policies.Informer(), mark)
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())

	net := &network{nodeName: nodeName, podSubnet: podSubnet, cniDir: *cniDir}
	ticker := time.NewTicker(*resync)
	defer ticker.Stop()
	mark()
	for {
		select {
		case <-ctx.Done():
			log.Print("kubelab-net: stopping")
			return
		case <-dirty:
		case <-ticker.C:
		}
		if err := net.reconcileNodes(nodes.Lister()); err != nil {
			log.Printf("kubelab-net: nodes: %v", err)
		}
		if err := reconcilePolicies(nodeName, pods.Lister(), namespaces.Lister(), policies.Lister()); err != nil {
			log.Printf("kubelab-net: network policies: %v", err)
		}
	}
}

func init() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix(fmt.Sprintf("[%d] ", os.Getpid()))
}
