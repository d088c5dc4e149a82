package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

// onChange calls mark on every add, update and delete the informer sees.
func onChange(inf cache.SharedIndexInformer, mark func()) {
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(interface{}) { mark() },
		UpdateFunc: func(interface{}, interface{}) { mark() },
		DeleteFunc: func(interface{}) { mark() },
	})
}

// network holds what the node-level reconcile needs and what it last applied.
type network struct {
	nodeName  string
	podSubnet string
	cniDir    string
	cniConfig []byte
	routes    map[string]string // podCIDR -> via
}

// reconcileNodes writes this node's CNI config, routes other nodes' podCIDRs and installs the masquerade rule.
func (n *network) reconcileNodes(lister corelisters.NodeLister) error {
	nodes, err := lister.List(labels.Everything())
	if err != nil {
		return err
	}
	want := map[string]string{}
	for _, node := range nodes {
		cidr := node.Spec.PodCIDR
		if cidr == "" {
			continue
		}
		if node.Name == n.nodeName {
			if err := n.writeCNIConfig(cidr); err != nil {
				return err
			}
			continue
		}
		if ip := internalIP(node); ip != "" {
			want[cidr] = ip
		}
	}
	for cidr, via := range want {
		if n.routes[cidr] == via {
			continue
		}
		if out, err := exec.Command("ip", "route", "replace", cidr, "via", via).CombinedOutput(); err != nil {
			return fmt.Errorf("ip route replace %s via %s: %v: %s", cidr, via, err, out)
		}
		log.Printf("route %s via %s", cidr, via)
	}
	for cidr := range n.routes {
		if _, ok := want[cidr]; !ok {
			_ = exec.Command("ip", "route", "del", cidr).Run()
			log.Printf("route %s removed", cidr)
		}
	}
	n.routes = want
	return ensureMasquerade(n.podSubnet)
}

func internalIP(node *v1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == v1.NodeInternalIP && !strings.Contains(a.Address, ":") {
			return a.Address
		}
	}
	return ""
}

// writeCNIConfig writes the conflist atomically, and only when it changes (containerd watches the dir).
func (n *network) writeCNIConfig(podCIDR string) error {
	conf := map[string]interface{}{
		"cniVersion": "0.4.0",
		"name":       "kubelab",
		"plugins": []interface{}{
			map[string]interface{}{
				"type":   "ptp",
				"ipMasq": false,
				"mtu":    1500,
				"ipam": map[string]interface{}{
					"type":    "host-local",
					"dataDir": "/run/cni-ipam-state",
					"routes":  []interface{}{map[string]string{"dst": "0.0.0.0/0"}},
					"ranges":  []interface{}{[]interface{}{map[string]string{"subnet": podCIDR}}},
				},
			},
			map[string]interface{}{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	data, err := json.MarshalIndent(conf, "", "  ")
	if err != nil {
		return err
	}
	if bytes.Equal(data, n.cniConfig) {
		return nil
	}
	path := filepath.Join(n.cniDir, "10-kubelab.conflist")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	n.cniConfig = data
	log.Printf("CNI config written for podCIDR %s", podCIDR)
	return nil
}

// ensureMasquerade masquerades traffic from pods to anything outside the pod network (the
// Internet, the Docker network, the node itself), so replies find their way back.
func ensureMasquerade(podSubnet string) error {
	rule := []string{"-t", "nat", "POSTROUTING", "-s", podSubnet, "!", "-d", podSubnet,
		"-m", "comment", "--comment", "kubelab-net: masquerade pod egress", "-j", "MASQUERADE"}
	check := append([]string{"-C"}, rule[2:]...)
	check = append([]string{"-t", "nat"}, check...)
	if exec.Command("iptables", check...).Run() == nil {
		return nil
	}
	add := append([]string{"-t", "nat", "-A"}, rule[2:]...)
	if out, err := exec.Command("iptables", add...).CombinedOutput(); err != nil {
		return fmt.Errorf("iptables %s: %v: %s", strings.Join(add, " "), err, out)
	}
	return nil
}
