package main

// NetworkPolicy enforcement (networking.k8s.io/v1) for the pods on this node, with iptables.
//
// Layout, rebuilt atomically with `iptables-restore --noflush` whenever the desired rules change:
//
//	FORWARD  -> KUBELAB-POLICY (kept at position 1)
//	KUBELAB-POLICY: ESTABLISHED,RELATED accept; then for each local pod isolated for egress
//	                `-s podIP -j KUBELAB-E-<id>`, then for each isolated for ingress `-d podIP -j KUBELAB-I-<id>`
//	KUBELAB-I-<id>: clear mark; one rule per allowed (peer, port) that sets MARK; marked -> RETURN; else REJECT
//	KUBELAB-E-<id>: the same for destinations
//
// With ptp veths every pod packet crosses the node's FORWARD chain (same-node traffic too), and
// Service traffic is already DNATed to the endpoint pod there. Traffic from the node itself
// (kubelet probes) uses OUTPUT and is never filtered, as in most CNIs.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	v1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"
	netlisters "k8s.io/client-go/listers/networking/v1"
)

const (
	policyChain = "KUBELAB-POLICY"
	// allowMark is the packet-mark bit a per-pod chain sets when some rule allows the packet.
	allowMark = "0x40000/0x40000"
)

// lastPolicyRules is what was applied last, so unchanged state costs no iptables call.
var (
	lastPolicyRules []byte
	lastChains      = map[string]bool{}
)

// reconcilePolicies compiles the rules for this node's pods and applies them if they changed.
func reconcilePolicies(nodeName string, pods corelisters.PodLister, namespaces corelisters.NamespaceLister, policies netlisters.NetworkPolicyLister) error {
	allPods, err := pods.List(labels.Everything())
	if err != nil {
		return err
	}
	allNamespaces, err := namespaces.List(labels.Everything())
	if err != nil {
		return err
	}
	allPolicies, err := policies.List(labels.Everything())
	if err != nil {
		return err
	}
	rules, chains := compileRules(nodeName, allPods, allNamespaces, allPolicies)
	if err := ensureJump(); err != nil {
		return err
	}
	if bytes.Equal(rules, lastPolicyRules) {
		return nil
	}
	payload := withStaleChainsRemoved(rules, chains)
	cmd := exec.Command("iptables-restore", "--noflush", "--wait")
	cmd.Stdin = bytes.NewReader(payload)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("iptables-restore: %v: %s\n%s", err, out, payload)
	}
	lastPolicyRules = rules
	lastChains = chains
	log.Printf("network policies applied: %d chain(s)", len(chains))
	return nil
}

// ensureJump keeps FORWARD's first rule a jump to our chain (kube-proxy inserts rules of its own).
func ensureJump() error {
	_ = exec.Command("iptables", "-w", "-N", policyChain).Run()
	out, err := exec.Command("iptables", "-w", "-S", "FORWARD", "1").Output()
	if err == nil && strings.Contains(string(out), "-j "+policyChain) {
		return nil
	}
	_ = exec.Command("iptables", "-w", "-D", "FORWARD", "-j", policyChain).Run()
	if out, err := exec.Command("iptables", "-w", "-I", "FORWARD", "1", "-j", policyChain).CombinedOutput(); err != nil {
		return fmt.Errorf("iptables -I FORWARD 1 -j %s: %v: %s", policyChain, err, out)
	}
	return nil
}

// withStaleChainsRemoved appends deletions of per-pod chains that the new rules no longer use.
func withStaleChainsRemoved(rules []byte, chains map[string]bool) []byte {
	var stale []string
	for c := range lastChains {
		if !chains[c] {
			stale = append(stale, c)
		}
	}
	if len(stale) == 0 {
		return rules
	}
	sort.Strings(stale)
	body := strings.TrimSuffix(string(rules), "COMMIT\n")
	var b strings.Builder
	b.WriteString(body)
	for _, c := range stale {
		fmt.Fprintf(&b, ":%s - [0:0]\n", c)
	}
	for _, c := range stale {
		fmt.Fprintf(&b, "-X %s\n", c)
	}
	b.WriteString("COMMIT\n")
	return []byte(b.String())
}

// direction is ingress or egress, as far as rule compilation cares.
type direction struct {
	name     string // "I" or "E"
	podFlag  string // -d for ingress (traffic to the pod), -s for egress
	peerFlag string
	portFor  func(pod *v1.Pod, peer *v1.Pod) *v1.Pod // whose container ports name the port
}

var (
	ingress = direction{name: "I", podFlag: "-d", peerFlag: "-s", portFor: func(pod, _ *v1.Pod) *v1.Pod { return pod }}
	egress  = direction{name: "E", podFlag: "-s", peerFlag: "-d", portFor: func(_, peer *v1.Pod) *v1.Pod { return peer }}
)

