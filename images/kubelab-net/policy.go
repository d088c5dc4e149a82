package main

// NetworkPolicy enforcement (networking.k8s.io/v1) for the pods on this node, with iptables.
//
// Layout (filter table), rebuilt atomically with `iptables-restore --noflush` whenever the
// desired rules change:
//
//	FORWARD -> KUBELAB-POLICY                      (the jump is kept at position 1)
//	KUBELAB-POLICY:
//	  ESTABLISHED,RELATED               -> RETURN  (replies and known flows: no policy check)
//	  -s <podIP> for each egress-isolated local pod  -> KUBELAB-EGRESS-<hash>
//	  -d <podIP> for each ingress-isolated local pod -> KUBELAB-INGRESS-<hash>
//	KUBELAB-INGRESS-<hash> / KUBELAB-EGRESS-<hash>:
//	  one rule per allowed (peer, port) -> RETURN
//	  -p tcp -> REJECT --reject-with tcp-reset; anything else -> REJECT (icmp-port-unreachable)
//
// kubelab-net never ACCEPTs: allowed packets RETURN to FORWARD and meet whatever kube-proxy and
// the rest of the node decide, exactly as without policies. An ipBlock's `except` list is
// compiled into the CIDRs that remain (CIDR subtraction in Go), so every rule is a plain
// address/port match and no marks or helper chains are needed.
//
// With ptp veths every packet from or to a pod crosses the node's FORWARD chain (same-node traffic
// too), and Service traffic is already DNATed to the endpoint pod there. Traffic between a pod and
// its own node (kubelet probes, a hostNetwork pod) goes through OUTPUT/INPUT, never FORWARD, so it
// is always allowed, as the Kubernetes documentation says it should be.

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"net/netip"
	"os/exec"
	"sort"
	"strings"

	v1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	corelisters "k8s.io/client-go/listers/core/v1"
	netlisters "k8s.io/client-go/listers/networking/v1"
)

const (
	policyChain   = "KUBELAB-POLICY"
	ingressPrefix = "KUBELAB-INGRESS-" // + 12 hex digits = 28 characters, iptables' limit
	egressPrefix  = "KUBELAB-EGRESS-"
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
	return hostPolicy.apply(compileRules(nodeName, allPods, allNamespaces, allPolicies))
}

// policyApplier applies compiled rules with iptables; run is replaceable so that the netns
// test can run the very same code inside a network namespace.
type policyApplier struct {
	run  func(stdin string, name string, args ...string) (string, error)
	last string // the rules applied last
}

var hostPolicy = &policyApplier{run: runCommand}

func runCommand(stdin string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// apply loads rules when they differ from what was applied last or when our chain is gone
// (someone flushed iptables), deletes per-pod chains no longer wanted (also ones left by an
// earlier run of the daemon), then makes sure FORWARD's first rule jumps to KUBELAB-POLICY.
func (a *policyApplier) apply(rules string) error {
	if _, err := a.run("", "iptables", "-w", "-S", policyChain); err != nil {
		a.last = ""
	}
	if rules != a.last {
		saved, err := a.run("", "iptables-save", "-t", "filter")
		if err != nil {
			return err
		}
		payload := withStaleChainsRemoved(rules, ownedChains(saved))
		if _, err := a.run(payload, "iptables-restore", "-w", "--noflush"); err != nil {
			return fmt.Errorf("%v\n%s", err, payload)
		}
		a.last = rules
		log.Printf("network policies applied: %d per-pod chain(s)", len(ownedChains(rules)))
	}
	return a.ensureJump()
}

// ensureJump keeps FORWARD's first rule a jump to our chain (kube-proxy inserts rules of its own)
// and leaves exactly one such jump.
func (a *policyApplier) ensureJump() error {
	jump := "-A FORWARD -j " + policyChain
	out, _ := a.run("", "iptables", "-w", "-S", "FORWARD")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "-A FORWARD") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	count := 0
	for _, l := range lines {
		if l == jump {
			count++
		}
	}
	if len(lines) > 0 && lines[0] == jump && count == 1 {
		return nil
	}
	for i := 0; i < count; i++ {
		if _, err := a.run("", "iptables", "-w", "-D", "FORWARD", "-j", policyChain); err != nil {
			return err
		}
	}
	_, err := a.run("", "iptables", "-w", "-I", "FORWARD", "1", "-j", policyChain)
	return err
}