// compileRules is pure: the same state gives the same bytes (everything sorted).
func compileRules(node string, pods []*v1.Pod, namespaces []*v1.Namespace, policies []*netv1.NetworkPolicy) ([]byte, map[string]bool) {
	nsLabels := map[string]labels.Set{}
	for _, ns := range namespaces {
		nsLabels[ns.Name] = labels.Set(ns.Labels)
	}
	var live []*v1.Pod
	for _, p := range pods {
		if p.Status.PodIP != "" && !p.Spec.HostNetwork && p.Status.Phase != v1.PodSucceeded && p.Status.Phase != v1.PodFailed {
			live = append(live, p)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i].Namespace+"/"+live[i].Name < live[j].Namespace+"/"+live[j].Name })
	sorted := append([]*netv1.NetworkPolicy(nil), policies...)
	sort.Slice(sorted, func(i, j int) bool {
		return sorted[i].Namespace+"/"+sorted[i].Name < sorted[j].Namespace+"/"+sorted[j].Name
	})

	var head, bodies []string
	chains := map[string]bool{}
	var ingressJumps, egressJumps []string
	for _, pod := range live {
		if pod.Spec.NodeName != node {
			continue
		}
		for _, dir := range []direction{egress, ingress} {
			selecting := selectingPolicies(pod, sorted, dir)
			if len(selecting) == 0 {
				continue
			}
			chain := podChain(dir, pod)
			chains[chain] = true
			head = append(head, fmt.Sprintf(":%s - [0:0]", chain))
			jump := fmt.Sprintf("-A %s %s %s/32 -m comment --comment \"%s/%s\" -j %s", policyChain, dir.podFlag, pod.Status.PodIP, pod.Namespace, pod.Name, chain)
			if dir.name == "I" {
				ingressJumps = append(ingressJumps, jump)
			} else {
				egressJumps = append(egressJumps, jump)
			}
			bodies = append(bodies, fmt.Sprintf("-A %s -j MARK --set-xmark 0x0/0x40000", chain))
			for _, np := range selecting {
				lines, extra := allowRules(chain, pod, np, dir, live, nsLabels)
				for _, c := range extra {
					chains[c] = true
					head = append(head, fmt.Sprintf(":%s - [0:0]", c))
				}
				bodies = append(bodies, lines...)
			}
			bodies = append(bodies,
				fmt.Sprintf("-A %s -m mark --mark %s -j RETURN", chain, allowMark),
				fmt.Sprintf("-A %s -p tcp -m comment --comment \"denied by network policy\" -j REJECT --reject-with tcp-reset", chain),
				fmt.Sprintf("-A %s -m comment --comment \"denied by network policy\" -j REJECT --reject-with icmp-port-unreachable", chain),
			)
		}
	}
	var b strings.Builder
	b.WriteString("*filter\n")
	fmt.Fprintf(&b, ":%s - [0:0]\n", policyChain)
	for _, l := range head {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "-A %s -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n", policyChain)
	for _, l := range append(egressJumps, ingressJumps...) {
		b.WriteString(l + "\n")
	}
	for _, l := range bodies {
		b.WriteString(l + "\n")
	}
	b.WriteString("COMMIT\n")
	return []byte(b.String()), chains
}