// ownedChains lists the per-pod chains declared in an iptables-save/restore text (also the
// names an earlier layout used: KUBELAB-I-, KUBELAB-E-, KUBELAB-B-).
func ownedChains(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, ":KUBELAB-") {
			continue
		}
		name := strings.Fields(l[1:])[0]
		for _, p := range []string{ingressPrefix, egressPrefix, "KUBELAB-I-", "KUBELAB-E-", "KUBELAB-B-"} {
			if strings.HasPrefix(name, p) {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// withStaleChainsRemoved appends, before COMMIT, a flush and delete of every existing per-pod
// chain the new rules do not declare (their jumps are gone, since KUBELAB-POLICY is rebuilt in
// the same transaction).
func withStaleChainsRemoved(rules string, existing []string) string {
	wanted := map[string]bool{}
	for _, c := range ownedChains(rules) {
		wanted[c] = true
	}
	var stale []string
	for _, c := range existing {
		if !wanted[c] {
			stale = append(stale, c)
		}
	}
	if len(stale) == 0 {
		return rules
	}
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(rules, "COMMIT\n"))
	for _, c := range stale {
		fmt.Fprintf(&b, ":%s - [0:0]\n", c)
	}
	for _, c := range stale {
		fmt.Fprintf(&b, "-X %s\n", c)
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// ---------------------------------------------------------------- the pure compiler

// direction is ingress or egress, as far as rule compilation cares.
type direction struct {
	policyType netv1.PolicyType
	prefix     string // chain name prefix
	podFlag    string // matches the isolated pod: -d for ingress, -s for egress
	peerFlag   string // matches the peer: -s for ingress, -d for egress
}

var (
	ingress = direction{netv1.PolicyTypeIngress, ingressPrefix, "-d", "-s"}
	egress  = direction{netv1.PolicyTypeEgress, egressPrefix, "-s", "-d"}
)

// compileRules turns the cluster state into an `iptables-restore --noflush` payload for the filter
// table that (re)defines kubelab's chains. It is pure and deterministic: the same state gives the
// same text (pods and policies are sorted, rules keep the policies' order).
func compileRules(node string, pods []*v1.Pod, namespaces []*v1.Namespace, policies []*netv1.NetworkPolicy) (rules string) {
	nsLabels := map[string]labels.Set{}
	for _, ns := range namespaces {
		nsLabels[ns.Name] = labels.Set(ns.Labels)
	}
	c := compiler{nsLabels: nsLabels}
	for _, p := range pods {
		if podIP(p).IsValid() && !p.Spec.HostNetwork && p.Status.Phase != v1.PodSucceeded && p.Status.Phase != v1.PodFailed {
			c.pods = append(c.pods, p)
		}
	}
	sort.Slice(c.pods, func(i, j int) bool { return podKey(c.pods[i]) < podKey(c.pods[j]) })
	c.policies = append(c.policies, policies...)
	sort.Slice(c.policies, func(i, j int) bool {
		return c.policies[i].Namespace+"/"+c.policies[i].Name < c.policies[j].Namespace+"/"+c.policies[j].Name
	})

	var decls, jumpsE, jumpsI, bodies []string
	for _, pod := range c.pods {
		if pod.Spec.NodeName != node {
			continue
		}
		for _, dir := range []direction{egress, ingress} {
			selecting := c.selecting(pod, dir)
			if len(selecting) == 0 {
				continue // not isolated in this direction: everything allowed
			}
			chain := podChain(dir, pod)
			decls = append(decls, fmt.Sprintf(":%s - [0:0]", chain))
			jump := fmt.Sprintf("-A %s %s %s/32 -m comment --comment %q -j %s", policyChain, dir.podFlag, podIP(pod), strings.ToLower(string(dir.policyType))+" of "+podKey(pod), chain)
			if dir.policyType == netv1.PolicyTypeEgress {
				jumpsE = append(jumpsE, jump)
			} else {
				jumpsI = append(jumpsI, jump)
			}
			seen := map[string]bool{}
			for _, np := range selecting {
				for _, m := range c.allowMatches(pod, np, dir) {
					line := fmt.Sprintf("-A %s %s-m comment --comment %q -j RETURN", chain, m, np.Namespace+"/"+np.Name)
					if !seen[m] { // the first policy that allows a match names it
						seen[m] = true
						bodies = append(bodies, line)
					}
				}
			}
			bodies = append(bodies,
				fmt.Sprintf("-A %s -p tcp -m comment --comment \"denied by network policy\" -j REJECT --reject-with tcp-reset", chain),
				fmt.Sprintf("-A %s -m comment --comment \"denied by network policy\" -j REJECT --reject-with icmp-port-unreachable", chain),
			)
		}
	}
	var b strings.Builder
	b.WriteString("*filter\n")
	fmt.Fprintf(&b, ":%s - [0:0]\n", policyChain)
	for _, l := range decls {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "-A %s -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN\n", policyChain)
	for _, group := range [][]string{jumpsE, jumpsI, bodies} {
		for _, l := range group {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

type compiler struct {
	pods     []*v1.Pod // live pods with an IPv4 address, every node, sorted
	policies []*netv1.NetworkPolicy
	nsLabels map[string]labels.Set
}

func podKey(p *v1.Pod) string { return p.Namespace + "/" + p.Name }

// podIP is the pod's IPv4 address (iptables, not ip6tables), or the zero Addr.
func podIP(p *v1.Pod) netip.Addr {
	for _, s := range append([]string{p.Status.PodIP}, podIPs(p)...) {
		if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
			return a
		}
	}
	return netip.Addr{}
}

func podIPs(p *v1.Pod) []string {
	var out []string
	for _, ip := range p.Status.PodIPs {
		out = append(out, ip.IP)
	}
	return out
}

// selecting: the policies in the pod's namespace whose podSelector matches it and whose
// (defaulted) policyTypes include the direction.
func (c *compiler) selecting(pod *v1.Pod, dir direction) []*netv1.NetworkPolicy {
	var out []*netv1.NetworkPolicy
	for _, np := range c.policies {
		if np.Namespace != pod.Namespace || !hasPolicyType(np, dir.policyType) {
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

// hasPolicyType follows the API's defaulting: without policyTypes a policy is an Ingress
// policy, and an Egress one too if it has egress rules.
func hasPolicyType(np *netv1.NetworkPolicy, want netv1.PolicyType) bool {
	types := np.Spec.PolicyTypes
	if len(types) == 0 {
		types = []netv1.PolicyType{netv1.PolicyTypeIngress}
		if len(np.Spec.Egress) > 0 {
			types = append(types, netv1.PolicyTypeEgress)
		}
	}
	for _, t := range types {
		if t == want {
			return true
		}
	}
	return false
}

// allowMatches are the iptables matches (each ending in a space, "" = everything) of the
// traffic one policy allows for one isolated pod in one direction.
func (c *compiler) allowMatches(pod *v1.Pod, np *netv1.NetworkPolicy, dir direction) []string {
	type rule struct {
		peers []netv1.NetworkPolicyPeer
		ports []netv1.NetworkPolicyPort
	}
	var rules []rule
	if dir.policyType == netv1.PolicyTypeIngress {
		for _, r := range np.Spec.Ingress {
			rules = append(rules, rule{r.From, r.Ports})
		}
	} else {
		for _, r := range np.Spec.Egress {
			rules = append(rules, rule{r.To, r.Ports})
		}
	}
	var out []string
	for _, r := range rules {
		// Ingress: named ports are the isolated pod's own container ports, so they resolve once.
		// Egress: they are the destination's, so they resolve per destination pod.
		var fixed, named []netv1.NetworkPolicyPort
		for _, p := range r.ports {
			if p.Port != nil && p.Port.Type == intstr.String && dir.policyType == netv1.PolicyTypeEgress {
				named = append(named, p)
			} else {
				fixed = append(fixed, p)
			}
		}
		var fixedPorts []string
		if len(r.ports) == 0 {
			fixedPorts = []string{""}
		} else {
			fixedPorts = portMatches(fixed, pod)
		}
		// The peers as address matches; for egress named ports, the pods those peers cover.
		var addrs []string
		var namedPods []*v1.Pod
		if len(r.peers) == 0 {
			addrs = []string{""}
			if len(named) > 0 {
				namedPods = c.pods
			}
		}
		for _, peer := range r.peers {
			if peer.IPBlock != nil {
				blocks := ipBlockPrefixes(peer.IPBlock)
				for _, p := range blocks {
					addrs = append(addrs, fmt.Sprintf("%s %s ", dir.peerFlag, p))
				}
				if len(named) > 0 {
					for _, p := range c.pods {
						for _, b := range blocks {
							if b.Contains(podIP(p)) {
								namedPods = append(namedPods, p)
								break
							}
						}
					}
				}
				continue
			}
			for _, p := range c.peerPods(np.Namespace, peer) {
				addrs = append(addrs, fmt.Sprintf("%s %s/32 ", dir.peerFlag, podIP(p)))
				namedPods = append(namedPods, p)
			}
		}
		for _, a := range addrs {
			for _, pm := range fixedPorts {
				out = append(out, a+pm)
			}
		}
		if len(named) > 0 {
			for _, p := range namedPods {
				for _, pm := range portMatches(named, p) {
					out = append(out, fmt.Sprintf("%s %s/32 %s", dir.peerFlag, podIP(p), pm))
				}
			}
		}
	}
	return out
}

// peerPods are the live pods a pod/namespace-selector peer selects: podSelector alone means pods
// of the policy's namespace; namespaceSelector alone, every pod of the matching namespaces; both,
// the matching pods of the matching namespaces.
func (c *compiler) peerPods(policyNS string, peer netv1.NetworkPolicyPeer) []*v1.Pod {
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
	for _, p := range c.pods {
		if nsSel == nil && p.Namespace != policyNS {
			continue
		}
		if nsSel != nil {
			if _, known := c.nsLabels[p.Namespace]; !known || !nsSel.Matches(c.nsLabels[p.Namespace]) {
				continue
			}
		}
		if podSel.Matches(labels.Set(p.Labels)) {
			out = append(out, p)
		}
	}
	return out
}

// ipBlockPrefixes is the block's CIDR minus its exceptions, as disjoint prefixes sorted by
// address (IPv4 only: an IPv6 block gives nothing here).
func ipBlockPrefixes(b *netv1.IPBlock) []netip.Prefix {
	cidr, err := netip.ParsePrefix(b.CIDR)
	if err != nil || !cidr.Addr().Is4() {
		return nil
	}
	out := []netip.Prefix{cidr.Masked()}
	for _, e := range b.Except {
		ex, err := netip.ParsePrefix(e)
		if err != nil || !ex.Addr().Is4() {
			continue
		}
		var next []netip.Prefix
		for _, p := range out {
			next = append(next, subtractPrefix(p, ex.Masked())...)
		}
		out = next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr().Less(out[j].Addr()) })
	return out
}

// subtractPrefix returns p without ex: p itself when they do not overlap, nothing when ex
// covers p, else the halves of p, each minus ex (at most one prefix per bit between them).
func subtractPrefix(p, ex netip.Prefix) []netip.Prefix {
	if !p.Overlaps(ex) {
		return []netip.Prefix{p}
	}
	if ex.Bits() <= p.Bits() {
		return nil
	}
	lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
	hiAddr := p.Addr().As4()
	bit := p.Bits()
	hiAddr[bit/8] |= 0x80 >> (bit % 8)
	hi := netip.PrefixFrom(netip.AddrFrom4(hiAddr), p.Bits()+1)
	return append(subtractPrefix(lo, ex), subtractPrefix(hi, ex)...)
}

// portMatches gives one iptables match (ending in a space) per allowed port; named ports are
// looked up in owner's containers (a name it does not have allows nothing).
func portMatches(ports []netv1.NetworkPolicyPort, owner *v1.Pod) []string {
	var out []string
	for _, p := range ports {
		proto := v1.ProtocolTCP
		if p.Protocol != nil {
			proto = *p.Protocol
		}
		pr := strings.ToLower(string(proto))
		switch {
		case p.Port == nil:
			out = append(out, fmt.Sprintf("-p %s ", pr))
		case p.Port.Type == intstr.Int:
			if p.EndPort != nil && *p.EndPort > p.Port.IntVal {
				out = append(out, fmt.Sprintf("-p %s -m %s --dport %d:%d ", pr, pr, p.Port.IntVal, *p.EndPort))
			} else {
				out = append(out, fmt.Sprintf("-p %s -m %s --dport %d ", pr, pr, p.Port.IntVal))
			}
		default:
			if owner == nil {
				continue
			}
			for _, c := range owner.Spec.Containers {
				for _, cp := range c.Ports {
					cproto := cp.Protocol
					if cproto == "" {
						cproto = v1.ProtocolTCP
					}
					if cp.Name == p.Port.StrVal && cproto == proto {
						out = append(out, fmt.Sprintf("-p %s -m %s --dport %d ", pr, pr, cp.ContainerPort))
					}
				}
			}
		}
	}
	return out
}

// podChain names a pod's chain for one direction, stably, within iptables' 28 characters.
func podChain(dir direction, pod *v1.Pod) string {
	sum := sha256.Sum256([]byte(podKey(pod) + "/" + string(pod.UID)))
	return dir.prefix + strings.ToUpper(hex.EncodeToString(sum[:])[:12])
}