// selectingPolicies: policies in the pod's namespace that select it and apply to the direction.
func selectingPolicies(pod *v1.Pod, policies []*netv1.NetworkPolicy, dir direction) []*netv1.NetworkPolicy {
	var out []*netv1.NetworkPolicy
	for _, np := range policies {
		if np.Namespace != pod.Namespace || !appliesTo(np, dir) {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
		if err != nil || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		out = append(out, np)
	}
	return out
}

// appliesTo follows policyTypes' defaulting: Ingress always, Egress when egress rules exist.
func appliesTo(np *netv1.NetworkPolicy, dir direction) bool {
	types := np.Spec.PolicyTypes
	if len(types) == 0 {
		types = []netv1.PolicyType{netv1.PolicyTypeIngress}
		if len(np.Spec.Egress) > 0 {
			types = append(types, netv1.PolicyTypeEgress)
		}
	}
	want := netv1.PolicyTypeIngress
	if dir.name == "E" {
		want = netv1.PolicyTypeEgress
	}
	for _, t := range types {
		if t == want {
			return true
		}
	}
	return false
}

// allowRules turns one policy's rules for one pod into lines of the pod's chain. An ipBlock
// with `except` gets a small chain of its own (RETURN for each excepted range, then the
// allow), because one iptables rule cannot say "in this CIDR but not in those".
func allowRules(chain string, pod *v1.Pod, np *netv1.NetworkPolicy, dir direction, pods []*v1.Pod, nsLabels map[string]labels.Set) (lines []string, extraChains []string) {
	type rule struct {
		peers []netv1.NetworkPolicyPeer
		ports []netv1.NetworkPolicyPort
	}
	var rules []rule
	if dir.name == "I" {
		for _, r := range np.Spec.Ingress {
			rules = append(rules, rule{r.From, r.Ports})
		}
	} else {
		for _, r := range np.Spec.Egress {
			rules = append(rules, rule{r.To, r.Ports})
		}
	}
	comment := fmt.Sprintf("-m comment --comment \"%s/%s\"", np.Namespace, np.Name)
	allow := fmt.Sprintf("%s -j MARK --set-xmark %s", comment, allowMark)
	add := func(match string) {
		lines = append(lines, strings.Join(strings.Fields(fmt.Sprintf("-A %s %s %s", chain, match, allow)), " "))
	}
	for ri, r := range rules {
		if len(r.peers) == 0 {
			for _, pm := range portMatches(r.ports, dir.portFor(pod, nil)) {
				add(pm)
			}
		}
		for pi, peer := range r.peers {
			if peer.IPBlock != nil {
				if len(peer.IPBlock.Except) == 0 {
					for _, pm := range portMatches(r.ports, nil) {
						add(fmt.Sprintf("%s %s %s", dir.peerFlag, peer.IPBlock.CIDR, pm))
					}
					continue
				}
				sub := subChain(chain, np, ri, pi)
				extraChains = append(extraChains, sub)
				lines = append(lines, fmt.Sprintf("-A %s %s %s -j %s", chain, dir.peerFlag, peer.IPBlock.CIDR, sub))
				for _, ex := range peer.IPBlock.Except {
					lines = append(lines, fmt.Sprintf("-A %s %s %s -j RETURN", sub, dir.peerFlag, ex))
				}
				for _, pm := range portMatches(r.ports, nil) {
					lines = append(lines, strings.Join(strings.Fields(fmt.Sprintf("-A %s %s %s", sub, pm, allow)), " "))
				}
				continue
			}
			for _, p := range peerPods(np.Namespace, peer, pods, nsLabels) {
				for _, pm := range portMatches(r.ports, dir.portFor(pod, p)) {
					add(fmt.Sprintf("%s %s/32 %s", dir.peerFlag, p.Status.PodIP, pm))
				}
			}
		}
	}
	return lines, extraChains
}

// subChain names the chain of one ipBlock-with-except peer of one rule for one pod.
func subChain(podChain string, np *netv1.NetworkPolicy, rule, peer int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%d/%d", podChain, np.Namespace, np.Name, rule, peer)))
	return "KUBELAB-B-" + strings.ToUpper(hex.EncodeToString(sum[:])[:16])
}

// peerPods are the pods a peer selects (podSelector in the policy's namespace, namespaceSelector, or both).
func peerPods(policyNS string, peer netv1.NetworkPolicyPeer, pods []*v1.Pod, nsLabels map[string]labels.Set) []*v1.Pod {
	podSel := labels.Everything()
	if peer.PodSelector != nil {
		s, err := metav1.LabelSelectorAsSelector(peer.PodSelector)
		if err != nil {
			return nil
		}
		podSel = s
	}
	var nsSel labels.Selector
	if peer.NamespaceSelector != nil {
		s, err := metav1.LabelSelectorAsSelector(peer.NamespaceSelector)
		if err != nil {
			return nil
		}
		nsSel = s
	}
	var out []*v1.Pod
	for _, p := range pods {
		if nsSel == nil && p.Namespace != policyNS {
			continue
		}
		if nsSel != nil && !nsSel.Matches(nsLabels[p.Namespace]) {
			continue
		}
		if podSel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

// portMatches gives one iptables match per allowed port ("" when every port is allowed).
func portMatches(ports []netv1.NetworkPolicyPort, named *v1.Pod) []string {
	if len(ports) == 0 {
		return []string{""}
	}
	var out []string
	for _, p := range ports {
		proto := v1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		pr := strings.ToLower(string(proto))
		switch {
		case p.Port == nil:
			out = append(out, "-p "+pr)
		case p.Port.Type == 0: // a number
			if p.EndPort != nil && *p.EndPort > p.Port.IntVal {
				out = append(out, fmt.Sprintf("-p %s -m %s --dport %d:%d", pr, pr, p.Port.IntVal, *p.EndPort))
			} else {
				out = append(out, fmt.Sprintf("-p %s -m %s --dport %d", pr, pr, p.Port.IntVal))
			}
		default: // a named container port, resolved on the pod that owns it
			if named == nil {
				continue
			}
			for _, c := range named.Spec.Containers {
				for _, cp := range c.Ports {
					cproto := cp.Protocol
					if cproto == "" {
						cproto = v1.ProtocolTCP
					}
					if cp.Name == p.Port.StrVal && cproto == proto {
						out = append(out, fmt.Sprintf("-p %s -m %s --dport %s", pr, pr, strconv.Itoa(int(cp.ContainerPort))))
					}
				}
			}
		}
	}
	return out
}

// podChain names a pod's chain stably and within iptables' 28-character limit.
func podChain(dir direction, pod *v1.Pod) string {
	sum := sha256.Sum256([]byte(string(pod.UID) + "/" + pod.Namespace + "/" + pod.Name))
	return "KUBELAB-" + dir.name + "-" + strings.ToUpper(hex.EncodeToString(sum[:])[:16])
}
